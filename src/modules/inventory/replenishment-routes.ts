/**
 * /api/v1 routes of replenishment: suggestions for a distributor or store (every input shown), accepting them into
 * an order draft in one step, and lead times per seller -> buyer lane.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { seesWholeTenant, whoOf } from '../auth/index.ts';
import { createDraft } from '../orders/index.ts';
import {
  type Buyer,
  buyerInScope,
  DEFAULT_REVIEW_DAYS,
  DEFAULT_SERVICE_LEVEL,
  type SuggestionParams,
  suggestionsFor,
} from './replenishment.ts';
import { businessToday, DEFAULT_WINDOW_DAYS, windowOf } from './sell-through.ts';

const Params = {
  party: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  serviceLevel: Type.Optional(Type.Number({ minimum: 0.5, maximum: 0.999, default: DEFAULT_SERVICE_LEVEL })),
  reviewDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: DEFAULT_REVIEW_DAYS })),
  windowDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 365, default: DEFAULT_WINDOW_DAYS })),
  // the day the window ends before (its sales not yet counted); today in China when absent
  asOf: Type.Optional(Type.String({ format: 'date' })),
};
const SuggestionQuery = strictObject(Params);
const AcceptBody = strictObject({
  ...Params,
  skus: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 1000 })),
});
const LanesBody = strictObject({
  lanes: Type.Array(
    strictObject({
      // the buyer's supplier (the brand for a distributor, its distributor for a store); checked when given
      seller: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      buyer: Type.String({ minLength: 1, maxLength: 64 }),
      leadTimeDays: Type.Integer({ minimum: 0, maximum: 365 }),
    }),
    { minItems: 1, maxItems: 500 },
  ),
});

function paramsOf(q: Static<typeof SuggestionQuery>, skus?: string[]): SuggestionParams {
  const asOf = q.asOf ?? businessToday(new Date());
  return {
    serviceLevel: q.serviceLevel ?? DEFAULT_SERVICE_LEVEL,
    reviewDays: q.reviewDays ?? DEFAULT_REVIEW_DAYS,
    window: windowOf(asOf, q.windowDays ?? DEFAULT_WINDOW_DAYS),
    ...(skus ? { skus } : {}),
  };
}

export async function replenishmentRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/replenishment/suggestions',
    {
      config: { access: 'replenishment:read' },
      schema: {
        tags: ['inventory'],
        summary:
          'Order-up-to suggestions for a distributor or store (its own when no party is named): S = d(L+R) + z·σ·√(L+R), ' +
          'suggested = S − on hand − in transit − on order, rounded up to the minimum and case multiple; every input returned',
        querystring: SuggestionQuery,
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const q = req.query as Static<typeof SuggestionQuery>;
      const buyer = await buyerInScope(sql, ctx, q.party, '/query/party');
      return suggestionsFor(sql, ctx, buyer, paramsOf(q));
    },
  );

  api.post(
    '/replenishment/suggestions/accept',
    {
      config: { access: 'orders:place' },
      schema: {
        tags: ['inventory'],
        summary:
          'Accept the suggestions (those with a quantity, or the SKUs named) into an order draft in one step; Idempotency-Key: a retry returns the first draft',
        body: AcceptBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const b = req.body as Static<typeof AcceptBody>;
      const buyer = await buyerInScope(sql, ctx, b.party, '/body/party');
      const params = paramsOf(b, b.skus);
      const s = await suggestionsFor(sql, ctx, buyer, params);
      const lines = s.lines.filter((l) => l.suggested > 0);
      if (!lines.length) throw new AppError(409, 'replenishment.nothing_to_order', { party: buyer.code });
      const { draft, replayed } = await createDraft(ctx, {
        buyerId: buyer.id,
        sellerId: buyer.seller.id,
        source: 'replenishment',
        params: {
          serviceLevel: s.serviceLevel,
          z: s.z,
          reviewDays: s.reviewDays,
          leadTimeDays: s.leadTimeDays,
          windowDays: s.window.days,
          asOf: s.window.to,
        },
        lines: lines.map((l) => ({ productId: l.productId, quantity: l.suggested, suggested: l.suggested })),
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        // what was asked, as sent (defaults filled: the same body is the same request); not the lines, which follow stock
        request: [b.serviceLevel, b.reviewDays, b.windowDays, b.asOf ?? null, b.skus ? [...b.skus].sort() : null],
      });
      return reply.status(replayed ? 200 : 201).send(draft);
    },
  );

  api.put(
    '/replenishment/lead-times',
    {
      config: { access: 'replenishment:configure' },
      schema: {
        tags: ['inventory'],
        summary: "Set lead times (days) of seller -> buyer lanes: the brand's for any lane, a distributor's for its own stores; audited",
        body: LanesBody,
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const { lanes } = req.body as Static<typeof LanesBody>;
      const errors: FieldError[] = [];
      const buyers: Buyer[] = [];
      for (const [i, lane] of lanes.entries()) {
        const buyer = await laneBuyer(sql, ctx, lane.buyer, `/body/lanes/${i}/buyer`, errors);
        if (!buyer) continue;
        if (lane.seller !== undefined && lane.seller !== buyer.seller.code)
          errors.push({
            pointer: `/body/lanes/${i}/seller`,
            code: 'replenishment.not_a_lane',
            params: { value: lane.seller, buyer: buyer.code, supplier: buyer.seller.code },
          });
        else if (!seesWholeTenant(ctx.actor) && ctx.actor.partyId !== buyer.seller.id)
          errors.push({ pointer: `/body/lanes/${i}/buyer`, code: 'replenishment.not_your_lane', params: { value: buyer.code } });
        buyers.push(buyer);
      }
      if (errors.length) throw AppError.invalid(errors);
      await sql.begin(async (tx) => {
        await tx`
          insert into replenishment_lanes (tenant_id, seller_party_id, buyer_party_id, lead_time_days)
          select ${t}, * from unnest(${buyers.map((b) => b.seller.id)}::bigint[], ${buyers.map((b) => b.id)}::bigint[],
            ${lanes.map((l) => l.leadTimeDays)}::int[])
          on conflict (tenant_id, seller_party_id, buyer_party_id) do update
            set lead_time_days = excluded.lead_time_days, updated_at = now()`;
        await appendAudit(tx, whoOf(ctx), {
          action: 'replenishment.lead_times',
          entityType: 'replenishment_lane',
          entityId: null,
          details: { lanes: lanes.map((l, i) => ({ seller: buyers[i]?.seller.code, buyer: l.buyer, leadTimeDays: l.leadTimeDays })) },
        });
      });
      return { updated: lanes.length };
    },
  );
}

/** The lane's buyer, or its refusal added to `errors` (so every bad lane is named at once). */
async function laneBuyer(sql: Sql, ctx: RequestContext, code: string, pointer: string, errors: FieldError[]): Promise<Buyer | null> {
  try {
    return await buyerInScope(sql, ctx, code, pointer);
  } catch (e) {
    if (e instanceof AppError && e.fieldErrors.length) {
      errors.push(...e.fieldErrors);
      return null;
    }
    throw e;
  }
}
