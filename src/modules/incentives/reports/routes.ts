/**
 * /api/v1/reports: the sell-out lift of a campaign's regions against comparable stores, and store and clerk
 * rankings. Brand staff see the whole brand (a sales rep, their territories); a distributor its own stores.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../../context.ts';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { AppError } from '../../../http/problem.ts';
import { strictObject } from '../../../http/schemas.ts';
import { partyScope, seesWholeTenant } from '../../auth/index.ts';
import { sellOutLift } from './lift.ts';
import { clerkRanking, storeRanking } from './rankings.ts';

const Day = Type.String({ format: 'date', maxLength: 10 });
const Filters = {
  start: Day,
  end: Day,
  // comma-separated unit GTINs and division-code prefixes (as a link is shared: ?gtins=0690...,0690...&regions=44,3301)
  gtins: Type.Optional(Type.String({ maxLength: 2000, pattern: '^([0-9]{14})(,[0-9]{14})*$' })),
  regions: Type.Optional(Type.String({ maxLength: 500, pattern: '^([0-9]{2}|[0-9]{4}|[0-9]{6})(,([0-9]{2}|[0-9]{4}|[0-9]{6}))*$' })),
};
const LiftQuery = strictObject({ ...Filters, baselineDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) });
const RankingQuery = strictObject({ ...Filters, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) });

const MAX_DAYS = 366;

function period(q: { start: string; end: string }) {
  const days = (Date.parse(q.end) - Date.parse(q.start)) / 86_400_000;
  if (!(days >= 0)) throw AppError.field('/query/end', 'report.period_reversed', { start: q.start, end: q.end });
  if (days >= MAX_DAYS) throw AppError.field('/query/end', 'report.period_too_long', { max: MAX_DAYS });
}

const list = (s: string | undefined) => (s ? [...new Set(s.split(','))] : []);

/** The stores a caller may see ranked: null for brand staff who see the whole brand. */
async function storesInScope(sql: Sql, ctx: RequestContext): Promise<number[] | null> {
  if (seesWholeTenant(ctx.actor)) return null;
  const rows = await sql<{ id: string }[]>`select p.id from parties p where ${partyScope(sql, ctx.actor)} and p.kind = 'store'`;
  return rows.map((r) => Number(r.id));
}

export async function reportRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/reports/sell-out-lift',
    {
      config: { access: 'reports:campaigns' },
      schema: {
        tags: ['reports'],
        summary:
          'Sell-out lift of the stores in the given regions against comparable stores elsewhere (difference in differences ' +
          'of units per store and day, campaign period against the baseline before it), with the daily series',
        querystring: LiftQuery,
      },
    },
    async (req) => {
      const q = req.query as Static<typeof LiftQuery>;
      period(q);
      const ctx = ctxOf(req, sql);
      return sellOutLift(sql, {
        tenantId: ctx.actor.tenantId,
        gtins: list(q.gtins),
        regionPrefixes: list(q.regions),
        start: q.start,
        end: q.end,
        ...(q.baselineDays ? { baselineDays: q.baselineDays } : {}),
      });
    },
  );

  for (const who of ['stores', 'clerks'] as const) {
    api.get(
      `/reports/rankings/${who}`,
      {
        config: { access: 'reports:rankings' },
        schema: {
          tags: ['reports'],
          summary:
            who === 'stores'
              ? 'Stores ranked by units sold (their sell-scans) in a period, within the caller’s scope'
              : 'Store clerks ranked by units they sell-scanned that were delivered to their store, within the caller’s scope',
          querystring: RankingQuery,
        },
      },
      async (req) => {
        const q = req.query as Static<typeof RankingQuery>;
        period(q);
        const ctx = ctxOf(req, sql);
        const query = {
          tenantId: ctx.actor.tenantId,
          gtins: list(q.gtins),
          regionPrefixes: list(q.regions),
          start: q.start,
          end: q.end,
          storeIds: await storesInScope(sql, ctx),
          limit: q.limit ?? 50,
        };
        return { items: who === 'stores' ? await storeRanking(sql, query) : await clerkRanking(sql, query) };
      },
    );
  }
}
