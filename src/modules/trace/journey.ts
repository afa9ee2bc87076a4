/**
 * The journey of a code: its own events, plus the events of every container it travelled in for the time
 * it was inside (a pallet shipped with the case the unit was packed in shipped the unit too).
 */
import type { RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { digitalLinkFromAiElements, parseBracketedAiData } from '../../platform/digital-link.ts';
import { tryCanonicalEpc } from '../../platform/epc-urn.ts';
import { partyScope, seesWholeTenant } from '../auth/index.ts';
import { divisionName } from '../parties/index.ts';
import { EPC_ROLE, glnOf } from './event-facts.ts';
import { activeRecallOf } from './recall.ts';

interface EventRow {
  id: number;
  event_time: Date;
  event_hash: string;
  event_type: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  read_point: string | null;
  biz_location: string | null;
  role: number;
  body: Record<string, unknown>;
  child_count: number;
}

const FOREVER = new Date('9999-12-31T00:00:00Z');
const MAX_DEPTH = 4;

/** Any way a person or a scanner writes a code -> the ledger's canonical id (or null). */
export function canonicalCode(input: string): string | null {
  const s = input.trim();
  if (/^\d{18}$/.test(s)) return `https://id.gs1.org/00/${s}`;
  if (s.startsWith('(')) {
    // a GS1 element string as a DataMatrix carries it, in any AI order and with data attributes such as (17) expiry
    const parsed = parseBracketedAiData(s);
    if (!parsed.ok) return null;
    const dl = digitalLinkFromAiElements(parsed.value);
    if (!dl.ok) return null;
    const r = tryCanonicalEpc(dl.value);
    return r.ok ? r.value : null;
  }
  const r = tryCanonicalEpc(s);
  return r.ok ? r.value : null;
}

async function eventsOf(ctx: RequestContext, epc: string, from: Date, to: Date): Promise<EventRow[]> {
  return ctx.sql<EventRow[]>`
    select e.id, e.event_time, e.event_hash, e.event_type, e.action, e.biz_step, e.disposition, e.read_point, e.biz_location,
      x.role, e.body, coalesce(jsonb_array_length(e.body->'childEPCs'), 0) as child_count
    from event_epcs x
    join epcis_events e on e.tenant_id = x.tenant_id and e.event_time = x.event_time and e.id = x.event_id
    where x.tenant_id = ${ctx.actor.tenantId} and x.epc = ${epc} and x.event_time >= ${from} and x.event_time < ${to}
    order by x.event_time, x.event_id`;
}

interface Step {
  row: EventRow;
  via: string;
}

/**
 * Collects the events of `epc` in [from, to) and, for each time it was packed into a container, the
 * container's events while it was inside (recursively: a case on a pallet).
 */
async function collect(
  ctx: RequestContext,
  epc: string,
  from: Date,
  to: Date,
  depth: number,
  out: Step[],
  containers: { epc: string; parent: string; from: Date; to: Date | null }[],
) {
  const own = await eventsOf(ctx, epc, from, to);
  for (const row of own) {
    // a container's packing and unpacking of other codes is not part of this code's journey
    if (depth > 0 && row.role === EPC_ROLE.parentID && row.event_type === 'AggregationEvent') continue;
    out.push({ row, via: epc });
  }
  if (depth >= MAX_DEPTH) return;
  const packs = own.filter((r) => r.event_type === 'AggregationEvent' && r.role === EPC_ROLE.childEPCs);
  for (const pack of packs.filter((r) => r.action === 'ADD')) {
    const parent = typeof pack.body.parentID === 'string' ? canonicalCode(pack.body.parentID) : null;
    if (!parent) continue;
    const start = pack.event_time;
    // it leaves the container at the first unpack naming it (or emptying the container) or when packed elsewhere
    const parentEvents = await eventsOf(ctx, parent, start, to);
    const leftByParent = parentEvents.find(
      (r) =>
        r.event_type === 'AggregationEvent' &&
        r.action === 'DELETE' &&
        r.role === EPC_ROLE.parentID &&
        (r.child_count === 0 || childNamed(r, epc)),
    );
    const leftByOwn = packs.find((r) => r.event_time > start && r !== pack);
    const end = [leftByParent?.event_time, leftByOwn?.event_time, to]
      .filter((d): d is Date => !!d)
      .sort((a, b) => a.getTime() - b.getTime())[0] as Date;
    containers.push({ epc: parent, parent: epc, from: start, to: end.getTime() === FOREVER.getTime() ? null : end });
    // the unpacking that let it out belongs to its journey
    if (leftByParent && leftByParent.event_time.getTime() === end.getTime()) out.push({ row: leftByParent, via: parent });
    // events strictly after packing (the packing event itself is already in the code's own list)
    await collect(ctx, parent, new Date(start.getTime() + 1), end, depth + 1, out, containers);
  }
}

function childNamed(r: EventRow, epc: string): boolean {
  const children = Array.isArray(r.body.childEPCs) ? (r.body.childEPCs as string[]) : [];
  return children.some((c) => canonicalCode(c) === epc);
}

/** The outermost container a code is in now (itself when loose), up the parent chain. */
async function outermost(ctx: RequestContext, epc: string): Promise<string> {
  const [r] = await ctx.sql<{ epc: string }[]>`
    with recursive up(epc, parent, depth) as (
      select epc, parent_epc, 0 from code_state where tenant_id = ${ctx.actor.tenantId} and epc = ${epc}
      union all
      select c.epc, c.parent_epc, up.depth + 1 from code_state c join up on c.tenant_id = ${ctx.actor.tenantId} and c.epc = up.parent
      where up.depth < 8
    )
    select epc from up order by depth desc limit 1`;
  return r?.epc ?? epc;
}

export async function codeJourney(ctx: RequestContext, input: string) {
  const sql = ctx.sql;
  let epc = canonicalCode(input);
  if (!epc) {
    // a bare serial, as printed under the code: try it under each of the brand's GTINs (a few hundred key probes)
    const found = await sql<{ epc: string }[]>`
      select c.epc from packaging_levels pl
      join code_state c on c.tenant_id = pl.tenant_id and c.epc = 'https://id.gs1.org/01/' || pl.gtin || '/21/' || ${encodeURIComponent(input.trim())}
      where pl.tenant_id = ${ctx.actor.tenantId} limit 2`;
    if (found.length === 1) epc = found[0]?.epc ?? null;
  }
  if (!epc) throw AppError.field('/params/code', 'code.unrecognised', { value: input });

  const steps: Step[] = [];
  const containers: { epc: string; parent: string; from: Date; to: Date | null }[] = [];
  // the state and the events on two connections at once: a journey is a chain of short lookups, so round trips count
  const [[state]] = await Promise.all([
    sql<Record<string, unknown>[]>`
      select c.*, pr.name_zh as product_name_zh, pr.name_en as product_name_en, pr.sku, h.name as holder_name, h.code as holder_code
      from code_state c
      left join packaging_levels pl on pl.tenant_id = c.tenant_id and pl.gtin = c.gtin
      left join products pr on pr.tenant_id = c.tenant_id and pr.id = pl.product_id
      left join parties h on h.tenant_id = c.tenant_id and h.id = c.holder_party_id
      where c.tenant_id = ${ctx.actor.tenantId} and c.epc = ${epc}`,
    collect(ctx, epc, new Date(0), FOREVER, 0, steps, containers),
  ]);
  if (!state && !steps.length) throw AppError.notFound();
  steps.sort((a, b) => a.row.event_time.getTime() - b.row.event_time.getTime() || a.row.id - b.row.id);

  const glns = [...new Set(steps.flatMap((s) => [glnOf(s.row.biz_location), glnOf(s.row.read_point)]).filter((g): g is string => !!g))];
  const [places, top, recall] = await Promise.all([
    glns.length
      ? sql<
          {
            id: number;
            gln: string;
            code: string;
            name: string;
            kind: string;
            province_code: string | null;
            city_code: string | null;
            district_code: string | null;
            lat: number | null;
            lng: number | null;
          }[]
        >`
        select id, gln, code, name, kind, province_code, city_code, district_code, lat, lng from parties
        where tenant_id = ${ctx.actor.tenantId} and gln = any(${glns}::text[])`
      : [],
    state?.parent_epc ? outermost(ctx, epc) : epc,
    state ? activeRecallOf(ctx, (state.gtin as string | null) ?? null, (state.lot as string | null) ?? null) : null,
  ]);
  const placeByGln = new Map(places.map((p) => [p.gln, p]));

  if (!seesWholeTenant(ctx.actor)) {
    // others see a code only if it passed through, or is now with, a party in their scope
    const partyIds = [...places.map((p) => Number(p.id)), ...(state?.holder_party_id ? [Number(state.holder_party_id)] : [])];
    const [visible] = partyIds.length
      ? await sql<
          { n: number }[]
        >`select count(*)::int as n from parties p where ${partyScope(sql, ctx.actor)} and p.id = any(${partyIds}::bigint[])`
      : [{ n: 0 }];
    if (!visible?.n) throw AppError.notFound();
  }

  const placeOf = (id: string | null) => {
    const p = placeByGln.get(glnOf(id) ?? '');
    if (!p) return id ? { id } : null;
    return {
      id,
      partyId: Number(p.id),
      partyCode: p.code,
      partyName: p.name,
      kind: p.kind,
      provinceCode: p.province_code,
      provinceName: divisionName(p.province_code),
      cityName: divisionName(p.city_code),
      districtName: divisionName(p.district_code),
      lat: p.lat,
      lng: p.lng,
    };
  };
  const seen = new Set<number>();
  return {
    code: epc,
    state: state
      ? {
          gtin: state.gtin,
          sku: state.sku ?? null,
          productName: ctx.locale === 'en' ? (state.product_name_en ?? null) : (state.product_name_zh ?? null),
          level: state.level,
          lot: state.lot,
          status: state.status,
          recalled: !!recall,
          parent: state.parent_epc,
          top,
          holder: state.holder_party_id ? { id: Number(state.holder_party_id), code: state.holder_code, name: state.holder_name } : null,
          location: state.location,
          lastEventTime: state.last_event_time,
        }
      : null,
    recall,
    containers,
    events: steps
      .filter((s) => !seen.has(s.row.id) && seen.add(s.row.id))
      .map((s) => ({
        eventId: (s.row.body.eventID as string | undefined) ?? s.row.event_hash,
        eventHash: s.row.event_hash,
        type: s.row.event_type,
        action: s.row.action,
        bizStep: s.row.biz_step,
        disposition: s.row.disposition,
        eventTime: s.row.event_time,
        via: s.via,
        readPoint: placeOf(s.row.read_point),
        bizLocation: placeOf(s.row.biz_location),
        bizTransactions: s.row.body.bizTransactionList ?? [],
        sources: s.row.body.sourceList ?? [],
        destinations: s.row.body.destinationList ?? [],
      })),
  };
}
