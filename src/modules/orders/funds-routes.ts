/**
 * /api/v1 routes of funds accounts: a party's balances and its ledger (each within the caller's data scope), and
 * money received from a party or its credit limit (brand finance; a retried deposit with its Idempotency-Key moves
 * the money once).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ctxOf } from '../../http/access.ts';
import type { Locale } from '../../http/messages.ts';
import { AppError } from '../../http/problem.ts';
import { strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { actorLabel, partyScope, whoOf } from '../auth/index.ts';
import { balancesOf, ensureAccounts, transfer } from './funds.ts';
import { fundsNoteText } from './funds-notes.ts';

/**
 * Who moved money when no user did, in each reader's words: the simulator's product mode and the demo history's orders
 * act as user 0, a user no tenant has (planning/simulator/product-tenant.ts actor()), the demo history's weekly
 * payments as the label 演示历史 (src/demo/demo-history.ts), and a sell-out rebate is paid on a consumer's verification
 * (incentives/channel/sellout.ts). People read "system" rather than "user:0".
 */
const PLAYERS: Record<string, Record<Locale, string>> = {
  'user:0': { 'zh-CN': '系统', en: 'System' },
  演示历史: { 'zh-CN': '演示历史', en: 'Demo history' },
  'consumer:verification': { 'zh-CN': '消费者验真', en: "Consumer's verification" },
};

/** The name people read for who moved the money: a user's name, else the server's own plays in the reader's words. */
function actorNameOf(actor: string, username: string | null, locale: Locale): string | null {
  return username ?? PLAYERS[actor]?.[locale] ?? null;
}

const PartyParams = strictObject({ party: Type.String({ minLength: 1, maxLength: 64 }) });
const DepositBody = strictObject({
  party: Type.String({ minLength: 1 }),
  amountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000_000 })),
  creditLimitFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000_000_000 })),
  memo: Type.Optional(Type.String({ maxLength: 200 })),
});
interface Deposit {
  party: string;
  amountFen?: number;
  creditLimitFen?: number;
  memo?: string;
}

/** The party with this code if the caller's data scope reaches it (else 404: it is not there for them). */
async function scopedParty(sql: Sql, ctx: RequestContext, code: string) {
  const [p] = await sql<{ id: number; code: string; name: string; kind: string }[]>`
    select p.id::int, p.code, p.name, p.kind from parties p where ${partyScope(sql, ctx.actor)} and p.code = ${code}`;
  if (!p) throw AppError.notFound();
  return p;
}

