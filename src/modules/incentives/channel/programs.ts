/**
 * Channel incentive programs as staff keep them: create, edit, start, pause, end (each audited), and the active
 * programs of a kind as the scan and verification hooks read them.
 */
import type { Db, RequestContext } from '../../../context.ts';
import type { Sql } from '../../../db/connection.ts';
import { AppError, type FieldError } from '../../../http/problem.ts';
import { appendAudit } from '../../audit/index.ts';
import { actorLabel, whoOf } from '../../auth/index.ts';
import { divisionName } from '../../parties/index.ts';
import { mayChangeStatus, type ProgramKind, type ProgramStatus, type ProgramTerms } from './rules.ts';

export interface ProgramInput {
  name: string;
  kind: ProgramKind;
  skus?: string[];
  regionPrefixes?: string[];
  startsAt: string;
  endsAt?: string | null;
  per?: 'unit' | 'case';
  amountFen: number;
  upstreamAmountFen?: number;
  totalBudgetFen: number;
  dailyBudgetFen?: number | null;
  perPayeeCapFen?: number | null;
}

interface ProgramRow {
  id: number;
  name: string;
  kind: ProgramKind;
  status: ProgramStatus;
  product_ids: string[];
  region_prefixes: string[];
  starts_at: Date;
  ends_at: Date | null;
  per: 'unit' | 'case';
  amount_fen: string;
  upstream_amount_fen: string;
  total_budget_fen: string;
  daily_budget_fen: string | null;
  per_payee_cap_fen: string | null;
  spent_fen: string;
  spent_today_fen?: string | null;
  payouts?: number;
  skus?: string[] | null;
  created_at: Date;
  updated_at: Date;
}

export function termsOf(r: ProgramRow): ProgramTerms {
  return {
    id: Number(r.id),
    kind: r.kind,
    productIds: r.product_ids.map(Number),
    regionPrefixes: r.region_prefixes,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    per: r.per,
    amountFen: Number(r.amount_fen),
    upstreamAmountFen: Number(r.upstream_amount_fen),
  };
}

/** The active programs of some kinds (the partial index holds only active rows: a handful). */
export async function activePrograms(db: Db, tenantId: number, kinds: ProgramKind[]): Promise<ProgramTerms[]> {
  const rows = await db<ProgramRow[]>`
    select * from channel_programs where tenant_id = ${tenantId} and kind = any(${kinds}::text[]) and status = 'active' order by id`;
  return rows.map(termsOf);
}

