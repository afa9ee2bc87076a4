/**
 * What a backup holds, read from the catalog rather than listed by hand: every table the migrations made
 * (partitioned tables as their parent), in foreign-key order, the partitions, and the sequences.
 */
import type { Db } from '../../context.ts';

export interface TableInfo {
  name: string;
  /** columns COPY reads and writes (generated columns excluded) */
  columns: string[];
  /** how a tenant's backup selects its rows: by tenant_id, the tenant's own row, or the whole table (reference data) */
  scope: 'tenant' | 'tenant-row' | 'all';
  /** planner's estimate, for the progress bar */
  estimate: number;
  /** tables its foreign keys point to */
  dependsOn: string[];
}

export interface PartitionInfo {
  name: string;
  parent: string;
  /** `FOR VALUES FROM (...) TO (...)` or `DEFAULT` */
  bound: string;
}

export interface SequenceInfo {
  name: string;
  value: number;
  isCalled: boolean;
}

/** Tables the code keeps for itself: never backed up or restored as data. */
const OWN_TABLES = new Set(['schema_migrations']);

/** A double-quoted SQL identifier. */
export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function listTables(db: Db): Promise<TableInfo[]> {
  const rows = await db<{ name: string; columns: string[]; has_tenant: boolean; estimate: number; depends_on: string[] }[]>`
    select c.relname as name,
      array(select a.attname::text from pg_attribute a
            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum) as columns,
      exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) as has_tenant,
      (case when c.relkind = 'p'
        then (select coalesce(sum(greatest(p.reltuples, 0)), 0) from pg_inherits i join pg_class p on p.oid = i.inhrelid where i.inhparent = c.oid)
        else greatest(c.reltuples, 0) end)::float8 as estimate,
      array(select distinct r.relname::text from pg_constraint f join pg_class r on r.oid = f.confrelid
            where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid) as depends_on
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`;
  const tables = rows
    .filter((r) => !OWN_TABLES.has(r.name))
    .map<TableInfo>((r) => ({
      name: r.name,
      columns: r.columns,
      scope: r.has_tenant ? 'tenant' : r.name === 'tenants' ? 'tenant-row' : 'all',
      estimate: Math.round(Number(r.estimate)),
      dependsOn: r.depends_on.filter((d) => !OWN_TABLES.has(d)),
    }));
  return dependencyOrder(tables);
}

/** Referenced tables before the tables that reference them (alphabetical among equals, so the order is stable). */
export function dependencyOrder<T extends { name: string; dependsOn: string[] }>(tables: T[]): T[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: T) => {
    if (state.get(t.name) === 'done') return;
    // a cycle of foreign keys (none today) is broken where it is found: the load does not check them row by row
    if (state.get(t.name) === 'visiting') return;
    state.set(t.name, 'visiting');
    for (const d of [...t.dependsOn].sort()) {
      const dep = byName.get(d);
      if (dep) visit(dep);
    }
    state.set(t.name, 'done');
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
  return out;
}

export async function listPartitions(db: Db): Promise<PartitionInfo[]> {
  return db<PartitionInfo[]>`
    select c.relname::text as name, p.relname::text as parent, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relispartition and c.relkind in ('r', 'p')
    order by p.relname, c.relname`;
}

export async function listSequences(db: Db): Promise<SequenceInfo[]> {
  const names = await db<{ name: string }[]>`
    select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'S' order by 1`;
  const out: SequenceInfo[] = [];
  for (const { name } of names) {
    const [s] = await db.unsafe<{ last_value: string; is_called: boolean }[]>(
      `select last_value::text, is_called from public.${ident(name)}`,
    );
    if (s) out.push({ name, value: Number(s.last_value), isCalled: s.is_called });
  }
  return out;
}

/** Names of the tables holding rows (the code's own bookkeeping and the shipped reference data aside). */
export async function tablesWithRows(db: Db, ignore: Set<string>): Promise<string[]> {
  const found: string[] = [];
  for (const t of await listTables(db)) {
    if (ignore.has(t.name)) continue;
    const [r] = await db.unsafe<{ any: boolean }[]>(`select exists (select 1 from public.${ident(t.name)}) as any`);
    if (r?.any) found.push(t.name);
  }
  return found;
}
