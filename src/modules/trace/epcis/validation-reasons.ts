/**
 * The words of EPCIS validation problems, in zh-CN and en. Validation describes each problem as a reason key and its
 * parts (the place, the values, the alternatives, the schema keyword's params), never as an English sentence; the
 * sentence is made here in the reader's language. Ajv's own English message is used only for a schema keyword this
 * table does not know (the official schema uses none today), and then only in English.
 */
import type { Locale } from '../../../http/messages.ts';

/** What a reason is made of. Values are quoted when the reason is built (quote()), so they read the same in any language. */
export type Part =
  | string
  | number
  /** a place in the document, by JSON pointer: "the event", "the document", "quantityList/0/quantity" */
  | { at: string }
  /** a field's name, as it is written in the document */
  | { field: string }
  /** a word of ours: a field described in words, a JSON type */
  | { label: string }
  /** values, cut after six: "a, b, c, d, e, ... (12 in all)", "a、b、c、d、e 等 12 个" */
  | { sample: readonly unknown[] }
  /** "a, b or c" */
  | { anyOf: Part[] }
  /** "a and b" */
  | { allOf: Part[] }
  /** "a with b" (the fields one alternative needs together) */
  | { together: Part[] }
  /** a reason inside another (one alternative of an anyOf) */
  | Reason;

export interface Reason {
  key: ReasonKey;
  params?: Record<string, Part>;
}

type Words = { 'zh-CN': string; en: string };

