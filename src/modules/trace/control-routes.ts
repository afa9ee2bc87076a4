/** Recall of a lot and diversion (窜货) control: the quality and sales-ops side of the ledger. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { Id, IdParams, strictObject } from '../../http/schemas.ts';
import { writeTable, XLSX_TYPE } from '../../platform/tabular/index.ts';
import { regionName } from '../parties/index.ts';
import { type AlertFilter, alertFilter, alertNamesColumns, alertNamesJoin, alertScope, alertView } from './diversion-alerts.ts';
import { listAlertGroups } from './diversion-groups.ts';
import { MAX_BULK_REVIEW, type ReviewDecision, reviewAlert, reviewAlerts } from './diversion-review.ts';
import { inspect } from './inspections.ts';
import { openRecall, recallCodes, recallReport } from './recall.ts';

/** The scans that raise a diversion alert (diversion_alerts.scan_kind). */
const ALERT_SCAN_KINDS = ['receive', 'sell', 'consumer', 'inspection', 'monthly_cap'] as const;
/** A filter of a group's key: one value, or empty for the alerts that have none (diversion-alerts.ts AlertFilter). */
const KeyValue = (pattern: string, description: string) => Type.Optional(Type.String({ pattern: `^(${pattern})?$`, description }));

const AlertQuery = {
  distributorId: Type.Optional(Id()),
  provinceCode: Type.Optional(Type.String({ pattern: '^\\d{2}$' })),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('confirmed'), Type.Literal('dismissed')])),
  gtin: KeyValue('\\d{14}', 'GTIN-14 of the scanned unit or case; empty: alerts without one'),
  lot: Type.Optional(Type.String({ maxLength: 40, description: 'lot, exactly; empty: alerts without one' })),
  scanKind: Type.Optional(Type.Union(ALERT_SCAN_KINDS.map((k) => Type.Literal(k)))),
  actualDivision: KeyValue('\\d{2}(\\d{2}){0,2}', 'the division where the unit turned up, exactly; empty: alerts without one'),
  scannedById: KeyValue('[1-9]\\d{0,14}', 'id of the party whose scan raised the alert; empty: alerts no party scanned (a consumer)'),
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};
const Decision = Type.Union([Type.Literal('confirmed'), Type.Literal('dismissed')]);
const ReviewNote = Type.Optional(Type.String({ maxLength: 500 }));

const LotQuery = strictObject({ gtin: Type.String({ minLength: 8, maxLength: 14 }), lot: Type.String({ minLength: 1, maxLength: 40 }) });

