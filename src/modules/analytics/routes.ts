/**
 * /api/v1/analytics: the channel dashboards. Every endpoint takes the same filters (from, to, region, gtin,
 * category, party), reads pre-aggregated facts inside the viewer's data scope, and answers JSON or, with
 * ?format=xlsx, an Excel file of its table.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { type Locale, partyKindWord } from '../../http/messages.ts';
import { AppError } from '../../http/problem.ts';
import { strictObject } from '../../http/schemas.ts';
import { type TableColumn, type WriteValue, writeTable, XLSX_TYPE } from '../../platform/tabular/index.ts';
import { divisionName } from '../parties/index.ts';
import { flows, launch, scorecards, storeRankings } from './channel-reports.ts';
import { overview, regionMap, stockByLevel } from './dashboards.ts';
import { freshness } from './projector.ts';
import { checkFilters, type FilterInput, viewOf } from './view.ts';

const Day = Type.String({ format: 'date', maxLength: 10 });
const Filters = {
  from: Day,
  to: Day,
  region: Type.Optional(Type.String({ pattern: '^([0-9]{2}|[0-9]{4}|[0-9]{6})$', maxLength: 6 })),
  gtin: Type.Optional(Type.String({ pattern: '^[0-9]{14}$', maxLength: 14 })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  party: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
};
const Query = strictObject(Filters);
const RankingQuery = strictObject({ ...Filters, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) });
type Q = Static<typeof Query>;

type Row = Record<string, WriteValue>;
interface Table {
  name: string;
  columns: [key: string, zh: string, en: string][];
  rows: Row[];
}

/** Money is kept in fen (`...Fen` keys); a spreadsheet shows it in yuan, as every page of the console does. */
const inYuan = (key: string) => key.endsWith('Fen');

function sendXlsx(reply: FastifyReply, locale: Locale, t: Table) {
  const columns: TableColumn[] = t.columns.map(([key, zh, en]) => ({ key, header: locale === 'en' ? en : zh }));
  const money = t.columns.map(([key]) => key).filter(inYuan);
  const rows = money.length
    ? t.rows.map((r) => {
        const out = { ...r };
        for (const k of money) if (r[k] != null && r[k] !== '') out[k] = Number(r[k]) / 100;
        return out;
      })
    : t.rows;
  reply.header('content-disposition', `attachment; filename="analytics-${t.name}.xlsx"`);
  reply.type(XLSX_TYPE);
  return reply.send(writeTable('xlsx', columns, rows));
}

/** The words of a region level, in the spreadsheet's language (the console shows them translated too). */
const REGION_LEVEL_WORDS: Record<string, [zh: string, en: string]> = {
  province: ['省份', 'Province'],
  city: ['城市', 'City'],
};
/** A region level or a party kind (the messages' words for kinds), as a spreadsheet cell: capitalised in English. */
const levelWord = (level: string | null | undefined, locale: Locale) => {
  if (!level) return '';
  const region = REGION_LEVEL_WORDS[level];
  if (region) return locale === 'en' ? region[1] : region[0];
  const kind = partyKindWord(level, locale);
  return kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : level;
};

const FIGURE_COLUMNS: [string, string, string][] = [
  // what was ordered, as the console's column says (sell-in units are what was shipped)
  ['sellInFen', '订货金额（元）', 'Sell-in ordered (yuan)'],
  ['sellInUnits', '进货发运（件）', 'Sell-in shipped (units)'],
  ['sellInReceived', '进货签收（件）', 'Sell-in received (units)'],
  ['sellThroughUnits', '分销出库（件）', 'Sell-through (units)'],
  ['sellThroughReceived', '门店签收（件）', 'Received by stores (units)'],
  ['sellOutUnits', '动销（件）', 'Sell-out (units)'],
  ['consumerScans', '消费者扫码', 'Consumer scans'],
];

