/**
 * Funds accounts as a double-entry ledger. Every movement is one transaction of entries that sum to zero, and the
 * balances move in the same database transaction. The debit is one conditional UPDATE ("balance - amount stays
 * above minus the credit limit"), so two orders racing for the last yuan cannot both take it: the second finds the
 * row locked, then re-checks the condition against the first one's result.
 */
import type { Db } from '../../context.ts';
import { AppError } from '../../http/problem.ts';

export type AccountKind = 'prepaid' | 'reserved' | 'rebate' | 'settled' | 'external';
export type FundsTransactionKind = 'deposit' | 'reserve' | 'release' | 'settle' | 'rebate' | 'adjust';

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
    memo?: string;
    actor: string;
  },
): Promise<void> {
  if (!Number.isSafeInteger(move.amountFen) || move.amountFen <= 0) throw new RangeError('amount must be a positive integer of fen');
  const [debited] = await db<{ id: number; balance_fen: number; credit_limit_fen: number }[]>`
    update funds_accounts set balance_fen = balance_fen - ${move.amountFen}, updated_at = now()
    where tenant_id = ${tenantId} and party_id = ${move.from.partyId} and kind = ${move.from.kind}
      and (kind = 'external' or balance_fen - ${move.amountFen} >= -credit_limit_fen)
    returning id`;
  if (!debited) {
    const [acct] = await db<{ balance_fen: string; credit_limit_fen: string }[]>`
      select balance_fen, credit_limit_fen from funds_accounts
      where tenant_id = ${tenantId} and party_id = ${move.from.partyId} and kind = ${move.from.kind}`;
    throw new AppError(409, 'funds.insufficient', {
      needed: move.amountFen,
      available: acct ? Number(acct.balance_fen) + Number(acct.credit_limit_fen) : 0,
    });
  }
  const [credited] = await db<{ id: number }[]>`
    update funds_accounts set balance_fen = balance_fen + ${move.amountFen}, updated_at = now()
    where tenant_id = ${tenantId} and party_id = ${move.to.partyId} and kind = ${move.to.kind}
    returning id`;
  if (!credited) throw new Error(`no ${move.to.kind} account for party ${move.to.partyId}`);
  await db`
    with t as (
      insert into funds_transactions (tenant_id, kind, order_id, memo, actor)
      values (${tenantId}, ${move.kind}, ${move.orderId ?? null}, ${move.memo ?? null}, ${move.actor}) returning id
    )
    insert into funds_entries (tenant_id, transaction_id, account_id, amount_fen)
    select ${tenantId}, t.id, x.account, x.amount from t,
      unnest(${[Number(debited.id), Number(credited.id)]}::bigint[], ${[-move.amountFen, move.amountFen]}::bigint[]) as x(account, amount)`;
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