const REASONS = {
  // the document as a whole
  document_not_object: {
    'zh-CN': 'EPCIS 文档必须是 JSON 对象，而不是{actual}',
    en: 'an EPCIS document must be a JSON object, not {actual}',
  },
  document_needs_type: {
    'zh-CN': 'EPCIS 文档需要 "type": "EPCISDocument" 或 "EPCISQueryDocument"',
    en: 'an EPCIS document needs "type": "EPCISDocument" or "EPCISQueryDocument"',
  },
  not_a_document_type: {
    'zh-CN': '{value} 既不是 EPCIS 文档类型（EPCISDocument、EPCISQueryDocument），也不是事件类型',
    en: '{value} is not an EPCIS document type (EPCISDocument, EPCISQueryDocument) nor an event type',
  },
  document_id_not_uri: { 'zh-CN': '文档 id {value} 不是 URI', en: 'document id {value} is not a URI' },
  event_needs_context: { 'zh-CN': '单独采集的事件需要自带 "@context"', en: 'a single captured event needs its own "@context"' },
  capture_needs_document: {
    'zh-CN': '采集接口只接受 EPCIS 文档（EPCISDocument 或 EPCISQueryDocument），不接受单个事件',
    en: 'capture takes an EPCIS document',
  },
  // our own checks of an event
  event_not_object: { 'zh-CN': '事件必须是 JSON 对象，而不是{actual}', en: 'an event must be a JSON object, not {actual}' },
  unknown_event_type: {
    'zh-CN': '事件类型 {value} 不是 {types} 之一（也不是扩展事件类型的 URI）',
    en: 'event type {value} is not one of {types} (nor a URI of an extension event type)',
  },
  identifier_not_uri: {
    'zh-CN': '{what} {value} 不是 URI（请使用 EPC URI，如 urn:epc:id:sgtin:...，或 GS1 Digital Link URI）',
    en: '{what} {value} is not a URI (use an EPC URI such as urn:epc:id:sgtin:... or a GS1 Digital Link URI)',
  },
  cbv_not_bare: {
    'zh-CN': '{what} {value} 不是 EPCIS 2.0 JSON 书写标准词汇的方式：应写不带前缀的术语',
    en: '{what} {value} is not how EPCIS 2.0 JSON writes standard vocabulary: it uses the bare term',
  },
  cbv_not_bare_use: {
    'zh-CN': '{what} {value} 不是 EPCIS 2.0 JSON 书写标准词汇的方式：应写不带前缀的术语（{bare}）',
    en: '{what} {value} is not how EPCIS 2.0 JSON writes standard vocabulary: it uses the bare term ({bare})',
  },
  cbv_not_in_namespace: {
    'zh-CN': '{what} {value} 在 CBV 命名空间内，但不是 CBV 2.0 术语',
    en: '{what} {value} is in the CBV namespace but is not a CBV 2.0 term',
  },
  cbv_unknown: {
    'zh-CN': '{what} {value} 既不是 CBV 2.0 术语（{terms}），也不是带命名空间的 URI',
    en: '{what} {value} is neither a CBV 2.0 term ({terms}) nor a URI with a namespace',
  },
  // the official schema, by Ajv keyword
  needs: { 'zh-CN': '{at}需要 {fields}', en: '{at} needs {fields}' },
  satisfy_one_of: { 'zh-CN': '{at}须满足以下之一：{alternatives}', en: '{at} must satisfy one of: {alternatives}' },
  unknown_field: {
    'zh-CN': '{name} 不是{at}的字段；用户扩展字段须带有在 @context 中声明的命名空间前缀（如 "example:{bare}"）',
    en: '{name} is not a field of {at}; a user extension needs a namespace prefix declared in @context (e.g. "example:{bare}")',
  },
  type: { 'zh-CN': '{at}应为{type}', en: '{at} must be {type}' },
  date_time: {
    'zh-CN': '{at}应为带时区的日期时间，如 2024-05-01T08:00:00.000+08:00',
    en: '{at} must be a date-time with time zone, e.g. 2024-05-01T08:00:00.000+08:00',
  },
  uri: { 'zh-CN': '{at}应为 URI', en: '{at} must be a URI' },
  format: { 'zh-CN': '{at}应符合格式 {format}', en: '{at} must be a {format}' },
  enum: { 'zh-CN': '{at}应为以下之一：{allowed}', en: '{at} must be one of {allowed}' },
  const: { 'zh-CN': '{at}应为 {value}', en: '{at} must be {value}' },
  pattern: { 'zh-CN': '{at}应符合模式 {pattern}', en: '{at} must match the pattern {pattern}' },
  not_empty: { 'zh-CN': '{at}不能为空', en: '{at} must not be empty' },
  min_items: { 'zh-CN': '{at}至少要有 {limit} 项', en: '{at} must have at least {limit} items' },
  max_items: { 'zh-CN': '{at}最多 {limit} 项', en: '{at} must have at most {limit} items' },
  min_length: { 'zh-CN': '{at}至少 {limit} 个字符', en: '{at} must have at least {limit} characters' },
  max_length: { 'zh-CN': '{at}最多 {limit} 个字符', en: '{at} must have at most {limit} characters' },
  minimum: { 'zh-CN': '{at}不能小于 {limit}', en: '{at} must be at least {limit}' },
  maximum: { 'zh-CN': '{at}不能大于 {limit}', en: '{at} must be at most {limit}' },
  unique_items: {
    'zh-CN': '{at}不能有重复项（第 {i} 项与第 {j} 项相同，从 0 数起）',
    en: '{at} must not repeat an item (items {j} and {i} are the same)',
  },
  not_allowed: { 'zh-CN': '{at}不应出现在这里', en: '{at} must not be there' },
  /** a keyword this table does not know: Ajv's English message, or the keyword's name */
  other_rule: { 'zh-CN': '{at}不符合 Schema 规则 {keyword}', en: '{at} {message}' },
  // one alternative of an anyOf, as a phrase
  branch_value: { 'zh-CN': '{field} 为 {value}', en: '{field} {value}' },
  branch_pattern: { 'zh-CN': '{field} 符合 {pattern}', en: '{field} matching {pattern}' },
  branch_absent: { 'zh-CN': '没有 {field}', en: 'no {field}' },
  branch_enum: { 'zh-CN': '{field} 为 {allowed} 之一', en: '{field} in {allowed}' },
  branch_type: { 'zh-CN': '{field} 的类型为 {type}', en: '{field} of type {type}' },
  branch_format: { 'zh-CN': '{field} 符合格式 {format}', en: '{field} in format {format}' },
  branch_other: { 'zh-CN': '{field} 符合 Schema 规则 {keyword}', en: '{field} {message}' },
} satisfies Record<string, Words>;

export type ReasonKey = keyof typeof REASONS;

