/**
 * Segments (客户分层) for staff: RFM of the stores in the caller's scope from their orders, and of the brand's
 * consumers from their scans; each as a report (segment sizes, the R x F grid, a page of members) and as an Excel file.
 * Store segments are computed in the request (a brand's stores, from their orders); consumer segments, over a
 * population that runs to millions, are read from the snapshot a refresh job keeps (consumer-segments.ts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { AppError } from '../../../http/problem.ts';
import { strictObject } from '../../../http/schemas.ts';
import type { JobRegistry } from '../../../platform/jobs/index.ts';
import { DEFAULT_MAX_ROWS, writeTable, XLSX_TYPE } from '../../../platform/tabular/index.ts';
import { consumerSegmentMembers, consumerSegmentsView } from './consumer-snapshot.ts';
import { scoreMembersOffThread } from './score-thread.ts';
import { reportFromColumns, type ScoredMember } from './segment-report.ts';
import { SEGMENT_NAMES, SEGMENTS, type Segment } from './segments.ts';
import { startConsumerSegmentsRefresh } from './segments-job.ts';
import { storeMembers, storeSegments } from './store-segments.ts';

const segmentLabel = (s: Segment | null) => (s ? `${SEGMENT_NAMES[s]['zh-CN']} ${SEGMENT_NAMES[s].en}` : null);

/**
 * The cells of SCORE_COLUMNS for one row, built as a literal: copying the whole row with a spread and then overriding
 * its segment cost ~10 us a row on Node 20 (a second per 100,000 in an export; docs/BENCHMARKS.md, segments).
 */
const scoreCells = (r: Omit<ScoredMember, 'segment'> & { segment: Segment | null }) => ({
  recency: r.recency,
  frequency: r.frequency,
  monetary: r.monetary,
  rScore: r.rScore,
  fScore: r.fScore,
  mScore: r.mScore,
  segment: segmentLabel(r.segment),
  lastAt: r.lastAt,
});

const ReportQuery = strictObject({
  segment: Type.Optional(Type.Union(SEGMENTS.map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
});
type ReportQuery = { segment?: Segment; limit?: number; offset?: number };
const ExportQuery = strictObject({ format: Type.Optional(Type.Union([Type.Literal('xlsx'), Type.Literal('csv')])) });
const page = (q: ReportQuery) => ({ segment: q.segment, limit: q.limit ?? 100, offset: q.offset ?? 0 });

const SCORE_COLUMNS = [
  { key: 'recency', header: '最近购买(天) recency (days)' },
  { key: 'frequency', header: '频次 frequency' },
  { key: 'monetary', header: '金额 monetary' },
  { key: 'rScore', header: 'R' },
  { key: 'fScore', header: 'F' },
  { key: 'mScore', header: 'M' },
  { key: 'segment', header: '分层 segment' },
  { key: 'lastAt', header: '最后购买 last purchase' },
];

export async function segmentsRoutes(api: FastifyInstance, sql: Sql, registry: JobRegistry) {
  api.get(
    '/segments/stores',
    {
      config: { access: 'segments:read' },
      schema: {
        tags: ['consumers'],
        summary:
          'RFM segments of the stores in scope from their orders (recency in days to the snapshot, frequency = orders, ' +
          'monetary = order amount in fen): segment sizes, the R x F grid and a page of stores',
        querystring: ReportQuery,
      },
    },
    async (req) => {
      const members = await storeMembers(ctxOf(req, sql));
      const scored = await scoreMembersOffThread(members);
      return { subject: 'stores', monetaryUnit: 'fen', ...reportFromColumns(members, scored, page(req.query as ReportQuery)) };
    },
  );

  api.get(
    '/segments/stores/export',
    {
      config: { access: 'segments:read' },
      schema: { tags: ['consumers'], summary: 'The RFM of every store in scope as an Excel file' },
    },
    async (req, reply) => {
      const scored = await storeSegments(ctxOf(req, sql));
      reply.header('content-disposition', 'attachment; filename="store-segments.xlsx"');
      reply.type(XLSX_TYPE);
      return reply.send(
        writeTable(
          'xlsx',
          [
            { key: 'code', header: '门店编码 store code' },
            { key: 'name', header: '门店 store' },
            ...SCORE_COLUMNS.map((c) => (c.key === 'monetary' ? { ...c, header: '金额(分) monetary (fen)' } : c)),
          ],
          scored.rows.map((r) => Object.assign({ code: r.code, name: r.name }, scoreCells(r))),
        ),
      );
    },
  );

  api.get(
    '/segments/consumers',
    {
      config: { access: 'consumer_segments:read' },
      schema: {
        tags: ['consumers'],
        summary:
          'RFM segments of the brand’s consumers from their scans (recency in days to the snapshot, frequency = days ' +
          'with a scan, monetary = scanned units at the base list price in fen, or units when a product has no price), ' +
          'as of the latest refresh (`computedAt`; null before the first), with the state of the latest refresh',
        querystring: ReportQuery,
      },
    },
    async (req) => ({ subject: 'consumers', ...(await consumerSegmentsView(ctxOf(req, sql), page(req.query as ReportQuery))) }),
  );

  api.post(
    '/segments/consumers/refresh',
    {
      config: { access: 'consumer_segments:read' },
      schema: {
        tags: ['consumers'],
        summary:
          'Recompute the consumer segments from every scan so far, as a job (202 with the job); while one is queued or ' +
          'running, that one is returned (200). The page keeps showing the previous snapshot until the job ends.',
      },
    },
    async (req, reply) => {
      const { job, started } = await startConsumerSegmentsRefresh(ctxOf(req, sql), registry);
      return reply
        .status(started ? 202 : 200)
        .header('location', `/api/v1/jobs/${job.id}`)
        .send(job);
    },
  );

  api.get(
    '/segments/consumers/export',
    {
      config: { access: 'consumer_segments:read' },
      schema: {
        tags: ['consumers'],
        summary:
          'The RFM of every consumer as an Excel file (or CSV: `format=csv`, which has no limit of rows), as of the latest ' +
          'refresh (409 before the first)',
        querystring: ExportQuery,
      },
    },
    async (req, reply) => {
      const format = (req.query as { format?: 'xlsx' | 'csv' }).format ?? 'xlsx';
      const scored = await consumerSegmentMembers(ctxOf(req, sql));
      if (!scored) throw new AppError(409, 'segments.not_computed');
      // a sheet holds 1,048,576 rows, the header's among them: a larger population goes to CSV
      if (format === 'xlsx' && scored.population >= DEFAULT_MAX_ROWS)
        throw AppError.field('/query/format', 'segments.too_many_rows_for_xlsx', {
          population: scored.population,
          max: DEFAULT_MAX_ROWS - 1,
        });
      reply.header('content-disposition', `attachment; filename="consumer-segments.${format}"`);
      reply.type(format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8');
      const cells = async function* () {
        for await (const r of scored.rows) yield Object.assign({ key: r.key, units: r.units }, scoreCells(r));
      };
      return reply.send(
        writeTable(
          format,
          [
            { key: 'key', header: '消费者 consumer' },
            { key: 'units', header: '扫码件数 units scanned' },
            ...SCORE_COLUMNS.map((c) =>
              c.key === 'monetary'
                ? { ...c, header: scored.monetaryUnit === 'fen' ? '金额(分) monetary (fen)' : '金额(件) monetary (units)' }
                : c,
            ),
          ],
          cells(),
        ),
      );
    },
  );
}
