/**
 * Reading an EPCIS 2.0 JSON/JSON-LD event for the event hash: namespace prefixes from the @context, then the tree of
 * (name, value, children) the reference implementation's json_to_py builds (keys with a known prefix written
 * "{namespace}local", CBV short names and GS1 CURIE values expanded, one entry per array element), corrected to the XML
 * data model as its json_xml_model_mismatch_correction does ("xyzList" -> "xyz" children, quantityElement, pairs).
 */
import { VOCABULARIES, type Vocabulary } from './canonical.ts';

// ---------------------------------------------------------------------------------------------------------------------
// Namespaces from the @context

/** Namespace prefixes of a document's JSON-LD @context, prepared once and reused for every event of the document. */
export interface HashContext {
  readonly prefixes: ReadonlyMap<string, string>;
}

const WELL_KNOWN: ReadonlyArray<readonly [string, string]> = [
  ['gs1', 'https://ref.gs1.org/voc/'],
  ['cbv', 'https://ref.gs1.org/cbv/'],
  ['epcis', 'https://ref.gs1.org/epcis/'],
  ['cbvmda', 'urn:epcglobal:cbv:mda'],
];
const contextCache = new WeakMap<object, HashContext>();
const DEFAULT_CONTEXT: HashContext = { prefixes: new Map(WELL_KNOWN) };

function isContext(x: unknown): x is HashContext {
  return typeof x === 'object' && x !== null && (x as HashContext).prefixes instanceof Map;
}

/**
 * Prepares the namespace prefixes of a JSON-LD @context (a URL string, an object, or an array of both): the well-known
 * EPCIS prefixes (gs1, cbv, epcis, cbvmda) plus every prefix the document defines inline; `gs1` always stays
 * https://ref.gs1.org/voc/. Remote contexts (URL strings) are not fetched. Cached per context object.
 */
export function hashContext(context?: unknown): HashContext {
  if (context === undefined || context === null || typeof context === 'string') return DEFAULT_CONTEXT;
  if (isContext(context)) return context;
  if (typeof context !== 'object') return DEFAULT_CONTEXT;
  const cached = contextCache.get(context);
  if (cached) return cached;
  const prefixes = new Map(WELL_KNOWN);
  for (const entry of Array.isArray(context) ? context : [context]) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    for (const [key, value] of Object.entries(entry)) {
      if (key.startsWith('@')) continue;
      if (typeof value === 'string') prefixes.set(key, value);
    }
  }
  prefixes.set('gs1', 'https://ref.gs1.org/voc/');
  const prepared: HashContext = { prefixes };
  contextCache.set(context, prepared);
  return prepared;
}

export function withEventContext(base: HashContext, eventContext: unknown): HashContext {
  const own = hashContext(eventContext);
  if (own === DEFAULT_CONTEXT) return base;
  if (base === DEFAULT_CONTEXT) return own;
  return { prefixes: new Map([...base.prefixes, ...own.prefixes]) };
}

// ---------------------------------------------------------------------------------------------------------------------
// The tree: (name, value, children) as the reference's json_to_py builds it

export interface Node {
  n: string;
  v: string;
  c: Node[];
  /** A (type, value) entry of bizTransactionList / sourceList / destinationList: c holds [type?, value]. */
  pair?: true;
}

/** Which standard values are CBV short names (JSON-LD "@type": "@vocab" terms) and where the scopes nest. */
interface Scope {
  readonly [key: string]: { readonly vocab?: Vocabulary; readonly scope?: Scope } | undefined;
}
export const EVENT_SCOPE: Scope = {
  bizStep: { vocab: VOCABULARIES.bizStep },
  disposition: { vocab: VOCABULARIES.disposition },
  persistentDisposition: { scope: { set: { vocab: VOCABULARIES.disposition }, unset: { vocab: VOCABULARIES.disposition } } },
  bizTransactionList: { scope: { type: { vocab: VOCABULARIES.bizTransactionType } } },
  sourceList: { scope: { type: { vocab: VOCABULARIES.sourceDestType } } },
  destinationList: { scope: { type: { vocab: VOCABULARIES.sourceDestType } } },
  sensorElementList: {
    scope: {
      sensorReport: {
        scope: {
          type: { vocab: VOCABULARIES.measurementType },
          exception: { vocab: VOCABULARIES.sensorAlertType },
          component: { vocab: VOCABULARIES.component },
        },
      },
    },
  },
  errorDeclaration: { scope: { reason: { vocab: VOCABULARIES.errorReason } } },
};
/** Shared children array of leaves (never mutated: nodes get new arrays assigned, never pushed into). */
export const LEAF: Node[] = [];
const IGNORED_KEYS = new Set(['#text', 'rdfs:comment', 'comment', '@context']);

export class Reader {
  constructor(private readonly prefixes: ReadonlyMap<string, string>) {}

