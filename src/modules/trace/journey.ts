/**
 * The journey of a code: its own events, plus the events of every container it travelled in for the time
 * it was inside (a pallet shipped with the case the unit was packed in shipped the unit too).
 */
import type { RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { digitalLinkFromAiElements, parseBracketedAiData } from '../../platform/digital-link.ts';
import { tryCanonicalEpc } from '../../platform/epc-urn.ts';
import { partyScope, seesWholeTenant } from '../auth/index.ts';
import { divisionName, regionName } from '../parties/index.ts';
import { EPC_ROLE, glnOf } from './event-facts.ts';

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
}

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

interface Step {
  row: EventRow;
  via: string;
}

interface Container {
  epc: string;
  parent: string;
  from: Date;
  to: Date | null;
}

/**
 * The containers a code travelled in, with the time it was inside each (recursively: its case, the case's
 * pallet for the time the case was on it), from the containment history. Depth-bounded against cycles.
 * A code sold to a consumer or destroyed inside its container left it at that event (containment.ts
 * leaveAtTheirEnd closes the link), so what the case does afterwards (inspected, unpacked) is not its journey.
 */
function chainOf(ctx: RequestContext, epc: string) {
  const t = ctx.actor.tenantId;
  return ctx.sql`
    with recursive chain(epc, child, t_from, t_to, depth, unpack_event) as (
      select ${epc}::text, null::text, '-infinity'::timestamptz, 'infinity'::timestamptz, 0, null::bigint
      union all
      select k.parent_epc, ch.epc, greatest(k.packed_at, ch.t_from), least(coalesce(k.unpacked_at, 'infinity'), ch.t_to), ch.depth + 1,
        k.unpack_event_id
      from chain ch
      join containment k on k.tenant_id = ${t} and k.child_epc = ch.epc
        and k.packed_at < ch.t_to and coalesce(k.unpacked_at, 'infinity') > ch.t_from
      where ch.depth < ${MAX_DEPTH}
    )`;
}

interface Place {
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
}

/** A party a source or destination names, by GLN. */
interface EndParty {
  id: number;
  gln: string;
  code: string;
  name: string;
  kind: string;
}

type JourneyRow = EventRow & { via: string; depth: number; child: string | null; t_from: string; t_to: string; event_time: string };

/**
 * One statement, one round trip: the code's state now, its own events and each container's events while the code
 * was inside it (not the container's packing or unpacking of other codes, but the unpacking that let this code
 * out), the places those events name, and the parties their sources and destinations name that the caller may see
 * (a shipment names where it goes before any event happens there). A journey is a dozen index probes; as separate
 * queries their round trips and wake-ups were most of its time.
 */
