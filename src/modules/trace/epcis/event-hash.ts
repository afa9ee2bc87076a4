/**
 * CBV 2.0 EPCIS Event Hash ID (CBV 2.0 section 8.9): `ni:///sha-256;<hex>?ver=CBV2.0` of an EPCIS 2.0 JSON/JSON-LD event.
 *
 * Follows the reference implementation (RalphTro/epcis-event-hash-generator) after its 2026 canonicalisation fix: the
 * event is read into a tree of (name, value, children) the way the reference reads JSON, then written out as the pre-hash
 * string: "eventType=..." + the standard fields in the CBV property order (each list sorted) + ilmd + the user extensions
 * found inside standard fields (prefixed with the field name, in property order) + the event-level user extensions
 * (sorted). recordTime, eventID, certificationInfo, errorDeclaration and JSON-LD comments do not take part.
 *
 * Where the reference's result depends on accidents of the JSON text, this code takes the canonical reading instead:
 * - a CBV short name ("shipping") is expanded in the fields the EPCIS context types as CBV vocabulary; the reference
 *   expands any equal string anywhere in the document once some field of the document expands it;
 * - bizTransaction / source / destination entries are written type first whatever the JSON key order, and an entry
 *   without type as its value alone (the reference follows key order and drops an event with an untyped entry);
 * - an "@context" inside the event adds its prefixes and is not hashed; an object @context (not in an array) counts;
 * - a time without zone is read as UTC (the reference uses the local zone of the machine).
 * Known limits: JSON numbers are JavaScript doubles (integers above 2^53 lose digits, and a float such as 1e16 hashes
 * as "10000000000000000" where the reference writes "1E+16"); XML documents are not read.
 */
import * as crypto from 'node:crypto';
import { canonicalTimestamp, canonicalValue } from './canonical.ts';
import { correct, EVENT_SCOPE, hashContext, LEAF, type Node, Reader, withEventContext } from './event-hash-reader.ts';

export { type HashContext, hashContext } from './event-hash-reader.ts';

const HIGH = /[\uD800-\uFFFF]/;

// ---------------------------------------------------------------------------------------------------------------------
// The pre-hash string

type Order = ReadonlyArray<readonly [string, Order | 'pairs' | null]>;
/** Leaf fields, in order. */
const leaves = (names: string): Order => names.split(' ').map((n) => [n, null] as const);
const QUANTITY: Order = [['quantityElement', leaves('epcClass quantity uom')]];
const EPC: Order = leaves('epc');
const SENSOR_ELEMENT: Order = [
  ['sensorMetadata', leaves('time startTime endTime deviceID deviceMetadata rawData dataProcessingMethod bizRules')],
  [
    'sensorReport',
    leaves(
      'type exception deviceID deviceMetadata rawData dataProcessingMethod time microorganism chemicalSubstance value component ' +
        'stringValue booleanValue hexBinaryValue uriValue minValue maxValue meanValue sDev percRank percValue uom coordinateReferenceSystem',
    ),
  ],
];
/** The CBV 2.0 canonical property order (the reference's PROP_ORDER); "pairs": a (type, value) list. */
const PROP_ORDER: Order = [
  ...leaves('eventTime eventTimeZoneOffset'),
  ['epcList', EPC],
  ['parentID', null],
  ['inputEPCList', EPC],
  ['childEPCs', EPC],
  ['quantityList', QUANTITY],
  ['childQuantityList', QUANTITY],
  ['inputQuantityList', QUANTITY],
  ['outputEPCList', EPC],
  ['outputQuantityList', QUANTITY],
  ...leaves('action transformationID bizStep disposition'),
  ['persistentDisposition', leaves('set unset')],
  ['readPoint', leaves('id')],
  ['bizLocation', leaves('id')],
  ['bizTransactionList', 'pairs'],
  ['sourceList', 'pairs'],
  ['destinationList', 'pairs'],
  ['sensorElementList', [['sensorElement', SENSOR_ELEMENT]]],
];
const CONSUMED = '\u0000consumed';
const orderPositions = new WeakMap<Order, ReadonlyMap<string, number>>();
function positionsOf(order: Order): ReadonlyMap<string, number> {
  let positions = orderPositions.get(order);
  if (!positions) {
    positions = new Map(order.map(([name], i) => [name, i]));
    orderPositions.set(order, positions);
  }
  return positions;
}
/** Top-level fields that never take part in the hash. */
const NOT_HASHED = new Set(['recordTime', 'eventID', 'type', 'errorDeclaration', 'certificationInfo']);

