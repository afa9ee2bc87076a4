/**
 * Paying a program: a claim (one code under one program, to one or two payees) is written as payout rows and
 * charged to the program's budgets in one savepoint, then the parties are credited in the funds ledger.
 *
 * The budgets are never exceeded under concurrency: the charge is one conditional UPDATE of the program row
 * ("spent + amount <= total"), then of the day's row, in the same transaction as the payout rows. A second claim
 * for the same code finds the unique (program, code, payee role) taken and pays nothing. Claims are taken in
 * program order and every funds account is locked before any money moves, so concurrent scans cannot deadlock.
 */
import type { Tx } from '../../../db/connection.ts';
import { ensureAccounts, transfer } from '../../orders/funds.ts';
import { channelProgramNote, type FundsNote } from '../../orders/funds-notes.ts';

export interface Payee {
  role: 'clerk' | 'store' | 'distributor';
  partyId: number;
  /** the clerk (a user) for role clerk */
  userId?: number | null;
  units: number;
  amountFen: number;
}

export interface Claim {
  programId: number;
  kind: string;
  epc: string;
  day: string;
  /** what caused it: `scan:<id>`, `verification`, `ticket` */
  source: string;
  payees: Payee[];
}

export type RefusedReason = 'already_paid' | 'budget_total' | 'budget_daily' | 'payee_cap' | 'inactive';
export type ClaimResult = { paid: true; amountFen: number; payoutIds: number[] } | { paid: false; reason: RefusedReason };

class Refused extends Error {
  constructor(readonly reason: RefusedReason) {
    super(reason);
  }
}

/** Charges each claim to its program's budgets and writes its payouts; money to parties moves at the end. */
export async function payClaims(tx: Tx, tenantId: number, claims: Claim[], actor: string): Promise<ClaimResult[]> {
  const order = claims.map((c, i) => ({ c, i })).sort((a, b) => a.c.programId - b.c.programId || (a.c.epc < b.c.epc ? -1 : 1));
  const results: ClaimResult[] = new Array(claims.length);
  const credits: { partyId: number; amountFen: number; note: FundsNote }[] = [];
  for (const { c, i } of order) {
    const total = c.payees.reduce((s, p) => s + p.amountFen, 0);
    // the savepoint by its statements, not tx.savepoint(): a consumer's claim is paid in the claim batch's transaction,
    // on a reserved connection (db/pipelined.ts), which has no savepoint() (every claim failed while a sell-out
    // rebate ran)
    await tx`savepoint charge_claim`;
    try {
      const ids = await chargeOne(tx, tenantId, c, total);
      await tx`release savepoint charge_claim`;
      results[i] = { paid: true, amountFen: total, payoutIds: ids };
      for (const p of c.payees)
        if (p.role !== 'clerk')
          credits.push({ partyId: p.partyId, amountFen: p.amountFen, note: channelProgramNote(c.programId, c.kind, c.epc) });
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      await tx`rollback to savepoint charge_claim`;
      results[i] = { paid: false, reason: e.reason };
    }
  }
  if (credits.length) await credit(tx, tenantId, credits, actor);
  return results;
}

async function chargeOne(tx: Tx, tenantId: number, c: Claim, total: number): Promise<number[]> {
  // the budget first: a claim refused by it writes nothing, so its transaction commits without a WAL flush. The
  // program row is the lock every claim of this program queues on; its WHERE is the total budget.
  const [program] = await tx<{ daily: string | null; cap: string | null }[]>`
    update channel_programs set spent_fen = spent_fen + ${total}, updated_at = now()
    where tenant_id = ${tenantId} and id = ${c.programId} and status = 'active' and spent_fen + ${total} <= total_budget_fen
    returning daily_budget_fen::text as daily, per_payee_cap_fen::text as cap`;
  if (!program) {
    const [p] = await tx<{ status: string }[]>`select status from channel_programs where tenant_id = ${tenantId} and id = ${c.programId}`;
    throw new Refused(p?.status === 'active' ? 'budget_total' : 'inactive');
  }
  const rows = await tx<{ id: number }[]>`
    insert into channel_payouts (tenant_id, program_id, kind, epc, payee_role, payee_party_id, payee_user_id, units, amount_fen, day, source)
    select ${tenantId}, ${c.programId}, ${c.kind}, ${c.epc}, r, p, u, n, a, ${c.day}::date, ${c.source}
    from unnest(${c.payees.map((p) => p.role)}::text[], ${c.payees.map((p) => p.partyId)}::bigint[],
      ${c.payees.map((p) => p.userId ?? null) as number[]}::bigint[], ${c.payees.map((p) => p.units)}::int[],
      ${c.payees.map((p) => p.amountFen)}::bigint[]) as x(r, p, u, n, a)
    on conflict (tenant_id, program_id, epc, payee_role) do nothing
    returning id::int`;
  if (rows.length < c.payees.length) throw new Refused('already_paid');
  const daily = program.daily == null ? null : Number(program.daily);
  const [day] = await tx<{ spent: string }[]>`
    insert into channel_program_days as d (tenant_id, program_id, day, spent_fen) values (${tenantId}, ${c.programId}, ${c.day}::date, ${total})
    on conflict (tenant_id, program_id, day) do update set spent_fen = d.spent_fen + excluded.spent_fen
      where ${daily}::bigint is null or d.spent_fen + excluded.spent_fen <= ${daily}::bigint
    returning spent_fen::text as spent`;
  if (!day || (daily != null && Number(day.spent) > daily)) throw new Refused('budget_daily');
  if (program.cap != null) {
    // serialized by the program row locked above
    for (const p of c.payees) {
      const [s] = await tx<{ fen: string }[]>`
        select coalesce(sum(amount_fen), 0)::text as fen from channel_payouts
        where tenant_id = ${tenantId} and program_id = ${c.programId} and payee_role = ${p.role}
          and ${p.role === 'clerk' ? tx`payee_user_id = ${p.userId ?? -1}` : tx`payee_party_id = ${p.partyId}`}`;
      if (Number(s?.fen) > Number(program.cap)) throw new Refused('payee_cap');
    }
  }
  return rows.map((r) => r.id);
}

/** The brand pays: its external account to each party's rebate balance, one ledger transaction per payout. */
async function credit(tx: Tx, tenantId: number, credits: { partyId: number; amountFen: number; note: FundsNote }[], actor: string) {
  const [brand] = await tx<
    { id: number }[]
  >`select id::int from parties where tenant_id = ${tenantId} and kind = 'brand' order by id limit 1`;
  if (!brand) throw new Error(`tenant ${tenantId} has no brand party`);
  const parties = [...new Set(credits.map((c) => c.partyId))];
  await ensureAccounts(tx, tenantId, [brand.id], ['external']);
  await ensureAccounts(tx, tenantId, parties, ['prepaid', 'reserved', 'rebate', 'external']);
  // every account this transaction will touch, locked at once in id order (transfer locks pairs; two pairs taken one
  // after the other could cross another transaction's pairs)
  await tx`
    select id from funds_accounts
    where tenant_id = ${tenantId} and ((party_id = ${brand.id} and kind = 'external') or (party_id = any(${parties}::bigint[]) and kind = 'rebate'))
    order by id for update`;
  for (const c of credits)
    await transfer(tx, tenantId, {
      kind: 'rebate',
      from: { partyId: brand.id, kind: 'external' },
      to: { partyId: c.partyId, kind: 'rebate' },
      amountFen: c.amountFen,
      note: c.note,
      actor,
    });
}
