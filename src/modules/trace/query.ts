/**
 * EPCIS 2.0 SimpleEventQuery over the ledger, as the REST binding's GET /events takes it: list parameters are
 * pipe-delimited, identifiers match in any form (URN or Digital Link, any host) because both sides are canonical,
 * and `*` patterns (urn:epc:idpat:...) match by prefix. Pages are keyset-paginated on (eventTime, id).
 */
import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { tryCanonicalEpc } from '../../platform/epc-urn.ts';
import { cbvShort, EPC_ROLE, ledgerId } from './event-facts.ts';

export const QUERY_PARAMETERS = [
  'eventType',
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'EQ_action',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_readPoint',
  'EQ_bizLocation',
  'MATCH_epc',
  'MATCH_parentID',
  'MATCH_inputEPC',
  'MATCH_outputEPC',
  'MATCH_anyEPC',
  'MATCH_epcClass',
  'MATCH_inputEPCClass',
  'MATCH_outputEPCClass',
  'MATCH_anyEPCClass',
  'EQ_bizTransaction',
  'eventID',
  'perPage',
  'nextPageToken',
] as const;

const MATCH_ROLES: Record<string, number[]> = {
  MATCH_epc: [EPC_ROLE.epcList, EPC_ROLE.childEPCs],
  MATCH_parentID: [EPC_ROLE.parentID],
  MATCH_inputEPC: [EPC_ROLE.inputEPCList],
  MATCH_outputEPC: [EPC_ROLE.outputEPCList],
  MATCH_anyEPC: [EPC_ROLE.epcList, EPC_ROLE.parentID, EPC_ROLE.childEPCs, EPC_ROLE.inputEPCList, EPC_ROLE.outputEPCList],
  MATCH_epcClass: [EPC_ROLE.quantityList, EPC_ROLE.childQuantityList],
  MATCH_inputEPCClass: [EPC_ROLE.inputQuantityList],
  MATCH_outputEPCClass: [EPC_ROLE.outputQuantityList],
  MATCH_anyEPCClass: [EPC_ROLE.quantityList, EPC_ROLE.childQuantityList, EPC_ROLE.inputQuantityList, EPC_ROLE.outputQuantityList],
};

export interface StoredEvent {
  id: number;
  event_time: Date;
  body: Record<string, unknown>;
  context: unknown;
}

export interface EventPage {
  events: StoredEvent[];
  nextPageToken: string | null;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);

function time(name: string, v: string | undefined): Date | null {
  if (v === undefined) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw AppError.field(`/query/${name}`, 'epcis.query_parameter', { name, value: v });
  return d;
}

/** An identifier pattern: exact canonical id, or a prefix when it ends in `*` (an EPC idpat or a Digital Link stem). */
function pattern(value: string): { exact?: string; prefix?: string } {
  if (!value.endsWith('*')) return { exact: ledgerId(value) };
  if (value.startsWith('urn:epc:idpat:')) {
    // urn:epc:idpat:sgtin:6901234.000001.* -> every serial under https://id.gs1.org/01/06901234000016/
    const r = tryCanonicalEpc(value);
    if (r.ok) return { prefix: `${r.value}/` };
  }
  return { prefix: value.slice(0, -1) };
}

function decodeToken(token: string | undefined): { t: Date; id: number } | null {
  if (!token) return null;
  try {
    const [t, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, number];
    const d = new Date(t);
    if (Number.isNaN(d.getTime()) || !Number.isSafeInteger(id)) throw new Error('bad token');
    return { t: d, id };
  } catch {
    throw AppError.field('/query/nextPageToken', 'epcis.query_parameter', { name: 'nextPageToken', value: token });
  }
}