function view(r: ProgramRow) {
  return {
    id: Number(r.id),
    name: r.name,
    kind: r.kind,
    status: r.status,
    skus: r.skus ?? [],
    regionPrefixes: r.region_prefixes,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    per: r.per,
    amountFen: Number(r.amount_fen),
    upstreamAmountFen: Number(r.upstream_amount_fen),
    totalBudgetFen: Number(r.total_budget_fen),
    dailyBudgetFen: r.daily_budget_fen == null ? null : Number(r.daily_budget_fen),
    perPayeeCapFen: r.per_payee_cap_fen == null ? null : Number(r.per_payee_cap_fen),
    spentFen: Number(r.spent_fen),
    spentTodayFen: Number(r.spent_today_fen ?? 0),
    remainingFen: Number(r.total_budget_fen) - Number(r.spent_fen),
    payouts: Number(r.payouts ?? 0),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export type ProgramView = ReturnType<typeof view>;

const withFigures = (sql: Sql, tenantId: number, where: ReturnType<Sql>) => sql<ProgramRow[]>`
  select c.*,
    (select array_agg(p.sku order by p.sku) from products p where p.tenant_id = c.tenant_id and p.id = any(c.product_ids)) as skus,
    (select d.spent_fen::text from channel_program_days d where d.tenant_id = c.tenant_id and d.program_id = c.id
       and d.day = (now() at time zone 'Asia/Shanghai')::date) as spent_today_fen,
    (select count(*)::int from channel_payouts o where o.tenant_id = c.tenant_id and o.program_id = c.id) as payouts
  from channel_programs c where c.tenant_id = ${tenantId} and ${where} order by c.id desc`;

export async function listPrograms(sql: Sql, tenantId: number, filter: { kind?: string; status?: string }) {
  const rows = await withFigures(
    sql,
    tenantId,
    sql`(${filter.kind ?? null}::text is null or c.kind = ${filter.kind ?? null}) and (${filter.status ?? null}::text is null or c.status = ${filter.status ?? null})`,
  );
  return rows.map(view);
}

export async function getProgram(sql: Sql, tenantId: number, id: number): Promise<ProgramView> {
  const [r] = await withFigures(sql, tenantId, sql`c.id = ${id}`);
  if (!r) throw AppError.notFound();
  return view(r);
}

/** Checks an input against the catalogue and the divisions; every problem at once, with its pointer. */
async function checked(sql: Sql, tenantId: number, b: ProgramInput) {
  const errors: FieldError[] = [];
  const skus = [...new Set(b.skus ?? [])];
  const products = skus.length
    ? await sql<
        { id: string; sku: string }[]
      >`select id::text, sku from products where tenant_id = ${tenantId} and sku = any(${skus}::text[])`
    : [];
  (b.skus ?? []).forEach((s, i) => {
    if (!products.some((p) => p.sku === s))
      errors.push({ pointer: `/body/skus/${i}`, code: 'import.reference', params: { field: 'sku', value: s } });
  });
  (b.regionPrefixes ?? []).forEach((r, i) => {
    if (!divisionName(r)) errors.push({ pointer: `/body/regionPrefixes/${i}`, code: 'division.unknown', params: { value: r } });
  });
  const starts = new Date(b.startsAt);
  const ends = b.endsAt ? new Date(b.endsAt) : null;
  if (Number.isNaN(starts.getTime()))
    errors.push({ pointer: '/body/startsAt', code: 'field.invalid', params: { field: 'startsAt', reason: 'ISO 8601' } });
  if (ends && Number.isNaN(ends.getTime()))
    errors.push({ pointer: '/body/endsAt', code: 'field.invalid', params: { field: 'endsAt', reason: 'ISO 8601' } });
  else if (ends && ends.getTime() <= starts.getTime())
    errors.push({ pointer: '/body/endsAt', code: 'channel.ends_before_start', params: {} });
  if (b.dailyBudgetFen != null && b.dailyBudgetFen > b.totalBudgetFen)
    errors.push({ pointer: '/body/dailyBudgetFen', code: 'channel.daily_over_total', params: {} });
  if (b.kind !== 'sellout_rebate' && b.upstreamAmountFen)
    errors.push({ pointer: '/body/upstreamAmountFen', code: 'channel.upstream_only_sellout', params: {} });
  if (b.kind === 'one_more' && (b.per ?? 'unit') !== 'unit')
    errors.push({ pointer: '/body/per', code: 'channel.one_more_per_unit', params: {} });
  if (errors.length) throw AppError.invalid(errors);
  return { productIds: products.map((p) => p.id), regionPrefixes: [...new Set(b.regionPrefixes ?? [])], starts, ends };
}

/**
 * Creates a draft program. With a key (the Idempotency-Key header), a retry of the same creation returns the program
 * made the first time (`replayed`); the key reused for another program is refused (409).
 */
export async function createProgram(ctx: RequestContext, b: ProgramInput, key?: string): Promise<ProgramView & { replayed: boolean }> {
  const t = ctx.actor.tenantId;
  const c = await checked(ctx.sql, t, b);
  const { id, replayed } = await ctx.sql.begin(async (tx) => {
    const [r] = await tx<{ id: number }[]>`
      insert into channel_programs (tenant_id, name, kind, product_ids, region_prefixes, starts_at, ends_at, per, amount_fen,
        upstream_amount_fen, total_budget_fen, daily_budget_fen, per_payee_cap_fen, idempotency_key, created_by)
      values (${t}, ${b.name}, ${b.kind}, ${c.productIds}::bigint[], ${c.regionPrefixes}::text[], ${c.starts}, ${c.ends}, ${b.per ?? 'unit'},
        ${b.amountFen}, ${b.upstreamAmountFen ?? 0}, ${b.totalBudgetFen}, ${b.dailyBudgetFen ?? null}, ${b.perPayeeCapFen ?? null},
        ${key ?? null}, ${actorLabel(ctx.actor)})
      on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
      returning id::int`;
    if (!r) {
      const [first] = await tx<{ id: number; name: string; kind: string }[]>`
        select id::int, name, kind from channel_programs where tenant_id = ${t} and idempotency_key = ${key ?? null}`;
      if (!first || first.name !== b.name || first.kind !== b.kind)
        throw new AppError(409, 'channel.key_reused', { id: first?.id ?? null, name: first?.name ?? null });
      return { id: first.id, replayed: true };
    }
    await appendAudit(tx, whoOf(ctx), {
      action: 'channel_program.create',
      entityType: 'channel_program',
      entityId: Number(r.id),
      details: { ...b },
    });
    return { id: Number(r.id), replayed: false };
  });
  return { ...(await getProgram(ctx.sql, t, id)), replayed };
}

/** Edits a program's terms; the total budget cannot go below what was already paid. */
export async function updateProgram(ctx: RequestContext, id: number, b: ProgramInput): Promise<ProgramView> {
  const t = ctx.actor.tenantId;
  const c = await checked(ctx.sql, t, b);
  await ctx.sql.begin(async (tx) => {
    const [cur] = await tx<{ kind: string; status: string; spent_fen: string }[]>`
      select kind, status, spent_fen::text from channel_programs where tenant_id = ${t} and id = ${id} for update`;
    if (!cur) throw AppError.notFound();
    if (cur.kind !== b.kind) throw AppError.field('/body/kind', 'channel.kind_fixed', { kind: cur.kind });
    if (cur.status === 'ended') throw new AppError(409, 'channel.program_ended', {});
    if (b.totalBudgetFen < Number(cur.spent_fen))
      throw AppError.field('/body/totalBudgetFen', 'channel.budget_below_spent', { spentFen: Number(cur.spent_fen) });
    await tx`
      update channel_programs set name = ${b.name}, product_ids = ${c.productIds}::bigint[], region_prefixes = ${c.regionPrefixes}::text[],
        starts_at = ${c.starts}, ends_at = ${c.ends}, per = ${b.per ?? 'unit'}, amount_fen = ${b.amountFen},
        upstream_amount_fen = ${b.upstreamAmountFen ?? 0}, total_budget_fen = ${b.totalBudgetFen},
        daily_budget_fen = ${b.dailyBudgetFen ?? null}, per_payee_cap_fen = ${b.perPayeeCapFen ?? null}, updated_at = now()
      where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), { action: 'channel_program.update', entityType: 'channel_program', entityId: id, details: { ...b } });
  });
  return getProgram(ctx.sql, t, id);
}

export async function setProgramStatus(ctx: RequestContext, id: number, status: ProgramStatus): Promise<ProgramView> {
  const t = ctx.actor.tenantId;
  await ctx.sql.begin(async (tx) => {
    const [cur] = await tx<
      { status: ProgramStatus }[]
    >`select status from channel_programs where tenant_id = ${t} and id = ${id} for update`;
    if (!cur) throw AppError.notFound();
    if (cur.status === status) return;
    if (!mayChangeStatus(cur.status, status))
      throw new AppError(409, 'channel.status_change', { from: cur.status, to: status }, [
        { pointer: '/body/status', code: 'channel.status_change', params: { from: cur.status, to: status } },
      ]);
    await tx`update channel_programs set status = ${status}, updated_at = business_now() where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'channel_program.status',
      entityType: 'channel_program',
      entityId: id,
      details: { from: cur.status, to: status },
    });
  });
  return getProgram(ctx.sql, t, id);
}