/** Words of ours inside reasons, keyed by their English; a key without an entry reads as itself in both languages. */
const LABELS: Record<string, Words> = {
  'the event': { 'zh-CN': '该事件', en: 'the event' },
  'the document': { 'zh-CN': '该文档', en: 'the document' },
  // what a value is (describe()) and what it must be (the schema's type, with its article)
  null: { 'zh-CN': '空值 null', en: 'null' },
  'an array': { 'zh-CN': '数组', en: 'an array' },
  string: { 'zh-CN': '字符串', en: 'string' },
  number: { 'zh-CN': '数字', en: 'number' },
  boolean: { 'zh-CN': '布尔值', en: 'boolean' },
  undefined: { 'zh-CN': '空', en: 'undefined' },
  'a string': { 'zh-CN': '字符串', en: 'a string' },
  'a number': { 'zh-CN': '数字', en: 'a number' },
  'an integer': { 'zh-CN': '整数', en: 'an integer' },
  'a boolean': { 'zh-CN': '布尔值（true 或 false）', en: 'a boolean' },
  'an object': { 'zh-CN': 'JSON 对象', en: 'an object' },
  'a null': { 'zh-CN': '空值 null', en: 'a null' },
  // the fields our own checks name in words
  'readPoint id': { 'zh-CN': 'readPoint 的 id', en: 'readPoint id' },
  'bizLocation id': { 'zh-CN': 'bizLocation 的 id', en: 'bizLocation id' },
  'business transaction': { 'zh-CN': '业务交易 bizTransaction', en: 'business transaction' },
  'business transaction type': { 'zh-CN': '业务交易类型', en: 'business transaction type' },
  source: { 'zh-CN': '来源 source', en: 'source' },
  destination: { 'zh-CN': '去向 destination', en: 'destination' },
  'source type': { 'zh-CN': '来源类型', en: 'source type' },
  'destination type': { 'zh-CN': '去向类型', en: 'destination type' },
  'persistentDisposition set': { 'zh-CN': 'persistentDisposition 的 set', en: 'persistentDisposition set' },
  'persistentDisposition unset': { 'zh-CN': 'persistentDisposition 的 unset', en: 'persistentDisposition unset' },
  'sensor report type': { 'zh-CN': '传感器报告类型', en: 'sensor report type' },
  'sensor exception': { 'zh-CN': '传感器异常类型 exception', en: 'sensor exception' },
  'sensor component': { 'zh-CN': '传感器分量 component', en: 'sensor component' },
  'error reason': { 'zh-CN': '错误声明的原因 reason', en: 'error reason' },
};

/** The reason in `locale`. */
export function explain(reason: Reason, locale: Locale): string {
  const template = REASONS[reason.key][locale];
  return template.replace(/\{(\w+)\}/g, (whole, k: string) => {
    const p = reason.params?.[k];
    return p === undefined ? whole : render(p, locale);
  });
}

function render(p: Part, l: Locale): string {
  if (typeof p === 'string' || typeof p === 'number') return String(p);
  if ('key' in p) return explain(p, l);
  if ('at' in p) return render(place(p.at), l);
  if ('field' in p) return l === 'en' ? p.field : `“${p.field}”`;
  if ('label' in p) return LABELS[p.label]?.[l] ?? p.label;
  if ('sample' in p) return sample(p.sample, l);
  if ('anyOf' in p)
    return alternatives(
      p.anyOf.map((x) => render(x, l)),
      l,
    );
  if ('allOf' in p) return p.allOf.map((x) => render(x, l)).join(l === 'en' ? ' and ' : ' 且 ');
  return p.together.map((x) => render(x, l)).join(l === 'en' ? ' with ' : ' 及 ');
}

/** "the event" / "epcList/0" / "the document": the place a pointer names. */
function place(pointer: string): Part {
  const tokens = pointer.split('/').slice(1);
  const events = tokens.lastIndexOf('eventList');
  const inEvent = events >= 0 ? tokens.slice(events + 2) : tokens;
  if (events >= 0 && inEvent.length === 0) return { label: 'the event' };
  if (tokens.length === 0) return { label: 'the document' };
  return { field: inEvent.join('/').replaceAll('~1', '/').replaceAll('~0', '~') };
}

function sample(values: readonly unknown[], l: Locale): string {
  const list = values.map(String);
  const comma = l === 'en' ? ', ' : '、';
  if (list.length <= 6) return list.join(comma);
  const first = list.slice(0, 5).join(comma);
  return l === 'en' ? `${first}, ... (${list.length} in all)` : `${first} 等 ${list.length} 个`;
}

function alternatives(names: string[], l: Locale): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(l === 'en' ? ', ' : '、')}${l === 'en' ? ' or ' : ' 或 '}${names.at(-1)}`;
}