export async function analyticsRoutes(api: FastifyInstance, sql: Sql) {
  const tags = ['analytics'];
  /** Checks the filters, resolves the viewer's view, runs `run`, and answers JSON or the xlsx of `table`. */
  function dashboard<R extends object, S extends TSchema>(
    path: string,
    summary: string,
    querystring: S,
    run: (
      f: Awaited<ReturnType<typeof checkFilters>>,
      view: Awaited<ReturnType<typeof viewOf>>,
      q: Q & { limit?: number },
      ctx: RequestContext,
    ) => Promise<R>,
    table: (r: R, locale: Locale) => Table,
  ) {
    api.get(`/analytics/${path}`, { config: { access: 'analytics:read' }, schema: { tags, summary, querystring } }, async (req, reply) => {
      const q = req.query as Q & { limit?: number };
      const ctx = ctxOf(req, sql);
      const f = await checkFilters(sql, ctx.actor.tenantId, q as FilterInput);
      const view = await viewOf(sql, ctx, f, q.party);
      const result = await run(f, view, q, ctx);
      if (q.format === 'xlsx') return sendXlsx(reply, ctx.locale, table(result, ctx.locale));
      return {
        filters: { from: f.from, to: f.to, region: f.region?.code ?? null, gtin: f.gtin, category: f.category, party: f.party },
        ...result,
      };
    });
  }

  dashboard(
    'overview',
    'Sell-in, sell-through and sell-out: daily series, totals and the next level down (provinces, cities, parties)',
    Query,
    (f, view, _q, ctx) => overview(sql, f, view, ctx.locale),
    (r, locale) => ({
      name: 'overview',
      columns: [['level', '层级', 'Level'], ['code', '编码', 'Code'], ['name', '名称', 'Name'], ...FIGURE_COLUMNS],
      // a party row says what the party is (distributor, store...), a region row its level
      rows: r.breakdown.map((b) => ({ ...b, level: levelWord(b.level === 'party' ? b.kind : b.level, locale) }) as unknown as Row),
    }),
  );
  dashboard(
    'stock',
    'Stock on hand and in transit, daily outflow and days of supply at each level of the channel, and per region',
    Query,
    (f, view, _q, ctx) => stockByLevel(sql, f, view, ctx.locale),
    (r, locale) => ({
      name: 'stock',
      columns: [
        ['level', '层级', 'Level'],
        ['onHand', '在库（件）', 'On hand (units)'],
        ['inTransit', '在途（件）', 'In transit (units)'],
        // the stock is now's, the outflow the 28 days up to today: days of supply divides the one by the other
        ['dailyOut', '近28天日均出库（件，截至今天）', 'Daily out, 28 days to today (units)'],
        ['daysOfSupply', '可供天数（当前在库÷日均出库）', 'Days of supply (on hand now ÷ daily out)'],
      ],
      // daily out to one decimal, as the console shows it
      rows: r.levels.map((l) => ({ ...l, level: levelWord(l.level, locale), dailyOut: Math.round(l.dailyOut * 10) / 10 })),
    }),
  );
  dashboard(
    'map',
    'Per province (or per city of a province): sell-in, sell-out, consumer scans, stock and diversion alerts',
    Query,
    (f, view, _q, ctx) => regionMap(sql, f, view, ctx.locale),
    (r) => ({
      name: 'map',
      columns: [
        ['code', '区划代码', 'Division code'],
        ['name', '区域', 'Region'],
        ['sellInUnits', '进货（件）', 'Sell-in (units)'],
        ['sellOutUnits', '动销（件）', 'Sell-out (units)'],
        ['consumerScans', '消费者扫码', 'Consumer scans'],
        ['onHand', '库存（件）', 'Stock (units)'],
        ['diversionAlerts', '窜货预警', 'Diversion alerts'],
      ],
      rows: r.rows.map((x) => ({ ...x })),
    }),
  );
  dashboard(
    'flows',
    'The flow of goods by order: factories and warehouses to distributors, distributors to the provinces they serve (months)',
    Query,
    (f, view, _q, ctx) => flows(sql, f, view, ctx.locale),
    (r) => {
      const name = new Map(r.nodes.map((x) => [x.id, x.name]));
      return {
        name: 'flows',
        columns: [
          ['from', '来源', 'From'],
          ['to', '去向', 'To'],
          ['shippedUnits', '发运（件）', 'Shipped (units)'],
          ['receivedUnits', '签收（件）', 'Received (units)'],
          ['orderedUnits', '订货（件）', 'Ordered (units)'],
          ['orderedFen', '订货金额（元）', 'Ordered (yuan)'],
        ],
        rows: r.links.map((l) => ({ ...l, from: name.get(l.source), to: name.get(l.target) })),
      };
    },
  );
  dashboard(
    'scorecards',
    'Distributor scorecards: scan compliance, diversion alerts, order-to-receipt time, sell-in and rebates',
    Query,
    (f, view) => scorecards(sql, f, view),
    (r) => ({
      name: 'scorecards',
      columns: [
        ['code', '编码', 'Code'],
        ['name', '经销商', 'Distributor'],
        ['shippedUnits', '出库（件）', 'Shipped (units)'],
        ['receivedDownstream', '下游签收（件）', 'Received downstream (units)'],
        ['scanCompliance', '扫码合规率', 'Scan compliance'],
        ['diversionAlerts', '窜货预警', 'Diversion alerts'],
        ['ordersReceived', '签收订单', 'Orders received'],
        ['avgOrderToReceiptHours', '订单到签收（小时）', 'Order to receipt (hours)'],
        ['sellInFen', '订货金额（元）', 'Sell-in ordered (yuan)'],
        ['rebatesFen', '返利（元）', 'Rebates (yuan)'],
      ],
      rows: r.items.map((x) => ({ ...x })),
    }),
  );
  dashboard(
    'store-rankings',
    'Stores ranked by units sold (sell-scans), with consumer scans and units received',
    RankingQuery,
    (f, view, q) => storeRankings(sql, f, view, q.limit ?? 50),
    (r, locale) => ({
      name: 'store-rankings',
      columns: [
        ['rank', '排名', 'Rank'],
        ['code', '编码', 'Code'],
        ['name', '门店', 'Store'],
        ['city', '城市', 'City'],
        ['sellOutUnits', '动销（件）', 'Sell-out (units)'],
        ['consumerScans', '消费者扫码', 'Consumer scans'],
        ['receivedUnits', '签收（件）', 'Received (units)'],
      ],
      // the city by name (its division code alone told a reader nothing)
      rows: r.items.map((x) => ({ ...x, city: divisionName(x.cityCode, locale) ?? x.cityCode })),
    }),
  );

  // a launch compares pilot stores (the region or party named) with the other stores in the viewer's scope
  dashboard(
    'launches',
    'A new product: sell-through velocity (units per carrying store per day) in pilot stores against comparable stores',
    Query,
    async (f, view, q, ctx) => {
      if (!f.gtin) throw AppError.field('/query/gtin', 'analytics.launch_needs_sku');
      if (!f.region && q.party == null) throw AppError.field('/query/region', 'analytics.launch_needs_pilot');
      const scopeView = await viewOf(sql, ctx, { ...f, region: null, party: null }, undefined);
      const pilotIds = f.party && view.mode === 'parties' ? view.ids : null;
      const pilot = pilotIds
        ? sql`t.party_id = any(${pilotIds}::bigint[])`
        : f.region?.level === 1
          ? sql`t.province_code = ${f.region.code}`
          : f.region?.level === 2
            ? sql`t.city_code = ${f.region.code}`
            : sql`t.party_id in (select id from parties where tenant_id = ${f.tenantId} and district_code = ${f.region?.code ?? ''})`;
      return launch(sql, { ...f, gtin: f.gtin }, scopeView, pilot);
    },
    (r) => ({
      name: 'launches',
      columns: [
        ['day', '日期', 'Day'],
        ['pilot', '试点门店（件/店）', 'Pilot stores (units per store)'],
        ['comparable', '对照门店（件/店）', 'Comparable stores (units per store)'],
      ],
      rows: r.series.map((x) => ({ ...x })),
    }),
  );

  api.get(
    '/analytics/freshness',
    {
      config: { access: 'analytics:read' },
      schema: { tags, summary: 'How far the facts are behind their sources: changes waiting for the projector and the oldest one’s age' },
    },
    async () => freshness(sql),
  );
}
