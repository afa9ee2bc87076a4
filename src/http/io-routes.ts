import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../db/connection.ts';
import { appendAudit } from '../modules/audit/index.ts';
import { usersImport } from '../modules/auth/import-spec.ts';
import { type Actor, partyScope, whoOf } from '../modules/auth/index.ts';
import { productsImport } from '../modules/catalog/import-spec.ts';
import { partiesImport } from '../modules/parties/import-spec.ts';
import type { ImportSpec } from '../platform/import-driver.ts';
import { runImport } from '../platform/import-driver.ts';
import { writeTable, XLSX_TYPE } from '../platform/tabular/index.ts';
import { ctxOf } from './access.ts';
import { AppError } from './problem.ts';
import { strictObject } from './schemas.ts';
/** The entities that can be imported and exported, shared by the HTTP routes and the CLI. */
export const IMPORT_SPECS: Record<string, ImportSpec<unknown>> = {
  products: productsImport as ImportSpec<unknown>,
  parties: partiesImport as ImportSpec<unknown>,
  users: usersImport as ImportSpec<unknown>,
};
const SPECS = IMPORT_SPECS;

/** Export columns: every import column but secrets (initial passwords are never exported). */
export function exportColumns(spec: ImportSpec<unknown>): { key: string; header: string }[] {
  return spec.columns.filter((c) => c.key !== 'password').map((c) => ({ key: c.key, header: c.header }));
}

const Entity = Type.Union([Type.Literal('products'), Type.Literal('parties'), Type.Literal('users')]);