async function journeyData(ctx: RequestContext, epc: string) {
  const t = ctx.actor.tenantId;
  const [row] = await ctx.sql<
    { events: JourneyRow[] | null; state: Record<string, unknown> | null; places: Place[] | null; ends: EndParty[] | null }[]
  >`
    ${chainOf(ctx, epc)}, ev as (
      select ch.epc as via, ch.depth, ch.child, ch.t_from, ch.t_to, e.id, e.event_time, e.event_hash, e.event_type, e.action, e.biz_step,
        e.disposition, e.read_point, e.biz_location, x.role, e.body
      from chain ch
      left join lateral (
        select x.event_time, x.event_id, x.role from event_epcs x
        where x.tenant_id = ${t} and x.epc = ch.epc and (ch.depth = 0 or (x.event_time > ch.t_from and x.event_time <= ch.t_to))
        union all
        -- packings name their children in the containment history, not in event_epcs
        select k.packed_at, k.pack_event_id, ${EPC_ROLE.childEPCs}::smallint from containment k
        where k.tenant_id = ${t} and k.child_epc = ch.epc and (ch.depth = 0 or (k.packed_at > ch.t_from and k.packed_at <= ch.t_to))
      ) x on true
      left join epcis_events e on e.tenant_id = ${t} and e.event_time = x.event_time and e.id = x.event_id
      where ch.depth = 0
        or (x.event_time < ch.t_to and not (e.event_type = 'AggregationEvent' and x.role = ${EPC_ROLE.parentID}))
        or e.id = ch.unpack_event
        or x.event_id is null
    ), st as (
      select c.*, pr.name_zh as product_name_zh, pr.name_en as product_name_en, pr.sku, h.name as holder_name, h.code as holder_code,
        r.id as recall_id, r.reason as recall_reason, r.created_at as recall_created_at
      from code_now c
      left join packaging_levels pl on pl.tenant_id = c.tenant_id and pl.gtin = c.gtin
      left join products pr on pr.tenant_id = c.tenant_id and pr.id = pl.product_id
      left join parties h on h.tenant_id = c.tenant_id and h.id = c.holder_party_id
      left join recalls r on r.tenant_id = c.tenant_id and r.gtin = c.gtin and r.lot = c.lot and r.active
      where c.tenant_id = ${t} and c.epc = ${epc}
    ), pl as (
      -- the GLN of a Digital Link location or party (/414/{gln}, /417/{gln}), as glnOf reads it
      select id, gln, code, name, kind, province_code, city_code, district_code, lat, lng from parties
      where tenant_id = ${t} and gln in (
        select substring(v.id from '/(?:414|417)/([0-9]{13})(?:/|$)')::bpchar from ev cross join lateral (values (ev.biz_location), (ev.read_point)) v(id))
    ), ends as (
      -- the parties of the sources and destinations (owning or possessing party, location), only those in the caller's
      -- data scope: the journey shows the others by GLN, as it did, and so does not reveal who they are
      select p.id, p.gln, p.code, p.name, p.kind from parties p
      where ${partyScope(ctx.sql, ctx.actor)} and p.gln in (
        select substring(v.id from '/(?:414|417)/([0-9]{13})(?:/|$)')::bpchar from ev cross join lateral (
          select s->>'source' from jsonb_array_elements(
            case when jsonb_typeof(ev.body->'sourceList') = 'array' then ev.body->'sourceList' else '[]'::jsonb end) s
          union all
          select d->>'destination' from jsonb_array_elements(
            case when jsonb_typeof(ev.body->'destinationList') = 'array' then ev.body->'destinationList' else '[]'::jsonb end) d
        ) v(id))
    )
    select (select json_agg(ev) from ev) as events, (select row_to_json(st) from st) as state, (select json_agg(pl) from pl) as places,
      (select json_agg(ends) from ends) as ends`;
  const steps: Step[] = [];
  const containers = new Map<string, Container>();
  for (const r of row?.events ?? []) {
    if (r.depth > 0 && r.child) {
      const to = new Date(r.t_to);
      const from = new Date(r.t_from);
      containers.set(`${r.via}|${r.t_from}`, { epc: r.via, parent: r.child, from, to: Number.isFinite(to.getTime()) ? to : null });
    }
    if (r.id != null) steps.push({ row: { ...r, event_time: new Date(r.event_time) }, via: r.via });
  }
  const state = row?.state ?? null;
  if (state)
    for (const k of ['last_event_time', 'commissioned_at', 'recall_created_at'])
      if (typeof state[k] === 'string') state[k] = new Date(state[k] as string);
  return {
    state,
    steps,
    containers: [...containers.values()].sort((a, b) => a.from.getTime() - b.from.getTime()),
    places: row?.places ?? [],
    ends: row?.ends ?? [],
  };
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

  const { state, steps, containers, places, ends } = await journeyData(ctx, epc);
  if (!state && !steps.length) throw AppError.notFound();
  steps.sort((a, b) => a.row.event_time.getTime() - b.row.event_time.getTime() || a.row.id - b.row.id);
  const recall = state?.recall_id
    ? { id: Number(state.recall_id), reason: state.recall_reason as string, createdAt: state.recall_created_at as Date }
    : null;
  // the outermost container it is in now: up the open links of the chain
  let top = epc;
  for (let next = containers.find((c) => c.parent === top && !c.to); next; next = containers.find((c) => c.parent === top && !c.to))
    top = next.epc;
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
      provinceName: divisionName(p.province_code, ctx.locale),
      cityName: regionName(p.city_code, ctx.locale),
      districtName: divisionName(p.district_code, ctx.locale),
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
    /** the parties the events' sources and destinations name, by GLN (those the caller may see; others stay bare GLNs) */
    parties: ends
      .map((p) => ({ gln: p.gln, id: Number(p.id), code: p.code, name: p.name, kind: p.kind }))
      .sort((a, b) => a.gln.localeCompare(b.gln)),
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
