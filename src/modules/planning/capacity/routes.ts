/**
 * /api/v1/planning: production capacity (edit as JSON, import from .xlsx/.csv), the demand plan by SKU and week,
 * and the report of demand against capacity by factory and week (JSON or .xlsx).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { AppError, type FieldError } from '../../../http/problem.ts';
import { strictObject } from '../../../http/schemas.ts';
import { readTable, TabularError, writeTable, XLSX_TYPE } from '../../../platform/tabular/index.ts';
import { demandByWeek } from './demand.ts';
import { capacityReport } from './report.ts';
import { type CapacityInput, capacityIn, planDemandLines, setCapacity } from './store.ts';
import { dayNumber, isPlanningDay, weekLabel, weeksBetween } from './weeks.ts';

const Day = Type.String({ format: 'date', maxLength: 10 });
const MAX_WEEKS = 104;
const Range = strictObject({ from: Day, to: Day, factory: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) });
const ReportQuery = strictObject({
  from: Day,
  to: Day,
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
  onlyShort: Type.Optional(Type.Boolean()),
});
const CapacityBody = strictObject({
  rows: Type.Array(
    strictObject({
      factory: Type.String({ minLength: 1, maxLength: 64 }),
      week: Day,
      sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      capacity: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 }),
    }),
    { minItems: 1, maxItems: 5000 },
  ),
});

function checkRange(from: string, to: string): void {
  if (!isPlanningDay(from)) throw AppError.field('/query/from', 'capacity.range', { reason: 'not a day between 2000 and 2100' });
  if (!isPlanningDay(to)) throw AppError.field('/query/to', 'capacity.range', { reason: 'not a day between 2000 and 2100' });
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (b < a) throw AppError.field('/query/to', 'capacity.range', { reason: 'before from' });
  if (b - a > MAX_WEEKS * 7) throw AppError.field('/query/to', 'capacity.range', { reason: `more than ${MAX_WEEKS} weeks` });
}

export async function capacityRoutes(api: FastifyInstance, sql: Sql) {
  api.put(
    '/planning/capacity',
    {
      config: { access: 'capacity:write' },
      schema: {
        tags: ['planning'],
        summary:
          'Set what factories can make per week (week given by its Monday), of a SKU or a product line (category); all rows or none; audited',
        body: CapacityBody,
      },
    },
    async (req) => {
      const { rows } = req.body as Static<typeof CapacityBody>;
      return setCapacity(ctxOf(req, sql), rows, (i) => `/body/rows/${i}`, 'api');
    },
  );

  api.post(
    '/planning/capacity/import',
    {
      config: { access: 'capacity:write' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['planning'],
        summary:
          'Import capacity from .xlsx or .csv (raw body; columns factory/工厂, week/周, sku or category/产品线, capacity/产能); bad rows refuse it with their row numbers',
        querystring: strictObject({ format: Type.Optional(Type.Union([Type.Literal('xlsx'), Type.Literal('csv')])) }),
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'request.unsupported_media_type');
      const q = req.query as { format?: 'xlsx' | 'csv' };
      const format = q.format ?? ((req.headers['content-type'] ?? '').startsWith('text/csv') ? 'csv' : 'xlsx');
      const rows: CapacityInput[] = [];
      const fileRows: number[] = [];
      const errors: FieldError[] = [];
      const cell = (v: Record<string, string>, ...names: string[]) => {
        for (const [k, value] of Object.entries(v)) if (names.includes(k.trim().toLowerCase())) return value.trim();
        return undefined;
      };
      let headerChecked = false;
      try {
        for await (const r of readTable(req.body, format, { maxRows: 20_000 })) {
          if (!headerChecked) {
            headerChecked = true;
            for (const [col, names] of [
              ['factory', ['factory', '工厂']],
              ['week', ['week', '周']],
              ['capacity', ['capacity', '产能']],
            ] as const)
              if (cell(r.values, ...names) === undefined)
                errors.push({ pointer: `/file/columns/${col}`, code: 'capacity.import_header', params: { value: col } });
            if (errors.length) break;
          }
          const capText = cell(r.values, 'capacity', '产能') ?? '';
          if (!/^[0-9]{1,13}$/.test(capText))
            errors.push({
              pointer: `/file/rows/${r.row}/capacity`,
              code: 'field.invalid',
              params: { field: 'capacity', reason: 'a whole number of units, 0 or more' },
            });
          rows.push({
            factory: cell(r.values, 'factory', '工厂') ?? '',
            week: cell(r.values, 'week', '周') ?? '',
            sku: cell(r.values, 'sku') || undefined,
            category: cell(r.values, 'category', '产品线') || undefined,
            capacity: Number(capText),
          });
          fileRows.push(r.row);
        }
      } catch (e) {
        if (e instanceof TabularError)
          throw new AppError(400, 'import.bad_file', { reason: e.message }, [
            { pointer: '/file', code: 'import.bad_file', params: { reason: e.message } },
          ]);
        throw e;
      }
      if (!rows.length && !errors.length) errors.push({ pointer: '/file', code: 'capacity.import_empty', params: {} });
      if (errors.length) throw AppError.invalid(errors);
      return setCapacity(ctxOf(req, sql), rows, (i) => `/file/rows/${fileRows[i]}`, 'import');
    },
  );

  api.get(
    '/planning/capacity',
    {
      config: { access: 'capacity:read' },
      schema: { tags: ['planning'], summary: 'Capacity rows in a range of weeks (optionally of one factory)', querystring: Range },
    },
    async (req) => {
      const q = req.query as Static<typeof Range>;
      checkRange(q.from, q.to);
      return { items: await capacityIn(ctxOf(req, sql), q.from, q.to, q.factory) };
    },
  );

  api.get(
    '/planning/demand-plan',
    {
      config: { access: 'capacity:read' },
      schema: {
        tags: ['planning'],
        summary:
          "Demand by SKU and week from each distributor's latest plan: its quantities (agreed once accepted, else suggested) in the plan's first week, and forecast demand after the first review period",
        querystring: strictObject({ from: Day, to: Day }),
      },
    },
    async (req) => {
      const q = req.query as { from: string; to: string };
      checkRange(q.from, q.to);
      const ctx = ctxOf(req, sql);
      return { weeks: weeksBetween(q.from, q.to), items: demandByWeek(await planDemandLines(ctx, q.from, q.to), q.from, q.to) };
    },
  );

  api.get(
    '/planning/capacity/report',
    {
      config: { access: 'capacity:read' },
      schema: {
        tags: ['planning'],
        summary:
          'Demand against capacity by factory and week (capacity, demand, gap, shortfall = max(0, demand − capacity)); demand no factory makes is shown without one; format=xlsx for Excel',
        querystring: ReportQuery,
      },
    },
    async (req, reply) => {
      const q = req.query as Static<typeof ReportQuery>;
      checkRange(q.from, q.to);
      const ctx = ctxOf(req, sql);
      const [capacity, lines] = await Promise.all([capacityIn(ctx, q.from, q.to), planDemandLines(ctx, q.from, q.to)]);
      let rows = capacityReport(capacity, demandByWeek(lines, q.from, q.to));
      if (q.onlyShort) rows = rows.filter((r) => r.shortfall > 0);
      if (q.format !== 'xlsx') {
        const weeks = weeksBetween(q.from, q.to);
        const totals = weeks.map((week) => {
          const w = rows.filter((r) => r.week === week);
          return {
            week,
            capacity: w.reduce((a, r) => a + r.capacity, 0),
            demand: Math.round(w.reduce((a, r) => a + r.demand, 0) * 100) / 100,
            shortfall: Math.round(w.reduce((a, r) => a + r.shortfall, 0) * 100) / 100,
          };
        });
        return { weeks, totals, items: rows };
      }
      reply.header('content-disposition', `attachment; filename="capacity-${q.from}-${q.to}.xlsx"`);
      reply.type(XLSX_TYPE);
      return reply.send(
        writeTable(
          'xlsx',
          [
            { key: 'week', header: '周 week' },
            { key: 'factory', header: '工厂 factory' },
            { key: 'factoryName', header: '工厂名称 factory name' },
            { key: 'itemKind', header: '类型 kind' },
            { key: 'item', header: 'SKU / 产品线 line' },
            { key: 'capacity', header: '产能 capacity' },
            { key: 'demand', header: '需求 demand' },
            { key: 'gap', header: '差额 gap' },
            { key: 'shortfall', header: '缺口 shortfall' },
            { key: 'skus', header: 'SKUs' },
          ],
          rows.map((r) => ({
            ...r,
            // named as the page names it (2026年第49周, 2026-W49), in the caller's language
            week: weekLabel(r.week, ctx.locale),
            factory: r.factory ?? '',
            factoryName: r.factoryName ?? '',
            skus: r.skus.join(' '),
          })),
        ),
      );
    },
  );
}