  key(key: string): string {
    const colon = key.indexOf(':');
    if (colon < 0) return key;
    const ns = this.prefixes.get(key.slice(0, colon));
    return ns === undefined ? key : `{${ns}}${key.slice(colon + 1)}`;
  }

  scalar(value: unknown, vocab: Vocabulary | undefined): string {
    if (typeof value === 'string') {
      const term = vocab?.get(value);
      if (term !== undefined) return term;
      // a CURIE value is expanded only when its namespace is a GS1 one (cbv:, gs1:, epcis:)
      const colon = value.indexOf(':');
      if (colon > 0) {
        const ns = this.prefixes.get(value.slice(0, colon));
        if (ns !== undefined && (ns.startsWith('https://ref.gs1.org') || ns.startsWith('https://gs1.org')))
          return ns + value.slice(colon + 1);
      }
      return value;
    }
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') return String(value);
    if (value === null) return 'None';
    return String(value);
  }

  /** The children of an object, one entry per scalar/object property and one per element of an array property. */
  object(obj: Record<string, unknown>, scope: Scope | undefined): Node[] {
    const out: Node[] = [];
    for (const rawKey in obj) {
      if (IGNORED_KEYS.has(rawKey) || rawKey.startsWith('@xmlns')) continue;
      const value = obj[rawKey];
      const spec = scope?.[rawKey];
      const key = this.key(rawKey);
      if (Array.isArray(value)) {
        for (const element of value) out.push(this.entry(key, element, spec?.vocab, spec?.scope));
      } else {
        out.push(this.entry(key, value, spec?.vocab, spec?.scope));
      }
    }
    return out;
  }

  entry(name: string, value: unknown, vocab: Vocabulary | undefined, scope: Scope | undefined): Node {
    if (Array.isArray(value)) {
      // a nested array: its elements are named after their "type" (objects) or nothing
      return { n: name, v: '', c: value.map((el) => ({ ...this.entry('', el, vocab, scope), n: typeName(el) })) };
    }
    if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      const text = obj['#text'];
      return { n: name, v: text === undefined ? '' : this.scalar(text, undefined), c: this.object(obj, scope) };
    }
    return { n: name, v: this.scalar(value, vocab), c: LEAF };
  }
}

function typeName(el: unknown): string {
  if (typeof el === 'object' && el !== null && !Array.isArray(el)) {
    const t = (el as Record<string, unknown>).type;
    return t === undefined ? '' : String(t);
  }
  return '';
}

const PAIR_LISTS = new Set(['sourceList', 'destinationList', 'bizTransactionList']);

/**
 * The reference's JSON -> XML data-model correction: "xyzList" entries become one "xyzList" node with "xyz" children,
 * childEPCs entries one "childEPCs" node of "epc", inputEPC/outputEPC -> epc, the quantity list items -> quantityElement,
 * and the (type, value) lists become pairs.
 */
export function correct(node: Node): Node {
  const kids = node.c;
  if (kids.length > 0) {
    let lists: Map<string, Node[]> | undefined;
    let childEpcs: Node[] | undefined;
    const kept: Node[] = [];
    for (const k of kids) {
      if (k.n.endsWith('List')) {
        lists ??= new Map();
        let group = lists.get(k.n);
        if (!group) {
          group = [];
          lists.set(k.n, group);
        }
        group.push({ n: k.n.slice(0, -4), v: k.v, c: k.c });
      } else if (k.n === 'childEPCs') {
        childEpcs ??= [];
        childEpcs.push({ n: 'epc', v: k.v, c: LEAF });
      } else {
        kept.push(k);
      }
    }
    if (lists) {
      for (const [name, group] of lists) {
        kept.push(PAIR_LISTS.has(name) ? { n: name, v: '', c: group.map(toPair) } : { n: name, v: '', c: group });
      }
    }
    if (childEpcs) kept.push({ n: 'childEPCs', v: '', c: childEpcs });
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i]!;
      if (!(k.c.length === 0 || (PAIR_LISTS.has(k.n) && k.c.every((p) => p.pair)))) kept[i] = correct(k);
      else kept[i] = rename(k);
    }
    node.c = kept;
  }
  return rename(node);
}

function rename(node: Node): Node {
  const n = node.n;
  if (n === 'inputEPC' || n === 'outputEPC') node.n = 'epc';
  else if (n === 'inputQuantity' || n === 'outputQuantity' || n === 'childQuantity' || (n === 'quantity' && node.c.length > 0))
    node.n = 'quantityElement';
  return node;
}

/** A bizTransaction / source / destination item as (type, value), type first whatever the key order of the JSON. */
function toPair(item: Node): Node {
  const type = item.c.find((k) => k.n === 'type');
  const value = item.c.find((k) => k.n !== 'type');
  const c: Node[] = [];
  if (type) c.push(type);
  if (value) c.push(value);
  return { n: '', v: '', c, pair: true };
}