export async function traceControlRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/recalls/lot',
    { config: { access: 'recall:read' }, schema: { tags: ['trace'], summary: 'Where every unit of a lot is now', querystring: LotQuery } },
    async (req) => {
      const q = req.query as { gtin: string; lot: string };
      return recallReport(ctxOf(req, sql), q.gtin, q.lot);
    },
  );

  api.get(
    '/recalls/lot/export',
    {
      config: { access: 'recall:read' },
      schema: { tags: ['trace'], summary: 'The holders of a lot as an Excel file', querystring: LotQuery },
    },
    async (req, reply) => {
      const q = req.query as { gtin: string; lot: string };
      const report = await recallReport(ctxOf(req, sql), q.gtin, q.lot);
      reply.header('content-disposition', `attachment; filename="recall-${report.gtin}-${encodeURIComponent(report.lot)}.xlsx"`);
      reply.type(XLSX_TYPE);
      return reply.send(
        writeTable(
          'xlsx',
          [
            { key: 'party_code', header: '持有方编码 holder code' },
            { key: 'party_name', header: '持有方 holder' },
            { key: 'kind', header: '类型 kind' },
            { key: 'province', header: '省 province' },
            { key: 'city', header: '市 city' },
            { key: 'status', header: '状态 status' },
            { key: 'units', header: '数量 units' },
          ],
          report.byHolder.map((h) => ({
            party_code: h.partyCode,
            party_name: h.partyName,
            kind: h.kind,
            province: h.provinceName,
            city: h.cityName,
            status: h.status,
            units: h.units,
          })),
        ),
      );
    },
  );

  api.get(
    '/recalls/lot/codes',
    {
      config: { access: 'recall:read' },
      schema: {
        tags: ['trace'],
        summary: 'Every unit, case and pallet of a lot with where it is now (CSV by default: a lot can be a million codes)',
        querystring: strictObject({
          ...LotQuery.properties,
          format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')])),
        }),
      },
    },
    async (req, reply) => {
      const q = req.query as { gtin: string; lot: string; format?: 'csv' | 'xlsx' };
      const format = q.format ?? 'csv';
      const rows = recallCodes(ctxOf(req, sql), q.gtin, q.lot);
      reply.header('content-disposition', `attachment; filename="recall-codes-${q.gtin}-${encodeURIComponent(q.lot)}.${format}"`);
      reply.type(format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8');
      return reply.send(
        writeTable(
          format,
          [
            { key: 'code', header: '码 code' },
            { key: 'level', header: '层级 level' },
            { key: 'status', header: '状态 status' },
            { key: 'container', header: '所在箱/托 container' },
            { key: 'holder_code', header: '持有方编码 holder code' },
            { key: 'holder_name', header: '持有方 holder' },
            { key: 'province', header: '省 province' },
            { key: 'city', header: '市 city' },
            { key: 'since', header: '自 since' },
          ],
          rows,
        ),
      );
    },
  );

  api.post(
    '/recalls',
    {
      config: { access: 'recall:write' },
      schema: {
        tags: ['trace'],
        summary: 'Recall a lot: later scans of its codes warn',
        body: strictObject({
          gtin: Type.String(),
          lot: Type.String({ minLength: 1, maxLength: 40 }),
          reason: Type.String({ minLength: 2, maxLength: 500 }),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body as { gtin: string; lot: string; reason: string };
      const r = await openRecall(ctxOf(req, sql), b.gtin, b.lot, b.reason);
      return reply.status(r.created ? 201 : 200).send(r);
    },
  );

  api.get(
    '/diversion/alerts',
    {
      config: { access: 'diversion:read' },
      schema: {
        tags: ['trace'],
        summary: 'Diversion alerts within your data scope',
        querystring: strictObject(AlertQuery),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const q = req.query as AlertFilter & { page: number; pageSize: number };
      // an alert is visible to whoever sees the distributor it concerns
      const where = alertFilter(sql, ctx.actor, q);
      const [rows, [count]] = await Promise.all([
        sql<Record<string, unknown>[]>`
          select a.*, ${alertNamesColumns(sql)} from diversion_alerts a ${alertNamesJoin(sql)}
          where ${where} order by a.created_at desc, a.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
        sql<{ n: number }[]>`select count(*)::int as n from diversion_alerts a where ${where}`,
      ]);
      return { total: count?.n ?? 0, page: q.page, pageSize: q.pageSize, items: rows.map((a) => alertView(a, ctx.locale)) };
    },
  );

  api.get(
    '/diversion/alerts/groups',
    {
      config: { access: 'diversion:read' },
      schema: {
        tags: ['trace'],
        summary:
          'Diversion alerts grouped by distributor, product, lot, scan and place (a diverted case is one group), with counts and the ids of the open ones',
        querystring: strictObject(AlertQuery),
      },
    },
    async (req) => listAlertGroups(ctxOf(req, sql), req.query as AlertFilter & { page: number; pageSize: number }),
  );

  api.post(
    '/diversion/alerts/review',
    {
      config: { access: 'diversion:write' },
      schema: {
        tags: ['trace'],
        summary:
          'Confirm or dismiss many diversion alerts with one note, all or none (each audited); alerts that already have the decision are left as they were, so a repeat changes nothing',
        body: strictObject({
          ids: Type.Array(Id(), { minItems: 1, maxItems: MAX_BULK_REVIEW, uniqueItems: true }),
          decision: Decision,
          note: ReviewNote,
        }),
      },
    },
    async (req) => {
      const b = req.body as { ids: number[]; decision: ReviewDecision; note?: string };
      return reviewAlerts(ctxOf(req, sql), b.ids, b.decision, b.note);
    },
  );

  api.post(
    '/diversion/alerts/:id/review',
    {
      config: { access: 'diversion:write' },
      schema: {
        tags: ['trace'],
        summary: 'Confirm or dismiss a diversion alert, with a note (audited); the same decision again changes nothing',
        params: IdParams,
        body: strictObject({ decision: Decision, note: ReviewNote }),
      },
    },
    async (req) => {
      const b = req.body as { decision: ReviewDecision; note?: string };
      const { alert } = await reviewAlert(ctxOf(req, sql), (req.params as { id: number }).id, b.decision, b.note);
      return alert;
    },
  );

  api.post(
    '/inspections',
    {
      config: { access: 'inspection:write' },
      schema: {
        tags: ['trace'],
        summary: 'A unit found in the market: its path, distributor, authorised territory, and a diversion alert if it is out of place',
        body: strictObject({
          code: Type.String({ minLength: 1, maxLength: 500 }),
          divisionCode: Type.String({ pattern: '^\\d{2}(\\d{2}){0,2}$' }),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
    },
    async (req) => inspect(ctxOf(req, sql), req.body as { code: string; divisionCode: string; note?: string }),
  );

  api.get(
    '/diversion/heatmap',
    {
      config: { access: 'diversion:read' },
      schema: { tags: ['trace'], summary: 'Where diverted goods turn up and where they were meant to be sold (dismissed alerts left out)' },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const scoped = alertScope(sql, ctx.actor);
      const [found, from] = await Promise.all([
        sql<{ code: string; n: number }[]>`select left(a.actual_division, 2) as code, count(*)::int as n from diversion_alerts a
          where ${scoped} and a.status <> 'dismissed' and a.actual_division is not null group by 1 order by 2 desc`,
        sql<{ code: string; n: number }[]>`select d.province_code as code, count(*)::int as n from diversion_alerts a
          join parties d on d.tenant_id = a.tenant_id and d.id = a.distributor_id
          where ${scoped} and a.status <> 'dismissed' group by 1 order by 2 desc`,
      ]);
      const named = (rows: { code: string; n: number }[]) =>
        rows.map((r) => ({ code: r.code, name: regionName(r.code, ctx.locale), alerts: r.n }));
      return { foundIn: named(found), shippedFrom: named(from) };
    },
  );

  api.get(
    '/diversion/rules',
    { config: { access: 'diversion:read' }, schema: { tags: ['trace'], summary: 'Diversion rules of the brand' } },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const [r] = await sql<{ level: number; exempt_party_ids: number[]; monthly_city_cap_units: number | null }[]>`
        select level, exempt_party_ids, monthly_city_cap_units from diversion_rules where tenant_id = ${ctx.actor.tenantId}`;
      return {
        level: r?.level ?? 4,
        exemptPartyIds: (r?.exempt_party_ids ?? []).map(Number),
        monthlyCityCapUnits: r?.monthly_city_cap_units == null ? null : Number(r.monthly_city_cap_units),
      };
    },
  );

  api.put(
    '/diversion/rules',
    {
      config: { access: 'diversion:write' },
      schema: {
        tags: ['trace'],
        body: strictObject({
          level: Type.Union([Type.Literal(2), Type.Literal(4)]),
          exemptPartyIds: Type.Array(Id(), { maxItems: 1000 }),
          monthlyCityCapUnits: Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), Type.Null()]),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const b = req.body as { level: number; exemptPartyIds: number[]; monthlyCityCapUnits: number | null };
      await sql`insert into diversion_rules (tenant_id, level, exempt_party_ids, monthly_city_cap_units, updated_at)
        values (${ctx.actor.tenantId}, ${b.level}, ${b.exemptPartyIds}::bigint[], ${b.monthlyCityCapUnits}, now())
        on conflict (tenant_id) do update set level = excluded.level, exempt_party_ids = excluded.exempt_party_ids,
          monthly_city_cap_units = excluded.monthly_city_cap_units, updated_at = now()`;
      return b;
    },
  );
}
