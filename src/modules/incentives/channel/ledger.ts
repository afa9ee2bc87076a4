/**
 * The payout ledger as people read it: per program, filtered by payee, within the reader's data scope (brand roles
 * the tenant, a sales rep the parties of its territories, a distributor or store its own earnings, a clerk the
 * clerk's own bonuses), as a page or as a whole file for payout.
 */
import type { Fragment } from 'postgres';
import type { Sql } from '../../../db/connection.ts';
import { type Actor, partyScope, seesWholeTenant } from '../../auth/index.ts';

export interface PayoutFilter {
  program?: number;
  payeeRole?: 'clerk' | 'store' | 'distributor';
  /** a party code or a clerk's username */
  payee?: string;
  from?: string;
  to?: string;
}

/** The payouts an actor may see, on the alias `o`. */
export function payoutScope(sql: Sql, actor: Actor): Fragment {
  if (seesWholeTenant(actor)) return sql`o.tenant_id = ${actor.tenantId}`;
  switch (actor.role) {
    case 'brand_sales':
      return sql`o.tenant_id = ${actor.tenantId} and exists (select 1 from parties p where ${partyScope(sql, actor)} and p.id = o.payee_party_id)`;
    case 'store_clerk':
      return sql`o.tenant_id = ${actor.tenantId} and o.payee_role = 'clerk' and o.payee_user_id = ${actor.kind === 'user' ? actor.id : -1}`;
    default:
      // its own earnings: a store its own (and its clerks'), a distributor its rebates
      return sql`o.tenant_id = ${actor.tenantId} and o.payee_party_id = ${actor.partyId ?? -1}`;
  }
}

function where(sql: Sql, actor: Actor, f: PayoutFilter): Fragment {
  return sql`${payoutScope(sql, actor)}
    and (${f.program ?? null}::bigint is null or o.program_id = ${f.program ?? null})
    and (${f.payeeRole ?? null}::text is null or o.payee_role = ${f.payeeRole ?? null})
    and (${f.payee ?? null}::text is null or py.code = ${f.payee ?? null} or u.username = ${f.payee ?? null})
    and (${f.from ?? null}::date is null or o.day >= ${f.from ?? null}::date)
    and (${f.to ?? null}::date is null or o.day <= ${f.to ?? null}::date)`;
}

const FROM = (sql: Sql) => sql`
  from channel_payouts o
  join channel_programs c on c.tenant_id = o.tenant_id and c.id = o.program_id
  join parties py on py.tenant_id = o.tenant_id and py.id = o.payee_party_id
  left join users u on u.tenant_id = o.tenant_id and u.id = o.payee_user_id`;

const COLUMNS = (sql: Sql) => sql`
  o.id::int, o.program_id::int, c.name as program, o.kind, o.epc, o.payee_role, py.code as party_code, py.name as party_name,
  u.username, u.display_name, o.units, o.amount_fen::text, o.day::text, o.source, o.created_at`;

interface Row {
  id: number;
  program_id: number;
  program: string;
  kind: string;
  epc: string;
  payee_role: string;
  party_code: string;
  party_name: string;
  username: string | null;
  display_name: string | null;
  units: number;
  amount_fen: string;
  day: string;
  source: string;
  created_at: Date;
}

const view = (r: Row) => ({
  id: r.id,
  programId: r.program_id,
  program: r.program,
  kind: r.kind,
  code: r.epc,
  payeeRole: r.payee_role,
  party: { code: r.party_code, name: r.party_name },
  clerk: r.username ? { username: r.username, name: r.display_name } : null,
  units: r.units,
  amountFen: Number(r.amount_fen),
  day: r.day,
  source: r.source,
  at: r.created_at,
});

export async function listPayouts(sql: Sql, actor: Actor, f: PayoutFilter, page: number, pageSize: number) {
  const w = where(sql, actor, f);
  const [rows, [sum]] = await Promise.all([
    sql<Row[]>`select ${COLUMNS(sql)} ${FROM(sql)} where ${w} order by o.id desc limit ${pageSize} offset ${(page - 1) * pageSize}`,
    sql<{ n: number; fen: string }[]>`select count(*)::int as n, coalesce(sum(o.amount_fen), 0)::text as fen ${FROM(sql)} where ${w}`,
  ]);
  return { total: Number(sum?.n ?? 0), totalFen: Number(sum?.fen ?? 0), items: rows.map(view) };
}

/** Every payout the filter selects, oldest first, streamed in pages of 5,000 by id. */
export async function* payoutRows(sql: Sql, actor: Actor, f: PayoutFilter) {
  let after = 0;
  for (;;) {
    const rows = await sql<
      Row[]
    >`select ${COLUMNS(sql)} ${FROM(sql)} where ${where(sql, actor, f)} and o.id > ${after} order by o.id limit 5000`;
    for (const r of rows)
      yield {
        id: r.id,
        program: r.program,
        kind: r.kind,
        code: r.epc,
        payee_role: r.payee_role,
        party: `${r.party_code} ${r.party_name}`,
        clerk: r.username ? `${r.username} ${r.display_name ?? ''}`.trim() : '',
        units: r.units,
        amount: (Number(r.amount_fen) / 100).toFixed(2),
        day: r.day,
        source: r.source,
      };
    if (rows.length < 5000) return;
    after = (rows[rows.length - 1] as Row).id;
  }
}

export const PAYOUT_COLUMNS = [
  { key: 'id', header: '编号 id' },
  { key: 'program', header: '激励方案 program' },
  { key: 'kind', header: '类型 kind' },
  { key: 'code', header: '码 code' },
  { key: 'payee_role', header: '收款角色 payee role' },
  { key: 'party', header: '渠道成员 party' },
  { key: 'clerk', header: '店员 clerk' },
  { key: 'units', header: '数量 units' },
  { key: 'amount', header: '金额(元) amount (CNY)' },
  { key: 'day', header: '日期 day' },
  { key: 'source', header: '来源 source' },
];