/** Runs a SimpleEventQuery for one tenant. Unknown parameters are refused (the binding's QueryParameterException). */
export async function queryEvents(sql: Sql, tenantId: number, params: Record<string, string | undefined>): Promise<EventPage> {
  for (const name of Object.keys(params)) {
    if (!(QUERY_PARAMETERS as readonly string[]).includes(name) && !name.startsWith('EQ_bizTransaction_')) {
      throw AppError.field(`/query/${name}`, 'epcis.query_parameter_unknown', { name });
    }
  }
  const perPage = params.perPage === undefined ? 30 : Number(params.perPage);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 1000) {
    throw AppError.field('/query/perPage', 'epcis.query_parameter', { name: 'perPage', value: params.perPage ?? '' });
  }
  const after = decodeToken(params.nextPageToken);
  const conditions = [sql`e.tenant_id = ${tenantId}`];
  const types = list(params.eventType);
  if (types.length) conditions.push(sql`e.event_type = any(${types}::text[])`);
  const ranges: [string, string, string][] = [
    ['GE_eventTime', 'event_time', '>='],
    ['LT_eventTime', 'event_time', '<'],
    ['GE_recordTime', 'record_time', '>='],
    ['LT_recordTime', 'record_time', '<'],
  ];
  for (const [name, column, op] of ranges) {
    const t = time(name, params[name]);
    if (!t) continue;
    conditions.push(
      column === 'event_time'
        ? op === '>='
          ? sql`e.event_time >= ${t}`
          : sql`e.event_time < ${t}`
        : op === '>='
          ? sql`e.record_time >= ${t}`
          : sql`e.record_time < ${t}`,
    );
  }
  const actions = list(params.EQ_action);
  if (actions.length) conditions.push(sql`e.action = any(${actions}::text[])`);
  const steps = list(params.EQ_bizStep).map((s) => cbvShort('bizStep', s));
  if (steps.length) conditions.push(sql`e.biz_step = any(${steps}::text[])`);
  const dispositions = list(params.EQ_disposition).map((s) => cbvShort('disposition', s));
  if (dispositions.length) conditions.push(sql`e.disposition = any(${dispositions}::text[])`);
  const readPoints = list(params.EQ_readPoint).map(ledgerId);
  if (readPoints.length) conditions.push(sql`e.read_point = any(${readPoints}::text[])`);
  const locations = list(params.EQ_bizLocation).map(ledgerId);
  if (locations.length) conditions.push(sql`e.biz_location = any(${locations}::text[])`);
  const ids = list(params.eventID);
  if (ids.length) conditions.push(sql`(e.event_hash = any(${ids}::text[]) or e.body->>'eventID' = any(${ids}::text[]))`);

  for (const [name, roles] of Object.entries(MATCH_ROLES)) {
    const values = list(params[name]);
    if (!values.length) continue;
    const exact: string[] = [];
    const prefixes: string[] = [];
    for (const v of values) {
      const p = pattern(v);
      if (p.exact) exact.push(p.exact);
      if (p.prefix) prefixes.push(`${p.prefix.replace(/[\\%_]/g, '\\$&')}%`);
    }
    // through the codes' index: the events that name one of these codes in one of these roles
    const indexed = sql`(e.event_time, e.id) in (select x.event_time, x.event_id from event_epcs x where x.tenant_id = ${tenantId}
      and x.role = any(${roles}::smallint[]) and (x.epc = any(${exact}::text[]) or x.epc like any(${prefixes}::text[])))`;
    // the children of packings are indexed by the containment history (see capture.ts)
    conditions.push(
      roles.includes(EPC_ROLE.childEPCs)
        ? sql`(${indexed} or (e.event_time, e.id) in (select k.packed_at, k.pack_event_id from containment k where k.tenant_id = ${tenantId}
            and (k.child_epc = any(${exact}::text[]) or k.child_epc like any(${prefixes}::text[]))))`
        : indexed,
    );
  }

  const transactions: { type: string | null; ids: string[] }[] = [];
  if (params.EQ_bizTransaction) transactions.push({ type: null, ids: list(params.EQ_bizTransaction) });
  for (const [name, v] of Object.entries(params)) {
    if (name.startsWith('EQ_bizTransaction_') && v) transactions.push({ type: name.slice('EQ_bizTransaction_'.length), ids: list(v) });
  }
  for (const t of transactions) {
    conditions.push(sql`exists (select 1 from jsonb_array_elements(coalesce(e.body->'bizTransactionList', '[]'::jsonb)) b
      where b->>'bizTransaction' = any(${t.ids}::text[])
      ${t.type ? sql`and coalesce(b->>'type', '') in (${t.type}, ${`https://ref.gs1.org/cbv/BTT-${t.type}`}, ${`urn:epcglobal:cbv:btt:${t.type}`})` : sql``})`);
  }
  if (after) conditions.push(sql`(e.event_time, e.id) > (${after.t}, ${after.id})`);

  const where = conditions.reduce((acc, c) => sql`${acc} and ${c}`);
  const rows = await sql<StoredEvent[]>`
    select e.id, e.event_time, e.body, e.context from epcis_events e
    where ${where}
    order by e.event_time, e.id
    limit ${perPage + 1}`;
  const more = rows.length > perPage;
  const events = more ? rows.slice(0, perPage) : rows;
  const last = events.at(-1);
  return {
    events,
    nextPageToken:
      more && last ? Buffer.from(JSON.stringify([last.event_time.toISOString(), Number(last.id)])).toString('base64url') : null,
  };
}
