/**
 * Funds accounts as a double-entry ledger. Every movement is one transaction of entries that sum to zero, and the
 * balances move in the same database transaction. The debit is one conditional UPDATE ("balance - amount stays
 * above minus the credit limit"), so two orders racing for the last yuan cannot both take it: the second finds the
 * row locked, then re-checks the condition against the first one's result.
 */
import type { Db } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import type { FundsNote } from './funds-notes.ts';

export type AccountKind = 'prepaid' | 'reserved' | 'rebate' | 'settled' | 'external';
/** refund: money back to a buyer's prepaid account (a credited difference, a return); unsettle: back into the order's reservation (a reship) */
export type FundsTransactionKind = 'deposit' | 'reserve' | 'release' | 'settle' | 'rebate' | 'adjust' | 'refund' | 'unsettle';

export interface AccountRef {
  partyId: number;
  kind: AccountKind;
}

/** Creates the party's accounts that do not exist yet (idempotent). */
export async function ensureAccounts(db: Db, tenantId: number, partyIds: number[], kinds: AccountKind[]): Promise<void> {
  if (!partyIds.length) return;
  await db`
    insert into funds_accounts (tenant_id, party_id, kind)
    select ${tenantId}, p, k from unnest(${partyIds}::bigint[]) p cross join unnest(${kinds}::text[]) k
    on conflict (tenant_id, party_id, kind) do nothing`;
}

/**
 * Moves `amountFen` from one account to another as one ledger transaction. Refuses with 409 funds.insufficient
 * when the source would go below minus its credit limit (external accounts have no limit: they are the world).
 */
export async function transfer(
  db: Db,
  tenantId: number,
  move: {
    kind: FundsTransactionKind;
    from: AccountRef;
    to: AccountRef;
    amountFen: number;
    orderId?: number | null;
    /** what a person typed (a deposit's memo); shown as typed */
    memo?: string;
    /** the server's own note, read in each reader's language (funds-notes.ts); a move has a memo or a note */
    note?: FundsNote;
    actor: string;
    /** a client's key for the movement (a deposit): a second transfer with it fails with a unique violation */
    idempotencyKey?: string;
  },
): Promise<void> {
  if (!Number.isSafeInteger(move.amountFen) || move.amountFen <= 0) throw new RangeError('amount must be a positive integer of fen');
  const memo = move.note ? move.note.key : (move.memo ?? null);
  const memoParams = move.note ? move.note.params : null;
  // both accounts locked in id order first, the order batched placement locks them in: a release (reserved to
  // prepaid) running beside a placement (prepaid to reserved) of the same buyer then waits instead of deadlocking
  await db`
    select id from funds_accounts
    where tenant_id = ${tenantId} and ((party_id = ${move.from.partyId} and kind = ${move.from.kind}) or (party_id = ${move.to.partyId} and kind = ${move.to.kind}))
    order by id for update`;
  // one statement: the conditional debit, and only if it happened the credit and the two entries
  const [r] = await db<{ debited: number | null; available: string | null }[]>`
    with d as (
      update funds_accounts set balance_fen = balance_fen - ${move.amountFen}, updated_at = now()
      where tenant_id = ${tenantId} and party_id = ${move.from.partyId} and kind = ${move.from.kind}
        and (kind = 'external' or balance_fen - ${move.amountFen} >= -credit_limit_fen)
      returning id
    ), c as (
      update funds_accounts set balance_fen = balance_fen + ${move.amountFen}, updated_at = now()
      where tenant_id = ${tenantId} and party_id = ${move.to.partyId} and kind = ${move.to.kind} and exists (select 1 from d)
      returning id
    ), t as (
      insert into funds_transactions (tenant_id, kind, order_id, memo, memo_params, actor, idempotency_key)
      select ${tenantId}::int, ${move.kind}::text, ${move.orderId ?? null}::bigint, ${memo}::text, ${memoParams === null ? null : db.json(memoParams)}::jsonb,
        ${move.actor}::text, ${move.idempotencyKey ?? null}::text
      where exists (select 1 from d)
      returning id
    ), e as (
      insert into funds_entries (tenant_id, transaction_id, account_id, amount_fen)
      select ${tenantId}::int, t.id, d.id, ${-move.amountFen}::bigint from t, d
      union all
      select ${tenantId}::int, t.id, c.id, ${move.amountFen}::bigint from t, c
    )
    select (select id::int from d) as debited, (select id::int from c) as credited,
      (select (balance_fen + credit_limit_fen)::text from funds_accounts
        where tenant_id = ${tenantId} and party_id = ${move.from.partyId} and kind = ${move.from.kind}) as available`;
  if (r?.debited == null) throw new AppError(409, 'funds.insufficient', { needed: move.amountFen, available: Number(r?.available ?? 0) });
  if ((r as { credited?: number | null }).credited == null) throw new Error(`no ${move.to.kind} account for party ${move.to.partyId}`);
}

export interface Balances {
  partyId: number;
  prepaidFen: number;
  creditLimitFen: number;
  reservedFen: number;
  rebateFen: number;
  /** what the party can still order for: prepaid plus credit */
  availableFen: number;
}

export async function balancesOf(db: Db, tenantId: number, partyId: number): Promise<Balances> {
  const rows = await db<{ kind: AccountKind; balance_fen: string; credit_limit_fen: string }[]>`
    select kind, balance_fen, credit_limit_fen from funds_accounts where tenant_id = ${tenantId} and party_id = ${partyId}`;
  const of = (k: AccountKind) => rows.find((r) => r.kind === k);
  const prepaid = Number(of('prepaid')?.balance_fen ?? 0);
  const limit = Number(of('prepaid')?.credit_limit_fen ?? 0);
  return {
    partyId,
    prepaidFen: prepaid,
    creditLimitFen: limit,
    reservedFen: Number(of('reserved')?.balance_fen ?? 0),
    rebateFen: Number(of('rebate')?.balance_fen ?? 0),
    availableFen: prepaid + limit,
  };
}

/** What the order has left with the seller: its settlements less what went back (refunds, unsettlements). */
export async function settledForOrder(db: Db, tenantId: number, orderId: number, sellerPartyId: number): Promise<number> {
  const [r] = await db<{ fen: string }[]>`
    select coalesce(sum(e.amount_fen), 0)::text as fen
    from funds_transactions t
    join funds_entries e on e.tenant_id = t.tenant_id and e.transaction_id = t.id
    join funds_accounts a on a.tenant_id = e.tenant_id and a.id = e.account_id
    where t.tenant_id = ${tenantId} and t.order_id = ${orderId} and a.party_id = ${sellerPartyId} and a.kind = 'settled'`;
  return Number(r?.fen ?? 0);
}