class Writer {
  /**
   * @param codePoints sort as Python sorts str, by code point; UTF-16 order (the fast default) differs from it only
   *   between a surrogate pair and a character in U+E000..U+FFFF, so it is used when the text has no such character
   */
  constructor(private readonly codePoints: boolean) {}

  sort(values: string[]): void {
    if (values.length < 2) return;
    if (this.codePoints) values.sort(compareCodePoints);
    else values.sort(); // compares UTF-16 code units
  }

  /** A standard field: name=value (times in UTC ms, other values canonical) followed by its ordered sub-fields. */
  field(child: Node, sub: Order | 'pairs' | null): string {
    let grand = '';
    if (sub) {
      if (child.c.length > 0 && child.c.every((k) => k.pair)) {
        grand = this.generic(child.c);
        child.c = LEAF;
      } else if (sub !== 'pairs') {
        grand = this.ordered(child, sub);
      }
    }
    let text = '';
    if (child.v) {
      text = child.v.trim();
      const lower = child.n.toLowerCase();
      text = lower.includes('time') && !lower.includes('offset') ? canonicalTimestamp(text) : canonicalValue(text);
      if (text) text = `=${text}`;
    }
    if (!text && !grand) return '';
    // CBV 2.0 property order #23: no "sensorElementList" token
    return (child.n === 'sensorElementList' ? '' : child.n) + text + grand;
  }

  /** The children of `parent` named in `order`, in that order; consumed leaves are removed from the parent. */
  ordered(parent: Node, order: Order): string {
    const list = parent.c;
    const positions = positionsOf(order);
    // bucket the children by their position in the order (one pass), then write the buckets in order
    const buckets: Array<Node[] | undefined> = [];
    for (const child of list) {
      const at = positions.get(child.n);
      if (at === undefined) continue;
      const bucket = buckets[at];
      if (bucket) bucket.push(child);
      else buckets[at] = [child];
    }
    let out = '';
    let removed = false;
    for (let at = 0; at < buckets.length; at++) {
      const bucket = buckets[at];
      if (!bucket) continue;
      const sub = order[at]![1];
      let values: string[] | undefined;
      for (const child of bucket) {
        const s = this.field(child, sub);
        if (s) {
          values ??= [];
          values.push(s);
        }
        if (child.c.length === 0) {
          child.n = CONSUMED;
          removed = true;
        }
      }
      if (values) {
        this.sort(values);
        out += values.length === 1 ? values[0] : values.join('');
      }
    }
    if (removed) parent.c = list.filter((k) => k.n !== CONSUMED);
    return out;
  }

  /** Anything outside the property order (user extensions, ilmd): name=value, children recursively, all sorted. */
  generic(children: readonly Node[]): string {
    const values: string[] = [];
    let sortable = children.length > 1;
    for (const child of children) {
      if (child.pair) {
        values.push(this.generic(child.c));
        continue;
      }
      if (child.n === 'bizTransaction' || child.n === 'source' || child.n === 'destination') sortable = false;
      const text = child.v.trim();
      let entry = text ? `${child.n}=${canonicalValue(text)}` : child.n;
      if (child.c.length > 0) entry += this.generic(child.c);
      values.push(entry);
    }
    if (sortable) this.sort(values);
    return values.join('');
  }

  /**
   * CBV 2.0 rule: user extensions inside standard fields (readPoint, sensorMetadata, quantity elements, ...) come after
   * the standard fields, prefixed with the path of standard field names leading to them.
   */
  fieldExtensions(children: readonly Node[], order: Order): string {
    let out = '';
    for (const [name, sub] of order) {
      if (!sub || sub === 'pairs') continue;
      const parts: Array<[Node, string]> = [];
      for (const child of children) {
        if (child.n !== name) continue;
        const inner = this.fieldExtensions(child.c, sub);
        if (inner) parts.push([child, (name === 'sensorElementList' ? '' : name) + inner]);
      }
      if (parts.length > 1) parts.sort((a, b) => comparePy(a[0], b[0]));
      for (const [, part] of parts) out += part;
    }
    const direct = children.filter((k) => !k.pair && k.n.includes('{') && k.n.includes('/}'));
    if (direct.length > 0) out += this.generic(direct);
    return out;
  }