/** Spreadsheet import (all-or-nothing, per-row error report) and export of products, parties and users. */
export async function ioRoutes(api: FastifyInstance, sql: Sql) {
  for (const type of [XLSX_TYPE, 'text/csv', 'application/octet-stream']) {
    api.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  }

  api.post(
    '/imports/:entity',
    {
      config: { access: 'import:write', invalidates: ['parties', 'catalog'] },
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags: ['import/export'],
        summary: 'Import an .xlsx or .csv file (raw body); nothing is written if any row is bad',
        params: strictObject({ entity: Entity }),
        querystring: strictObject({ format: Type.Optional(Type.Union([Type.Literal('xlsx'), Type.Literal('csv')])) }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const { entity } = req.params as { entity: string };
      const spec = SPECS[entity] as ImportSpec<unknown>;
      if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'request.unsupported_media_type');
      const q = req.query as { format?: 'xlsx' | 'csv' };
      const format = q.format ?? ((req.headers['content-type'] ?? '').startsWith('text/csv') ? 'csv' : 'xlsx');
      try {
        return await runImport(sql, spec, req.body, format, {
          tenantId: ctx.actor.tenantId,
          locale: ctx.locale,
          audit: (tx, count) => appendAudit(tx, whoOf(ctx), { action: `${entity}.import`, entityType: entity, details: { count, format } }),
        });
      } catch (e) {
        if (e instanceof AppError && e.code === 'import.invalid_rows') {
          const errors = (e.extra.errors as unknown[]).slice(0, 100_000);
          const [r] = await sql<{ id: string }[]>`insert into import_reports (tenant_id, entity, user_id, errors)
            values (${ctx.actor.tenantId}, ${entity}, ${ctx.actor.kind === 'user' ? ctx.actor.id : null}, ${sql.json(errors as never)}) returning id`;
          e.extra.reportUrl = `/api/v1/imports/reports/${r?.id}`;
          e.extra.errors = errors.slice(0, 1000);
          e.extra.errorCount = errors.length;
        }
        throw e;
      }
    },
  );

  api.get(
    '/imports/reports/:id',
    {
      config: { access: 'import:write' },
      schema: {
        tags: ['import/export'],
        summary: 'Download the per-row error report of a rejected import (CSV)',
        params: strictObject({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const [r] = await sql<{ errors: { row: number; column: string; code: string; reason: string }[] }[]>`
        select errors from import_reports where tenant_id = ${ctx.actor.tenantId} and id = ${(req.params as { id: string }).id}`;
      if (!r) throw AppError.notFound();
      reply.header('content-disposition', 'attachment; filename="import-errors.csv"');
      reply.type('text/csv; charset=utf-8');
      return reply.send(
        writeTable(
          'csv',
          [
            { key: 'row', header: ctx.locale === 'en' ? 'row' : '行号' },
            { key: 'column', header: ctx.locale === 'en' ? 'column' : '列' },
            { key: 'code', header: ctx.locale === 'en' ? 'code' : '错误代码' },
            { key: 'reason', header: ctx.locale === 'en' ? 'reason' : '原因' },
          ],
          r.errors,
        ),
      );
    },
  );

  api.get(
    '/exports/:entity',
    {
      config: { access: 'parties:export' },
      schema: {
        tags: ['import/export'],
        summary: 'Export as .xlsx or .csv (streamed; parties within your data scope)',
        params: strictObject({ entity: Entity }),
        querystring: strictObject({
          format: Type.Union([Type.Literal('xlsx'), Type.Literal('csv')], { default: 'xlsx' }),
          kind: Type.Optional(Type.Union(['brand', 'factory', 'warehouse', 'distributor', 'store'].map((k) => Type.Literal(k)))),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const { entity } = req.params as { entity: string };
      const { format, kind } = req.query as { format: 'xlsx' | 'csv'; kind?: string };
      if (entity === 'users' && ctx.actor.role !== 'brand_admin') throw AppError.forbidden();
      const spec = SPECS[entity] as ImportSpec<unknown>;
      const columns = exportColumns(spec);
      reply.header('content-disposition', `attachment; filename="${entity}.${format}"`);
      reply.type(format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8');
      return reply.send(writeTable(format, columns, exportRowsForTenant(sql, ctx.actor.tenantId, entity, kind, ctx.actor)));
    },
  );
}

/** Rows to export, streamed with a cursor; with an actor, parties are narrowed to its data scope. */
export async function* exportRowsForTenant(
  sql: Sql,
  t: number,
  entity: string,
  kind?: string,
  actor?: Actor,
): AsyncIterable<Record<string, string | number | null>> {
  const query =
    entity === 'products'
      ? sql`select p.sku, p.gtin, p.name_zh, p.name_en, p.category, p.spec, p.shelf_life_days,
          to_char(p.list_price_fen / 100.0, 'FM999999990.00') as list_price,
          c.gtin as case_gtin, c.quantity as case_quantity, pl.gtin as pallet_gtin, pl.quantity as pallet_quantity
        from products p
        left join packaging_levels c on c.tenant_id = p.tenant_id and c.product_id = p.id and c.level = 'case'
        left join packaging_levels pl on pl.tenant_id = p.tenant_id and pl.product_id = p.id and pl.level = 'pallet'
        where p.tenant_id = ${t} order by p.sku`
      : entity === 'parties'
        ? sql`select p.code, p.name, p.kind, p.gln, p.tier, pp.code as parent_code, p.province_code, p.city_code,
            p.district_code, p.address, p.lat, p.lng, p.contact_name, p.phone,
            (select string_agg(division_code, ';' order by division_code) from party_territories pt
              where pt.tenant_id = p.tenant_id and pt.party_id = p.id) as territories
          from parties p left join parties pp on pp.tenant_id = p.tenant_id and pp.id = p.parent_id
          where ${actor ? partyScope(sql, actor) : sql`p.tenant_id = ${t}`} ${kind ? sql`and p.kind = ${kind}` : sql``}
          order by array_length(p.ancestors, 1) nulls first, p.code`
        : sql`select u.username, u.display_name, u.role, p.code as party_code, u.locale,
            (select string_agg(division_code, ';') from user_territories ut where ut.tenant_id = u.tenant_id and ut.user_id = u.id) as territories
          from users u left join parties p on p.tenant_id = u.tenant_id and p.id = u.party_id
          where u.tenant_id = ${t} order by u.id`;
  for await (const batch of query.cursor(2000)) {
    for (const r of batch) yield r as Record<string, string | number | null>;
  }
}
