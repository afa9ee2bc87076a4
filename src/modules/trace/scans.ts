/**
 * Scans from devices and the mobile scanning page: commission, pack, unpack, replace a label, ship, receive,
 * sell, inspect. Each scan is checked code by code against what the ledger knows (issued by this brand, of a
 * product it makes, in the state the step needs, read once), then becomes EPCIS events captured in the same
 * transaction. A rejected scan writes nothing and says what is wrong with each code; a scan sent again (same
 * scanId and time, e.g. from an offline queue) is stored once because its events have the same hashes.
 */

import { createHash } from 'node:crypto';
import type { Db, RequestContext } from '../../context.ts';
import type { Tx } from '../../db/connection.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { type Actor, actorLabel, partyScope } from '../auth/index.ts';
import { issuedCodes } from '../codes/batches.ts';
import type { Keystore } from '../codes/keystore.ts';
import { serialsFor } from '../codes/serials.ts';
import { payForScan, type ScanEarnings } from '../incentives/channel/scan-hook.ts';
import { type PartyKind, receiversOf, shipRefusal } from '../parties/index.ts';
import { captureEvents, prepareEvents } from './capture.ts';
import { EPCIS_CONTEXT } from './epcis/query-document.ts';
import type { EpcisEvent } from './event-facts.ts';
import { canonicalCode } from './journey.ts';
import { nameHolders } from './scan-holders.ts';