export async function fundsRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/funds/:party',
    {
      config: { access: 'funds:read' },
      schema: { tags: ['orders'], summary: "A party's funds: prepaid, credit limit, reserved, rebate", params: PartyParams },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const p = await scopedParty(sql, ctx, (req.params as { party: string }).party);
      return balancesOf(sql, ctx.actor.tenantId, p.id);
    },
  );

  api.get(
    '/funds/:party/ledger',
    {
      config: { access: 'funds:read' },
      schema: {
        tags: ['orders'],
        summary:
          "A party's ledger transactions, newest first, a page at a time (100 by default) with how many there are, with what each moved on each of its accounts",
        params: PartyParams,
        querystring: strictObject({
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const p = await scopedParty(sql, ctx, (req.params as { party: string }).party);
      const { page = 1, pageSize = 100 } = req.query as { page?: number; pageSize?: number };
      // the party's own accounts only: the other side of a transaction (the world, the seller) is not its business
      const mine = sql`select id, kind from funds_accounts where tenant_id = ${t} and party_id = ${p.id} and kind <> 'external'`;
      const rowsOfPage = sql<
        {
          id: number;
          kind: string;
          order_no: string | null;
          order_id: number | null;
          memo: string | null;
          memo_params: Record<string, unknown> | null;
          actor: string;
          actor_name: string | null;
          created_at: Date;
          prepaid: string;
          reserved: string;
          rebate: string;
          settled: string;
        }[]
      >`
        with mine as (${mine}), last as (
          select distinct e.transaction_id as id from funds_entries e
          where e.tenant_id = ${t} and e.account_id in (select id from mine)
          order by e.transaction_id desc limit ${pageSize} offset ${(page - 1) * pageSize}
        )
        select ft.id::int, ft.kind, ft.order_id::int, o.order_no, ft.memo, ft.memo_params, ft.actor, u.username as actor_name, ft.created_at,
          coalesce(sum(e.amount_fen) filter (where m.kind = 'prepaid'), 0)::text as prepaid,
          coalesce(sum(e.amount_fen) filter (where m.kind = 'reserved'), 0)::text as reserved,
          coalesce(sum(e.amount_fen) filter (where m.kind = 'rebate'), 0)::text as rebate,
          coalesce(sum(e.amount_fen) filter (where m.kind = 'settled'), 0)::text as settled
        from last
        join funds_transactions ft on ft.tenant_id = ${t} and ft.id = last.id
        join funds_entries e on e.tenant_id = ${t} and e.transaction_id = ft.id
        join mine m on m.id = e.account_id
        left join orders o on o.tenant_id = ${t} and o.id = ft.order_id
        -- "user:12" is who did it; people read the username
        left join users u on u.tenant_id = ${t} and ft.actor = 'user:' || u.id::text
        group by ft.tenant_id, ft.id, o.order_no, u.username
        order by ft.id desc`;
      const [rows, [count]] = await Promise.all([
        rowsOfPage,
        sql<{ n: number }[]>`
          select count(distinct e.transaction_id)::int as n from funds_entries e
          where e.tenant_id = ${t} and e.account_id in (select id from (${mine}) as mine)`,
      ]);
      return {
        party: { code: p.code, name: p.name, kind: p.kind },
        total: count?.n ?? 0,
        page,
        pageSize,
        items: rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          orderId: r.order_id,
          orderNo: r.order_no,
          // a server's note is a message key (funds-notes.ts): people read memoText, in their language; what a
          // person typed is both
          memo: r.memo,
          memoText: fundsNoteText(r.memo, r.memo_params, ctx.locale),
          actor: r.actor,
          actorName: actorNameOf(r.actor, r.actor_name, ctx.locale),
          at: r.created_at,
          amountsFen: { prepaid: Number(r.prepaid), reserved: Number(r.reserved), rebate: Number(r.rebate), settled: Number(r.settled) },
        })),
      };
    },
  );

  /** The answer to a deposit sent again with its key: the balances now, if the key was used for this same deposit. */
  async function replay(ctx: RequestContext, key: string, b: Deposit) {
    const t = ctx.actor.tenantId;
    const [first] = await sql<{ party: string; partyId: number; amount: string }[]>`
      select p.code as party, p.id::int as "partyId", e.amount_fen::text as amount
      from funds_transactions ft
      join funds_entries e on e.tenant_id = ft.tenant_id and e.transaction_id = ft.id
      join funds_accounts a on a.tenant_id = e.tenant_id and a.id = e.account_id and a.kind = 'prepaid'
      join parties p on p.tenant_id = a.tenant_id and p.id = a.party_id
      where ft.tenant_id = ${t} and ft.idempotency_key = ${key} and ft.kind = 'deposit'`;
    if (!first) return null;
    if (first.party !== b.party || Number(first.amount) !== b.amountFen)
      throw new AppError(409, 'funds.key_reused', { party: first.party, amountFen: Number(first.amount) });
    return { ...(await balancesOf(sql, t, first.partyId)), replayed: true };
  }

  api.post(
    '/funds/deposits',
    {
      config: { access: 'funds:write' },
      schema: {
        tags: ['orders'],
        summary:
          'Record money received from a party (its prepaid balance grows), and/or set its credit limit (Idempotency-Key header: a retried deposit moves the money once)',
        body: DepositBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const b = req.body as Deposit;
      const key = b.amountFen ? (req.headers['idempotency-key'] as string | undefined) : undefined;
      if (b.amountFen === undefined && b.creditLimitFen === undefined)
        throw AppError.field('/body/amountFen', 'funds.nothing_to_record', {});
      // a distributor keeps the accounts of the customers it supplies (their orders go to it): money they paid it, the
      // credit it gives them; nobody else's, not even its own with the brand
      if (ctx.actor.role !== 'brand_admin') {
        const [customer] = await sql`
          select 1 from parties where tenant_id = ${t} and code = ${b.party} and parent_id = ${ctx.actor.partyId}`;
        if (!customer)
          throw new AppError(403, 'funds.not_your_customer', { party: b.party }, [
            { pointer: '/body/party', code: 'funds.not_your_customer', params: { party: b.party } },
          ]);
      }
      if (key) {
        const again = await replay(ctx, key, b);
        if (again) return again;
      }
      try {
        return await sql.begin(async (tx) => {
          const [p] = await tx<{ id: number }[]>`select id::int from parties where tenant_id = ${t} and code = ${b.party}`;
          if (!p) throw AppError.field('/body/party', 'order.unknown_buyer', { value: b.party });
          await ensureAccounts(tx, t, [p.id], ['prepaid', 'reserved', 'rebate', 'external']);
          if (b.amountFen)
            await transfer(tx, t, {
              kind: 'deposit',
              from: { partyId: p.id, kind: 'external' },
              to: { partyId: p.id, kind: 'prepaid' },
              amountFen: b.amountFen,
              memo: b.memo,
              actor: actorLabel(ctx.actor),
              idempotencyKey: key,
            });
          if (b.creditLimitFen !== undefined)
            await tx`update funds_accounts set credit_limit_fen = ${b.creditLimitFen} where tenant_id = ${t} and party_id = ${p.id} and kind = 'prepaid'`;
          await appendAudit(tx, whoOf(ctx), {
            action: 'funds.deposit',
            entityType: 'party',
            entityId: p.id,
            details: { amountFen: b.amountFen ?? null, creditLimitFen: b.creditLimitFen ?? null, memo: b.memo ?? null },
          });
          return { ...(await balancesOf(tx, t, p.id)), replayed: false };
        });
      } catch (e) {
        // the same key raced in from a second request: the first one's deposit stands
        if (key && isUniqueViolation(e)) {
          const again = await replay(ctx, key, b);
          if (again) return again;
        }
        throw e;
      }
    },
  );
}
