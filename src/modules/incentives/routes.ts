/**
 * /api/v1 routes for marketing staff: campaigns (create, edit, activate, pause, end), their live budget and report,
 * and the rewards ledger with its Excel export for payout. Reads need `campaigns:read`, changes `campaigns:write`
 * (audited).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { Id, IdParams, Paging, strictObject } from '../../http/schemas.ts';
import { chinaDateTimeText } from '../../platform/china-time.ts';
import { writeTable, XLSX_TYPE } from '../../platform/tabular/index.ts';
import { campaignBudget, createCampaign, getCampaign, listCampaigns, setCampaignStatus, updateCampaign } from './campaigns.ts';
import type { CampaignInput, CampaignStatus } from './definition.ts';
import { allRewards, campaignReport, listRewards, markPaid, type RewardStatus } from './ledger.ts';

const Fen = (max = 100_000_000_000) => Type.Integer({ minimum: 0, maximum: max });
const Count = Type.Integer({ minimum: 0, maximum: 100_000_000 });
const Nullable = <T extends ReturnType<typeof Type.Integer>>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));

export const CampaignBody = strictObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  startsAt: Type.String({ format: 'date-time', maxLength: 40 }),
  endsAt: Type.String({ format: 'date-time', maxLength: 40 }),
  reward: strictObject({
    type: Type.Union([Type.Literal('points'), Type.Literal('lottery'), Type.Literal('coupon')]),
    points: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    tiers: Type.Optional(
      Type.Array(
        strictObject({
          name: Type.String({ minLength: 1, maxLength: 40 }),
          amountFen: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
          probability: Type.Number({ minimum: 0, maximum: 1 }),
          count: Count,
          // the prize is a free unit ("one more", 再来一瓶) redeemed at a store, worth amountFen
          oneMore: Type.Optional(Type.Boolean()),
        }),
        { minItems: 1, maxItems: 20 },
      ),
    ),
    couponTitle: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    couponCodes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_-]+$' }), { minItems: 1, maxItems: 10_000 }),
    ),
    couponCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  }),
  eligibility: Type.Optional(
    strictObject({
      gtins: Type.Optional(Type.Array(Type.String({ minLength: 8, maxLength: 14, pattern: '^[0-9]+$' }), { maxItems: 500 })),
      regions: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 6 }), { maxItems: 500 })),
      firstScanOnly: Type.Optional(Type.Boolean()),
      newMembersOnly: Type.Optional(Type.Boolean()),
    }),
  ),
  limits: Type.Optional(
    strictObject({
      perConsumerDaily: Nullable(Type.Integer({ minimum: 1, maximum: 100_000 })),
      perConsumerTotal: Nullable(Type.Integer({ minimum: 1, maximum: 100_000 })),
      budgetTotalFen: Nullable(Fen()),
      budgetDailyFen: Nullable(Fen()),
      prizesTotal: Nullable(Count),
      prizesDaily: Nullable(Count),
    }),
  ),
});

const StatusValue = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('paused'), Type.Literal('ended')]);
const RewardStatusValue = Type.Union([Type.Literal('awarded'), Type.Literal('paid'), Type.Literal('no_prize')]);
const LedgerQuery = strictObject({
  campaignId: Type.Optional(Id()),
  status: Type.Optional(RewardStatusValue),
  ...Paging,
});
const ExportQuery = strictObject({ campaignId: Type.Optional(Id()), status: Type.Optional(RewardStatusValue) });

export async function campaignsRoutes(api: FastifyInstance, sql: Sql): Promise<void> {
  const read = { config: { access: 'campaigns:read' as const } };
  const write = { config: { access: 'campaigns:write' as const } };
  const tags = ['campaigns'];

  api.get(
    '/campaigns',
    {
      ...read,
      schema: { tags, summary: 'Campaigns of the brand, newest first', querystring: strictObject({ status: Type.Optional(StatusValue) }) },
    },
    async (req) => ({ items: await listCampaigns(sql, ctxOf(req, sql).actor.tenantId, (req.query as { status?: CampaignStatus }).status) }),
  );
  api.post(
    '/campaigns',
    { ...write, schema: { tags, summary: 'Create a consumer scan campaign (a draft; audited)', body: CampaignBody } },
    async (req, reply) => reply.status(201).send(await createCampaign(ctxOf(req, sql), req.body as CampaignInput)),
  );
  api.get('/campaigns/:id', { ...read, schema: { tags, summary: 'A campaign', params: IdParams } }, async (req) =>
    getCampaign(sql, ctxOf(req, sql).actor.tenantId, (req.params as { id: number }).id),
  );
  api.put(
    '/campaigns/:id',
    {
      ...write,
      schema: {
        tags,
        summary: 'Edit a campaign (not once ended; limits not below what was given; audited)',
        params: IdParams,
        body: CampaignBody,
      },
    },
    async (req) => updateCampaign(ctxOf(req, sql), (req.params as { id: number }).id, req.body as CampaignInput),
  );
  const StatusBody = strictObject({ status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('ended')]) });
  api.post(
    '/campaigns/:id/status',
    { ...write, schema: { tags, summary: 'Activate, pause or end a campaign (audited)', params: IdParams, body: StatusBody } },
    async (req) => setCampaignStatus(ctxOf(req, sql), (req.params as { id: number }).id, (req.body as Static<typeof StatusBody>).status),
  );
  api.get(
    '/campaigns/:id/budget',
    { ...read, schema: { tags, summary: 'Live budget: given and remaining, in all and today', params: IdParams } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return campaignBudget(sql, ctxOf(req, sql).actor.tenantId, (req.params as { id: number }).id);
    },
  );
  api.get(
    '/campaigns/:id/report',
    { ...read, schema: { tags, summary: 'Scans, claims, unique consumers, cost, redemptions and claims per day', params: IdParams } },
    async (req) => campaignReport(sql, ctxOf(req, sql).actor.tenantId, (req.params as { id: number }).id),
  );
  const PaidBody = strictObject({ ids: Type.Array(Id(), { minItems: 1, maxItems: 10_000 }) });
  api.post(
    '/campaigns/:id/rewards/paid',
    { ...write, schema: { tags, summary: 'Mark owed rewards as paid out (audited)', params: IdParams, body: PaidBody } },
    async (req) => markPaid(ctxOf(req, sql), (req.params as { id: number }).id, (req.body as Static<typeof PaidBody>).ids),
  );
  api.get(
    '/campaign-rewards',
    { ...read, schema: { tags, summary: 'The rewards ledger, by campaign and status', querystring: LedgerQuery } },
    async (req) => listRewards(sql, ctxOf(req, sql).actor.tenantId, req.query as Static<typeof LedgerQuery>),
  );
  api.get(
    '/campaign-rewards/export',
    { ...read, schema: { tags, summary: 'The rewards ledger as an Excel file for payout', querystring: ExportQuery } },
    async (req, reply) => {
      const q = req.query as { campaignId?: number; status?: RewardStatus };
      const rows = allRewards(sql, ctxOf(req, sql).actor.tenantId, q);
      reply.header('content-disposition', `attachment; filename="rewards${q.campaignId ? `-${q.campaignId}` : ''}.xlsx"`);
      reply.type(XLSX_TYPE);
      return reply.send(
        writeTable(
          'xlsx',
          [
            { key: 'id', header: '编号 id' },
            { key: 'campaign', header: '活动 campaign' },
            { key: 'code', header: '商品码 code' },
            { key: 'consumer', header: '消费者 consumer' },
            { key: 'kind', header: '奖励 reward' },
            { key: 'tier', header: '奖项 tier' },
            { key: 'amount_yuan', header: '金额（元） amount (yuan)' },
            { key: 'points', header: '积分 points' },
            { key: 'coupon', header: '券码 coupon' },
            { key: 'status', header: '状态 status' },
            { key: 'claimed_at', header: '领取时间（北京时间） claimed at (China time)' },
            { key: 'paid_at', header: '发放时间（北京时间） paid at (China time)' },
          ],
          (async function* () {
            for await (const r of rows) {
              yield {
                id: r.id,
                campaign: r.campaignName,
                code: r.code,
                consumer: r.consumerId,
                kind: r.kind,
                tier: r.tierName,
                amount_yuan: r.amountFen / 100,
                points: r.points,
                coupon: r.couponCode,
                status: r.status,
                // the payout sheet is read by people: China's clock, as the console's ledger shows it
                claimed_at: chinaDateTimeText(r.claimedAt),
                paid_at: r.paidAt ? chinaDateTimeText(r.paidAt) : null,
              };
            }
          })(),
        ),
      );
    },
  );
}