export const SCAN_KINDS = ['commission', 'pack', 'unpack', 'replace', 'ship', 'receive', 'sell', 'inspect'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

export interface ScanRequest {
  scanId: string;
  kind: ScanKind;
  /** when the scan happened on the device (ISO 8601); the server's clock if absent */
  at?: string;
  codes?: string[];
  /** commission a whole label range of a batch (manual lines) */
  range?: { batchId: number; from: number; count: number };
  parent?: string;
  lot?: string;
  /** ship: the receiving party's code */
  to?: string;
  /** ship/receive: the number of the order this scan ships or receives (the orders module fulfils it) */
  order?: string;
  replace?: { old: string; new: string };
}

export interface ScanOutcome {
  scanId: string;
  kind: ScanKind;
  events: number;
  newEvents: number;
  codes: number;
  warnings: FieldError[];
  /** true when this scan id had been recorded before: the first answer, repeated */
  replayed?: boolean;
  /** what the scan earned under channel incentive programs, when one applies (the clerk sees their bonus at once) */
  earnings?: ScanEarnings;
  /** a scan that named an order: what became of the order */
  order?: ScannedOrder;
}

/** The order a ship or receive scan fulfilled, as the scanning page shows it. */
export interface ScannedOrder {
  id: number;
  orderNo: string;
  /** the order's status after the scan (shipped, partially_shipped, received, ...) */
  status: string;
  /** units per SKU shipped or received by this scan */
  units: Record<string, number>;
  /** a receipt: codes scanned that were not shipped under the order, recorded as differences for the seller */
  over?: number;
}

interface CodeRow {
  epc: string;
  gtin: string | null;
  level: string | null;
  lot: string | null;
  parent_epc: string | null;
  status: string;
  holder_party_id: number | null;
  in_transit_to: number | null;
}

const MAX_CODES = 50_000;

/** Which kind of place may do which step (a store does not commission codes; only a store sells to consumers). */
export const ALLOWED_AT: Record<ScanKind, string[]> = {
  commission: ['brand', 'factory', 'warehouse'],
  pack: ['brand', 'factory', 'warehouse', 'distributor'],
  unpack: ['brand', 'factory', 'warehouse', 'distributor', 'store'],
  replace: ['brand', 'factory', 'warehouse', 'distributor'],
  ship: ['brand', 'factory', 'warehouse', 'distributor'],
  receive: ['brand', 'factory', 'warehouse', 'distributor', 'store'],
  sell: ['store'],
  inspect: ['brand', 'factory', 'warehouse', 'distributor', 'store'],
};

/**
 * The place an actor scans or captures at: its party (the brand's own for a brand user without one), which must have
 * a GLN, since events name where they happen by it.
 */
export async function placeOf(db: Db, actor: Actor): Promise<{ id: number; gln: string; kind: string }> {
  const t = actor.tenantId;
  const [place] = await db<{ id: string; gln: string | null; kind: string }[]>`
    select p.id::text, p.gln, p.kind from parties p
    where p.tenant_id = ${t} and p.id = coalesce(${actor.partyId}, (select id from parties where tenant_id = ${t} and kind = 'brand' limit 1))`;
  if (!place?.gln) throw new AppError(409, 'scan.no_location', {});
  return { id: Number(place.id), gln: place.gln, kind: place.kind };
}

/** The receiver a ship scan names, as the receiver rule (party-rules.ts shipRefusal) and its refusal need it. */
interface ReceiverRow {
  id: number;
  gln: string | null;
  code: string;
  name: string;
  kind: string;
  parent_id: number | null;
  status: string;
  /** whether the scanner's data scope includes it: the refusal names it then, else says only its code */
  visible: boolean;
}

/**
 * A ship scan's receiver must be one its place ships to (party-rules.ts receiversOf: the parties the scanning page's
 * receiver picker offers): else the scan is refused at /body/to, saying why (`reason` for machines). The words name the
 * receiver by the code the scanner typed, and by its name only when the scanner may see that party.
 */
function receiverRefused(place: { id: number; kind: string }, to: ReceiverRow): FieldError | null {
  const reason = shipRefusal(place, { id: to.id, kind: to.kind, parentId: to.parent_id, status: to.status });
  if (!reason) return null;
  return {
    pointer: '/body/to',
    code: 'scan.receiver_not_allowed',
    message: `scan.receiver_not_allowed.${reason}`,
    params: {
      value: to.code,
      receiver: to.visible ? { code: to.code, name: to.name } : { code: to.code },
      kind: to.kind,
      place: place.kind,
      allowed: receiversOf(place.kind as PartyKind).kinds,
    },
    members: { reason },
  };
}

function reject(errors: FieldError[]): never {
  throw new AppError(422, 'scan.rejected', { count: errors.length }, errors);
}

/** When the scan happened: the device's time (refused when unreadable or in the future), else now. */
export function scanTime(req: Pick<ScanRequest, 'at'>): Date {
  const at = req.at ? new Date(req.at) : new Date();
  if (Number.isNaN(at.getTime()))
    reject([{ pointer: '/body/at', code: 'field.invalid', params: { field: 'at', reason: 'ISO 8601 time' } }]);
  if (at.getTime() > Date.now() + 5 * 60_000) reject([{ pointer: '/body/at', code: 'scan.future_time', params: {} }]);
  return at;
}

/** The place the scan is made at, which must be one that does this step (403 `scan.not_here` otherwise). */
export async function scanPlace(ctx: RequestContext, kind: ScanKind): Promise<ScanPlace> {
  const place = await placeOf(ctx.sql, ctx.actor);
  if (!ALLOWED_AT[kind].includes(place.kind)) throw AppError.forbidden('scan.not_here', { kind, party: place.kind });
  return place;
}

export type ScanPlace = Awaited<ReturnType<typeof placeOf>>;

/**
 * A ship or receive scan that names an order by its number fulfils that order: the orders module ships or receives it
 * (the same rules as the console's shipment by scan) and answers as a scan. The HTTP layer hands it in, so the ledger's
 * module does not depend on the orders module (which depends on it).
 */
export type OrderScanHandler = (
  ctx: RequestContext,
  req: ScanRequest & { kind: 'ship' | 'receive'; order: string },
  scan: { place: ScanPlace; at: Date },
) => Promise<ScanOutcome>;

/** Whether the scan names an order to ship or receive (else it is a scan of the ledger alone). */
export function namesOrder(req: ScanRequest): req is ScanRequest & { kind: 'ship' | 'receive'; order: string } {
  return (req.kind === 'ship' || req.kind === 'receive') && !!req.order;
}

/** Runs one scan. `keystore` tells issued serials from forged ones. */
export async function runScan(ctx: RequestContext, keystore: Keystore, req: ScanRequest): Promise<ScanOutcome> {
  const tenantId = ctx.actor.tenantId;
  const sql = ctx.sql;
  const at = scanTime(req);
  const place = await scanPlace(ctx, req.kind);
  // an order is shipped or received (the route hands such a scan to the orders module); no other step names one
  if (req.order) reject([{ pointer: '/body/order', code: 'scan.order_not_this_step', params: { kind: req.kind } }]);
  const location = { id: `https://id.gs1.org/414/${place.gln}` };

  // the codes of the request, canonical, each once
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  let rawCodes = req.codes ?? [];
  if (req.range && req.kind !== 'commission') reject([{ pointer: '/body/range', code: 'scan.range_commission_only', params: {} }]);
  if (req.kind === 'commission' && req.range) rawCodes = await rangeCodes(ctx, keystore, req.range, errors);
  // a scan of nothing records nothing (a label replacement names its codes in `replace`)
  if (!rawCodes.length && req.kind !== 'replace' && !errors.length)
    reject([{ pointer: '/body/codes', code: 'field.required', params: { field: 'codes' } }]);
  if (rawCodes.length > MAX_CODES) reject([{ pointer: '/body/codes', code: 'scan.too_many', params: { max: MAX_CODES } }]);
  const codes: string[] = [];
  const seen = new Map<string, number>();
  rawCodes.forEach((raw, i) => {
    const epc = canonicalCode(raw);
    if (!epc) errors.push({ pointer: `/body/codes/${i}`, code: 'code.unrecognised', params: { value: raw } });
    else if (seen.has(epc))
      errors.push({ pointer: `/body/codes/${i}`, code: 'code.read_twice', params: { value: raw, first: seen.get(epc) } });
    else {
      seen.set(epc, i);
      codes.push(epc);
    }
  });
  const pointerOf = (epc: string) => `/body/codes/${seen.get(epc) ?? 0}`;
  const parent = req.parent ? canonicalCode(req.parent) : null;
  if (req.parent && !parent) errors.push({ pointer: '/body/parent', code: 'code.unrecognised', params: { value: req.parent } });
  if (parent && seen.has(parent)) errors.push({ pointer: '/body/parent', code: 'pack.cycle', params: { value: req.parent } });

  return sql.begin(async (tx) => {
    // the same scan again (a queue replaying after a lost answer): the first answer, nothing written
    const fingerprint = scanFingerprint(req, codes, parent);
    const [done] = await tx<
      { outcome: ScanOutcome; same: boolean | null }[]
    >`select outcome, request_hash = ${fingerprint} as same from scans where tenant_id = ${tenantId} and scan_id = ${req.scanId}`;
    if (done) {
      // a queue sending a scan again sends the same scan; another scan under a used id would be lost if answered as a
      // replay (a scan recorded before migration 0039 has no fingerprint: its kind and number of codes are compared)
      const other = done.same === null ? done.outcome.kind !== req.kind || done.outcome.codes !== codes.length : !done.same;
      if (other) {
        const params = { kind: done.outcome.kind, codes: done.outcome.codes };
        throw new AppError(409, 'scan.id_reused', params, [{ pointer: '/body/scanId', code: 'scan.id_reused', params }]);
      }
      return { ...done.outcome, newEvents: 0, replayed: true };
    }
    const all = [...codes, ...(parent ? [parent] : [])];
    const newCode = req.replace ? canonicalCode(req.replace.new) : null;
    const oldCode = req.replace ? canonicalCode(req.replace.old) : null;
    if (req.kind === 'replace') {
      if (!newCode) errors.push({ pointer: '/body/replace/new', code: 'code.unrecognised', params: { value: req.replace?.new } });
      if (!oldCode) errors.push({ pointer: '/body/replace/old', code: 'code.unrecognised', params: { value: req.replace?.old } });
    }
    const named = [...all, ...(newCode ? [newCode] : []), ...(oldCode ? [oldCode] : [])];
    await checkIssued(
      tx,
      keystore,
      tenantId,
      named,
      (epc) =>
        epc === parent ? '/body/parent' : epc === newCode ? '/body/replace/new' : epc === oldCode ? '/body/replace/old' : pointerOf(epc),
      errors,
    );
    const states = new Map(
      (
        await tx<CodeRow[]>`
          with locked as (
            -- a concurrent scan of the same codes waits for this one
            select epc from code_state where tenant_id = ${tenantId} and epc = any(${named}::text[]) order by epc for update
          )
          select n.epc, n.gtin, n.level, n.lot, n.parent_epc, n.status, n.holder_party_id, n.in_transit_to
          from locked join code_now n on n.tenant_id = ${tenantId} and n.epc = locked.epc`
      ).map((r) => [r.epc, { ...r, holder_party_id: r.holder_party_id == null ? null : Number(r.holder_party_id) }]),
    );
    const events: EpcisEvent[] = [];
    const base = (n: number) => ({
      eventTime: new Date(at.getTime() + n).toISOString(),
      eventTimeZoneOffset: '+08:00',
      eventID: `urn:uuid:${req.scanId}`.replace(/$/, n ? `-${n}` : ''),
      bizLocation: location,
      readPoint: location,
    });

    switch (req.kind) {
      case 'commission': {
        if (!req.lot) errors.push({ pointer: '/body/lot', code: 'field.required', params: { field: 'lot' } });
        for (const epc of codes)
          if (states.has(epc)) errors.push({ pointer: pointerOf(epc), code: 'code.already_commissioned', params: { value: epc } });
        if (!codes.length) errors.push({ pointer: '/body/codes', code: 'field.required', params: { field: 'codes' } });
        events.push({
          type: 'ObjectEvent',
          ...base(0),
          epcList: codes,
          action: 'ADD',
          bizStep: 'commissioning',
          disposition: 'active',
          ilmd: { 'cbvmda:lotNumber': req.lot },
        });
        break;
      }
      case 'pack': {
        if (!parent) errors.push({ pointer: '/body/parent', code: 'field.required', params: { field: 'parent' } });
        else await checkPack(tx, tenantId, parent, codes, states, pointerOf, errors);
        events.push({
          type: 'AggregationEvent',
          ...base(0),
          parentID: parent ?? '',
          childEPCs: codes,
          action: 'ADD',
          bizStep: 'packing',
          disposition: 'in_progress',
        });
        break;
      }
      case 'unpack': {
        if (!parent) errors.push({ pointer: '/body/parent', code: 'field.required', params: { field: 'parent' } });
        else if (!states.has(parent)) errors.push({ pointer: '/body/parent', code: 'code.not_commissioned', params: { value: parent } });
        for (const epc of codes) {
          if (states.get(epc)?.parent_epc !== parent)
            errors.push({ pointer: pointerOf(epc), code: 'code.not_in_parent', params: { value: epc } });
        }
        events.push({
          type: 'AggregationEvent',
          ...base(0),
          parentID: parent ?? '',
          childEPCs: codes,
          action: 'DELETE',
          bizStep: 'unpacking',
        });
        break;
      }
      case 'replace': {
        const old = oldCode ? states.get(oldCode) : undefined;
        if (oldCode && !old) errors.push({ pointer: '/body/replace/old', code: 'code.not_commissioned', params: { value: oldCode } });
        if (newCode && states.has(newCode))
          errors.push({ pointer: '/body/replace/new', code: 'code.already_commissioned', params: { value: newCode } });
        if (old && newCode && old.gtin && !newCode.includes(`/01/${old.gtin}/`)) {
          errors.push({ pointer: '/body/replace/new', code: 'replace.other_product', params: { value: newCode } });
        }
        if (old && newCode && oldCode) {
          events.push({
            type: 'ObjectEvent',
            ...base(0),
            epcList: [newCode],
            action: 'ADD',
            bizStep: 'commissioning',
            disposition: 'active',
            ...(old.lot ? { ilmd: { 'cbvmda:lotNumber': old.lot } } : {}),
          });
          if (old.parent_epc)
            events.push({
              type: 'AggregationEvent',
              ...base(1),
              parentID: old.parent_epc,
              childEPCs: [newCode],
              action: 'ADD',
              bizStep: 'packing',
            });
          if (old.parent_epc)
            events.push({
              type: 'AggregationEvent',
              ...base(2),
              parentID: old.parent_epc,
              childEPCs: [oldCode],
              action: 'DELETE',
              bizStep: 'unpacking',
            });
          events.push({
            type: 'ObjectEvent',
            ...base(3),
            epcList: [oldCode],
            action: 'DELETE',
            bizStep: 'decommissioning',
            disposition: 'inactive',
          });
        }
        break;
      }
      case 'ship': {
        const [to] = req.to
          ? await tx<ReceiverRow[]>`
              select p.id::int, p.gln, p.code, p.name, p.kind, p.parent_id::int as parent_id, p.status,
                (${partyScope(ctx.sql, ctx.actor)}) as visible
              from parties p where p.tenant_id = ${tenantId} and p.code = ${req.to}`
          : [];
        if (!req.to) errors.push({ pointer: '/body/to', code: 'field.required', params: { field: 'to' } });
        else if (!to?.gln) errors.push({ pointer: '/body/to', code: 'import.reference', params: { field: 'to', value: req.to } });
        else {
          const refused = receiverRefused(place, to);
          if (refused) errors.push(refused);
        }
        for (const epc of codes) {
          const s = states.get(epc);
          if (!s) errors.push({ pointer: pointerOf(epc), code: 'code.not_commissioned', params: { value: epc } });
          else if (s.status === 'in_transit') errors.push({ pointer: pointerOf(epc), code: 'code.in_transit', params: { value: epc } });
          else if (s.holder_party_id !== place.id) errors.push({ pointer: pointerOf(epc), code: 'code.not_held', params: { value: epc } });
          else if (s.parent_epc)
            errors.push({ pointer: pointerOf(epc), code: 'code.already_packed', params: { value: epc, parent: s.parent_epc } });
        }
        events.push({
          type: 'ObjectEvent',
          ...base(0),
          epcList: codes,
          action: 'OBSERVE',
          bizStep: 'shipping',
          disposition: 'in_transit',
          destinationList: to?.gln ? [{ type: 'owning_party', destination: `https://id.gs1.org/417/${to.gln}` }] : [],
        });
        break;
      }
      case 'receive':
      case 'sell':
      case 'inspect': {
        for (const epc of codes) {
          const s = states.get(epc);
          if (!s) errors.push({ pointer: pointerOf(epc), code: 'code.not_commissioned', params: { value: epc } });
          else if (req.kind === 'receive' && s.status === 'in_transit' && s.in_transit_to != null && Number(s.in_transit_to) !== place.id) {
            warnings.push({ pointer: pointerOf(epc), code: 'receive.not_for_you', params: { value: epc } });
          } else if (req.kind === 'receive' && s.status !== 'in_transit' && s.holder_party_id !== null && s.holder_party_id !== place.id) {
            // still in another's stock: received here without a shipment, it would launder a clerk's sale of goods
            // never delivered (the clerk bonus and the fraud rule go by who held the unit before the sale)
            errors.push({ pointer: pointerOf(epc), code: 'receive.not_shipped', params: { value: epc } });
          } else if (req.kind === 'sell' && s.holder_party_id !== place.id) {
            warnings.push({ pointer: pointerOf(epc), code: 'sell.not_delivered_here', params: { value: epc } });
          }
        }
        const bizStep = { receive: 'receiving', sell: 'retail_selling', inspect: 'inspecting' }[req.kind];
        const disposition = { receive: 'in_progress', sell: 'retail_sold', inspect: 'active' }[req.kind];
        events.push({
          type: 'ObjectEvent',
          ...base(0),
          epcList: codes,
          action: 'OBSERVE',
          bizStep,
          disposition,
        });
        break;
      }
    }
    const recalled = await recallWarnings(tx, tenantId, named, states, pointerOf);
    // a unit of a recalled lot is not sold: the till's scan is refused, so the clerk does not hand it over (the other
    // steps still move it, with the warning: a recall brings its units back through the channel)
    if (req.kind === 'sell') errors.push(...recalled.map((w) => ({ ...w, code: 'sell.recalled' })));
    // a refusal or a warning about a unit another party holds says who, as far as the scanner may see that party
    await nameHolders(ctx.sql, tx, ctx.actor, [...errors, ...warnings], (epc, role) => {
      const s = states.get(epc);
      if (role === 'holder') return s?.holder_party_id ?? null;
      return s?.in_transit_to == null ? null : Number(s.in_transit_to);
    });
    if (errors.length) reject(errors);
    warnings.push(...recalled);
    const recalledCodes = new Set(recalled.map((w) => String(w.params.value)));
    const prepared = prepareEvents(events, [EPCIS_CONTEXT]);
    const actor = actorLabel(ctx.actor);
    const outcome = await captureEvents(ctx.sql, tenantId, actor, prepared, [EPCIS_CONTEXT], { tx });
    // what the scan earns under channel incentive programs (clerk bonus, rebates, open-case reward), in this transaction
    const earned = await payForScan(tx, {
      tenantId,
      actor: ctx.actor,
      place,
      kind: req.kind,
      scanId: req.scanId,
      at,
      // a recalled unit earns no rebate or reward for moving it
      codes: codes.filter((c) => !recalledCodes.has(c)),
      parent,
      before: states,
    });
    const result: ScanOutcome = {
      scanId: req.scanId,
      kind: req.kind,
      events: outcome.eventCount,
      newEvents: outcome.newEvents,
      codes: codes.length,
      warnings,
      ...(earned.payee ? { earnings: earned } : {}),
    };
    await tx`insert into scans (tenant_id, scan_id, kind, actor, outcome, request_hash)
      values (${tenantId}, ${req.scanId}, ${req.kind}, ${actor}, ${tx.json(result as never)}, ${fingerprint})`;
    return result;
  });
}

/**
 * What a scan asks for, as the SHA-256 of its normalised request: the kind, its codes (canonical, sorted: a queue may
 * send them in another order), the parent, lot, receiver, order and label replacement. The device's time is left out:
 * a replay of the same scan with a fresh clock is still the same scan (its events keep the first time).
 */
export function scanFingerprint(req: ScanRequest, codes: readonly string[], parent: string | null): Buffer {
  const normalised = [
    1,
    req.kind,
    [...codes].sort(),
    parent,
    req.lot ?? null,
    req.to ?? null,
    req.order ?? null,
    req.replace ? [canonicalCode(req.replace.old) ?? req.replace.old, canonicalCode(req.replace.new) ?? req.replace.new] : null,
  ];
  return createHash('sha256').update(JSON.stringify(normalised)).digest();
}

/** Every named code must be one this brand issued (a serial from one of its batches) of a product it makes; SSCCs pass. */
async function checkIssued(
  tx: Tx,
  keystore: Keystore,
  tenantId: number,
  epcs: string[],
  pointer: (epc: string) => string,
  errors: FieldError[],
) {
  const byGtin = new Map<string, { epc: string; serial: string }[]>();
  for (const epc of epcs) {
    const m = /\/01\/(\d{14})\/21\/([^/]+)$/.exec(epc);
    if (!m) {
      if (!/\/00\/\d{18}$/.test(epc)) errors.push({ pointer: pointer(epc), code: 'code.unrecognised', params: { value: epc } });
      continue;
    }
    const list = byGtin.get(m[1] as string) ?? [];
    list.push({ epc, serial: decodeURIComponent(m[2] as string) });
    byGtin.set(m[1] as string, list);
  }
  if (!byGtin.size) return;
  const known = new Set(
    (
      await tx<
        { gtin: string }[]
      >`select gtin from packaging_levels where tenant_id = ${tenantId} and gtin = any(${[...byGtin.keys()]}::text[])`
    ).map((r) => r.gtin),
  );
  for (const [gtin, list] of byGtin) {
    if (!known.has(gtin)) {
      for (const c of list) errors.push({ pointer: pointer(c.epc), code: 'code.unknown_product', params: { value: c.epc } });
      continue;
    }
    const issued = await issuedCodes(
      tx,
      keystore,
      tenantId,
      gtin,
      list.map((c) => c.serial),
    );
    issued.forEach((r, i) => {
      const c = list[i] as { epc: string };
      if (!r.decoded) errors.push({ pointer: pointer(c.epc), code: 'code.unknown', params: { value: c.epc } });
    });
  }
}

/** Packing rules: children commissioned, loose, of the level below the parent and of its product, as many as the packaging holds. */
async function checkPack(
  tx: Tx,
  tenantId: number,
  parent: string,
  children: string[],
  states: Map<string, CodeRow>,
  pointerOf: (epc: string) => string,
  errors: FieldError[],
) {
  const parentGtin = /\/01\/(\d{14})\//.exec(parent)?.[1];
  const [level] = parentGtin
    ? await tx<{ level: string; quantity: number; product_id: number }[]>`
        select level, quantity, product_id from packaging_levels where tenant_id = ${tenantId} and gtin = ${parentGtin}`
    : [];
  const parentState = states.get(parent);
  if (parentState?.parent_epc)
    errors.push({ pointer: '/body/parent', code: 'code.already_packed', params: { value: parent, parent: parentState.parent_epc } });
  if (level && level.level === 'unit') errors.push({ pointer: '/body/parent', code: 'pack.not_a_container', params: { value: parent } });
  const childLevel = level?.level === 'pallet' ? 'case' : 'unit';
  const childGtins = level
    ? new Set(
        (
          await tx<
            { gtin: string }[]
          >`select gtin from packaging_levels where tenant_id = ${tenantId} and product_id = ${level.product_id} and level = ${childLevel}`
        ).map((r) => r.gtin),
      )
    : null;
  for (const epc of children) {
    const s = states.get(epc);
    if (!s) errors.push({ pointer: pointerOf(epc), code: 'code.not_commissioned', params: { value: epc } });
    else if (s.parent_epc && s.parent_epc !== parent)
      errors.push({ pointer: pointerOf(epc), code: 'code.already_packed', params: { value: epc, parent: s.parent_epc } });
    else if (childGtins && s.gtin && !childGtins.has(s.gtin))
      errors.push({ pointer: pointerOf(epc), code: 'pack.wrong_product', params: { value: epc } });
  }
  if (level && children.length !== level.quantity) {
    errors.push({ pointer: '/body/codes', code: 'pack.wrong_count', params: { expected: level.quantity, actual: children.length } });
  }
}

async function rangeCodes(
  ctx: RequestContext,
  keystore: Keystore,
  range: { batchId: number; from: number; count: number },
  errors: FieldError[],
) {
  const [batch] = await ctx.sql<{ gtin: string; batch_no: number; key_version: number; quantity: number; resolver: string }[]>`
    select gtin, batch_no, key_version, quantity, resolver from code_batches where tenant_id = ${ctx.actor.tenantId} and id = ${range.batchId}`;
  if (!batch) {
    errors.push({ pointer: '/body/range/batchId', code: 'import.reference', params: { field: 'batchId', value: range.batchId } });
    return [];
  }
  if (range.from < 0 || range.count < 1 || range.from + range.count > Number(batch.quantity) || range.count > MAX_CODES) {
    errors.push({ pointer: '/body/range', code: 'scan.range', params: { quantity: Number(batch.quantity), max: MAX_CODES } });
    return [];
  }
  const keys = await keystore.keyring(ctx.sql, ctx.actor.tenantId);
  return serialsFor(keys, { gtin: batch.gtin, keyVersion: batch.key_version, batchNo: batch.batch_no }, range.from, range.count).map(
    (s) => `https://id.gs1.org/01/${batch.gtin}/21/${s}`,
  );
}

async function recallWarnings(tx: Tx, tenantId: number, epcs: string[], states: Map<string, CodeRow>, pointerOf: (epc: string) => string) {
  const lots = [...states.values()].filter((s) => s.gtin && s.lot);
  if (!lots.length) return [];
  const recalled = await tx<{ gtin: string; lot: string; reason: string }[]>`
    select gtin, lot, reason from recalls where tenant_id = ${tenantId} and active
      and (gtin, lot) in (select * from unnest(${lots.map((s) => s.gtin as string)}::text[], ${lots.map((s) => s.lot as string)}::text[]))`;
  if (!recalled.length) return [];
  const key = new Map(recalled.map((r) => [`${r.gtin}|${r.lot}`, r.reason]));
  return epcs
    .map((epc) => ({ epc, s: states.get(epc) }))
    .filter(({ s }) => s && key.has(`${s.gtin}|${s.lot}`))
    .map(({ epc, s }) => ({
      pointer: pointerOf(epc),
      code: 'code.recalled',
      params: { value: epc, reason: key.get(`${s?.gtin}|${s?.lot}`) },
    }));
}
