/**
 * Why a value broke its schema, in the reader's language. Ajv explains in English ("must be integer"), and that
 * sentence went into the Chinese message as it was ("字段 amountFen 的值无效：must be integer"); the validator now
 * hands over the rule and its limit (validation.ts), and the message is made here. A rule not listed keeps Ajv's
 * English text.
 */
import type { Locale } from './messages.ts';

type Rule = { 'zh-CN': string; en: string };

const RULES: Record<string, Rule> = {
  type: { 'zh-CN': '应为{expected}', en: 'must be {expected}' },
  minimum: { 'zh-CN': '不能小于 {limit}', en: 'must be at least {limit}' },
  maximum: { 'zh-CN': '不能大于 {limit}', en: 'must be at most {limit}' },
  exclusiveMinimum: { 'zh-CN': '须大于 {limit}', en: 'must be more than {limit}' },
  exclusiveMaximum: { 'zh-CN': '须小于 {limit}', en: 'must be less than {limit}' },
  multipleOf: { 'zh-CN': '须为 {limit} 的倍数', en: 'must be a multiple of {limit}' },
  minLength: { 'zh-CN': '至少 {limit} 个字符', en: 'must have at least {limit} characters' },
  maxLength: { 'zh-CN': '最多 {limit} 个字符', en: 'must have at most {limit} characters' },
  minItems: { 'zh-CN': '至少 {limit} 项', en: 'must have at least {limit} items' },
  maxItems: { 'zh-CN': '最多 {limit} 项', en: 'must have at most {limit} items' },
  uniqueItems: { 'zh-CN': '不能有重复项', en: 'must not repeat an item' },
  pattern: { 'zh-CN': '格式不符', en: 'is not in the expected form' },
  format: { 'zh-CN': '不是有效的{expected}', en: 'is not a valid {expected}' },
  oneOf: { 'zh-CN': '应为以下之一：{allowed}', en: 'must be one of: {allowed}' },
};

const TYPES: Record<string, Rule> = {
  integer: { 'zh-CN': '整数', en: 'a whole number' },
  number: { 'zh-CN': '数字', en: 'a number' },
  string: { 'zh-CN': '文本', en: 'text' },
  boolean: { 'zh-CN': '布尔值（true 或 false）', en: 'true or false' },
  array: { 'zh-CN': '数组', en: 'a list' },
  object: { 'zh-CN': '对象', en: 'an object' },
  null: { 'zh-CN': '空值（null）', en: 'null' },
};

const FORMATS: Record<string, Rule> = {
  'date-time': { 'zh-CN': '时间（ISO 8601，带时区）', en: 'time (ISO 8601 with a zone)' },
  date: { 'zh-CN': '日期（YYYY-MM-DD）', en: 'date (YYYY-MM-DD)' },
  uuid: { 'zh-CN': 'UUID', en: 'UUID' },
  email: { 'zh-CN': '电子邮箱地址', en: 'email address' },
  uri: { 'zh-CN': 'URI', en: 'URI' },
};

/** The reason of a schema rule's failure in `locale`, or undefined when the rule is not one of ours. */
export function ruleReason(params: Record<string, unknown>, locale: Locale): string | undefined {
  const rule = RULES[String(params.rule)];
  if (!rule) return undefined;
  const expected = String(params.expected ?? '');
  const words = params.rule === 'type' ? TYPES : params.rule === 'format' ? FORMATS : {};
  const fill: Record<string, string> = {
    expected: expected
      .split(',')
      .map((e) => words[e]?.[locale] ?? e)
      .join(locale === 'en' ? ' or ' : '或'),
    limit: String(params.limit ?? ''),
    allowed: String(params.allowed ?? ''),
  };
  return rule[locale].replace(/\{(\w+)\}/g, (_, k: string) => fill[k] ?? '');
}
