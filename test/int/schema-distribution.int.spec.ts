import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTION, type Layout } from '../../src/db/distribution.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * The schema stays ready for Citus (docs/DEPLOYMENT.md): every table says how it is laid out (src/db/distribution.ts),
 * every distributed table carries its distribution column and a primary key that leads with it, every unique index
 * includes it (Citus can only enforce uniqueness within a shard), and every foreign key could hold across shards: between
 * co-located tables on their distribution columns, or to a reference table.
 */
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.drop());

interface Table {
  name: string;
  columns: string[];
  pk: string[] | null;
  uniques: { name: string; columns: string[] }[];
  fks: { name: string; columns: string[]; ref: string; refColumns: string[] }[];
}

async function catalog(): Promise<Table[]> {
  return db.sql<Table[]>`
    select c.relname as name,
      (select array_agg(a.attname::text order by a.attnum) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
      (select array_agg(a.attname::text order by k.ord) from pg_index i cross join unnest(i.indkey) with ordinality k(att, ord)
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.att where i.indrelid = c.oid and i.indisprimary) as pk,
      coalesce((select json_agg(json_build_object('name', ic.relname, 'columns',
          (select array_agg(a.attname::text order by k.ord) from unnest(i.indkey) with ordinality k(att, ord)
            join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.att)))
        from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid = c.oid and i.indisunique and not i.indisprimary), '[]') as uniques,
      coalesce((select json_agg(json_build_object('name', f.conname, 'ref', r.relname,
          'columns', (select array_agg(a.attname::text order by k.ord) from unnest(f.conkey) with ordinality k(att, ord)
            join pg_attribute a on a.attrelid = f.conrelid and a.attnum = k.att),
          'refColumns', (select array_agg(a.attname::text order by k.ord) from unnest(f.confkey) with ordinality k(att, ord)
            join pg_attribute a on a.attrelid = f.confrelid and a.attnum = k.att)))
        from pg_constraint f join pg_class r on r.oid = f.confrelid where f.conrelid = c.oid and f.contype = 'f'), '[]') as fks
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`;
}

/** What breaks the layout rules, one line per problem (empty when the schema is ready). */
function problems(tables: Table[], layouts: Record<string, Layout>): string[] {
  const out: string[] = [];
  const layoutOf = (t: string) => layouts[t];
  for (const t of tables) {
    const layout = layoutOf(t.name);
    if (!layout) {
      out.push(`${t.name}: not in src/db/distribution.ts`);
      continue;
    }
    const distributed = layout.by === 'tenant' || layout.by === 'code';
    // every brand's row carries its tenant; reference and coordinator-only tables may be the platform's own
    if (distributed && !t.columns.includes('tenant_id')) out.push(`${t.name}: no tenant_id`);
    if (distributed) {
      const column = layout.column;
      if (!t.columns.includes(column)) out.push(`${t.name}: no distribution column ${column}`);
      if (t.pk && t.pk[0] !== column) out.push(`${t.name}: primary key (${t.pk.join(', ')}) does not lead with ${column}`);
      for (const u of t.uniques) if (!u.columns.includes(column)) out.push(`${t.name}: unique index ${u.name} lacks ${column}`);
    }
    for (const fk of t.fks) {
      const target = layoutOf(fk.ref);
      if (!target) continue;
      if (target.by === 'reference') continue;
      if (layout.by === 'reference' || target.by === 'local' || layout.by === 'local') {
        out.push(`${t.name}: foreign key ${fk.name} from a ${layout.by} table to a ${target.by} table`);
        continue;
      }
      // both distributed: co-located (same kind), and the key pairs their distribution columns
      const i = fk.columns.indexOf(layout.column);
      if (layout.by !== target.by || i < 0 || fk.refColumns[i] !== target.column)
        out.push(`${t.name}: foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.ref} could not hold across shards`);
    }
  }
  for (const name of Object.keys(layouts))
    if (!tables.some((t) => t.name === name)) out.push(`${name}: in distribution.ts but no such table`);
  return out;
}

describe('the schema, laid out for Citus', () => {
  it('places every table, and every table keeps its layout’s rules', async () => {
    expect(problems(await catalog(), DISTRIBUTION)).toEqual([]);
  });

  it('fails a table without tenant_id, a primary key not led by its column, a unique index without it, and a foreign key across shards', async () => {
    await db.sql.unsafe(`
      create table fx_no_tenant (id bigint primary key);
      create table fx_parent (tenant_id int not null, id bigint not null, primary key (tenant_id, id));
      create table fx_bad_pk (tenant_id int not null, id bigint not null, code text, primary key (id, tenant_id), unique (code));
      create table fx_code (tenant_id int not null, epc text not null, owner bigint, primary key (epc, tenant_id),
        foreign key (tenant_id, owner) references fx_parent (tenant_id, id));
      create table fx_ok (tenant_id int not null, id bigint not null, parent bigint, primary key (tenant_id, id),
        foreign key (tenant_id, parent) references fx_parent (tenant_id, id), foreign key (tenant_id) references tenants (id));`);
    try {
      const layouts: Record<string, Layout> = {
        ...DISTRIBUTION,
        fx_no_tenant: { by: 'tenant', column: 'tenant_id' },
        fx_parent: { by: 'tenant', column: 'tenant_id' },
        fx_bad_pk: { by: 'tenant', column: 'tenant_id' },
        fx_code: { by: 'code', column: 'epc' },
        fx_ok: { by: 'tenant', column: 'tenant_id' },
      };
      const found = problems(await catalog(), layouts);
      expect(found).toEqual(
        expect.arrayContaining([
          'fx_no_tenant: no tenant_id',
          'fx_no_tenant: no distribution column tenant_id',
          'fx_bad_pk: primary key (id, tenant_id) does not lead with tenant_id',
          'fx_bad_pk: unique index fx_bad_pk_code_key lacks tenant_id',
          expect.stringMatching(/^fx_code: foreign key .* -> fx_parent could not hold across shards$/),
        ]),
      );
      expect(found.filter((p) => p.startsWith('fx_ok') || p.startsWith('fx_parent'))).toEqual([]);
      // and a table nobody placed
      const { fx_ok: _, ...withoutOne } = layouts;
      expect(problems(await catalog(), withoutOne)).toContain('fx_ok: not in src/db/distribution.ts');
    } finally {
      await db.sql.unsafe('drop table fx_ok, fx_code, fx_bad_pk, fx_parent, fx_no_tenant');
    }
  });
});