  event(type: string, root: Node): string {
    const standard = this.ordered(root, PROP_ORDER);
    let rest = root.c;
    const ilmd = rest.filter((k) => k.n === 'ilmd');
    if (ilmd.length > 0) rest = rest.filter((k) => k.n !== 'ilmd');
    let fieldExt = '';
    for (const [name, sub] of PROP_ORDER) {
      if (!sub || sub === 'pairs') continue;
      for (const child of rest) {
        if (child.n !== name) continue;
        const inner = this.fieldExtensions(child.c, sub);
        if (inner) {
          fieldExt += (name === 'sensorElementList' ? '' : name) + inner;
          child.n = CONSUMED;
        }
      }
    }
    const eventExt = rest.filter((k) => !NOT_HASHED.has(k.n) && k.n !== CONSUMED);
    return `eventType=${type}${standard}${ilmd.length > 0 ? this.generic(ilmd) : ''}${fieldExt}${eventExt.length > 0 ? this.generic(eventExt) : ''}`;
  }
}

/** Python's str ordering (by code point): UTF-16 order except that surrogate pairs sort after U+E000..U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** The order of Python tuples (name, value, sorted children), which decides the reference's order of repeated fields. */
function comparePy(a: Node, b: Node): number {
  const byName = compareCodePoints(a.n, b.n) || compareCodePoints(a.v, b.v);
  if (byName) return byName;
  const x = a.pair ? a.c : [...a.c].sort(comparePy);
  const y = b.pair ? b.c : [...b.c].sort(comparePy);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = comparePy(x[i]!, y[i]!);
    if (d) return d;
  }
  return x.length - y.length;
}

// ---------------------------------------------------------------------------------------------------------------------
// API

/** An EPCIS 2.0 event as JSON (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent). */
export type EpcisEventJson = Readonly<Record<string, unknown>>;

/**
 * The CBV 2.0 pre-hash string of an event. `context` is the document's "@context" (or a prepared `hashContext(...)`); it
 * supplies the namespace prefixes of user extensions and CURIE values. An "@context" on the event itself is added to it.
 */
export function preHashString(event: EpcisEventJson, context?: unknown): string {
  let ctx = hashContext(context);
  if (event['@context'] !== undefined) ctx = withEventContext(ctx, event['@context']);
  const type = event.type === undefined ? '' : String(event.type);
  const write = (codePoints: boolean) => {
    const root = correct({ n: '', v: '', c: new Reader(ctx.prefixes).object(event as Record<string, unknown>, EVENT_SCOPE) });
    return new Writer(codePoints).event(type, root);
  };
  const preHash = write(false);
  // every sorted string ends up in the pre-hash: without characters from U+D800 up, UTF-16 order was code point order
  return HIGH.test(preHash) ? write(true) : preHash;
}

/** The event hash ID `ni:///sha-256;<64 hex>?ver=CBV2.0` of an event (see preHashString for `context`). */
export function eventHashId(event: EpcisEventJson, context?: unknown): string {
  return hashIdOfPreHash(preHashString(event, context));
}

/** The hash ID of a pre-hash string: SHA-256 over its UTF-8 bytes, hex, in the ni: URI of RFC 6920 with the CBV version. */
export function hashIdOfPreHash(preHash: string): string {
  return `ni:///sha-256;${sha256Hex(preHash)}?ver=CBV2.0`;
}

// crypto.hash (Node >= 20.12) is a one-shot digest, markedly cheaper than createHash for strings of a few KB
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex = oneShot
  ? (s: string) => oneShot('sha256', s, 'hex')
  : (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

/** The events of an EPCISDocument or EPCISQueryDocument (eventList, queryResults.resultsBody.eventList, or a single event). */
export function documentEvents(doc: Readonly<Record<string, unknown>>): EpcisEventJson[] {
  const body = doc.epcisBody as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return [];
  if (Array.isArray(body.eventList)) return body.eventList as EpcisEventJson[];
  const results = (body.queryResults as Record<string, unknown> | undefined)?.resultsBody as Record<string, unknown> | undefined;
  if (results && Array.isArray(results.eventList)) return results.eventList as EpcisEventJson[];
  if (body.event && typeof body.event === 'object') return [body.event as EpcisEventJson];
  return [];
}

/** The hash IDs of all events of a document, in document order. */
export function documentEventHashIds(doc: Readonly<Record<string, unknown>>): string[] {
  const ctx = hashContext(doc['@context']);
  return documentEvents(doc).map((e) => eventHashId(e, ctx));
}
