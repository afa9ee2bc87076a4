import { Type } from '@sinclair/typebox';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { message } from '../../src/http/messages.ts';
import { ajvToFieldErrors } from '../../src/http/validation.ts';

/**
 * A body that breaks its schema is refused field by field, each with a reason the reader can read in their own
 * language: Ajv's English sentence is not put into the Chinese message, and a value outside a list of words is one
 * error naming the words, not one per word.
 */
const ajv = new Ajv.default({ allErrors: true, strict: false });
const schema = Type.Object({
  kind: Type.Union(['ship', 'receive', 'sell'].map((k) => Type.Literal(k))),
  amountFen: Type.Integer({ minimum: 1 }),
  key: Type.String({ minLength: 8 }),
  lines: Type.Array(Type.Object({ sku: Type.String() }), { minItems: 1 }),
  at: Type.String({ format: 'date-time' }),
  note: Type.Optional(Type.String({ maxLength: 4 })),
});
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T/);
const validate = ajv.compile(schema);

function refusals(body: unknown, locale: 'zh-CN' | 'en') {
  expect(validate(body)).toBe(false);
  return ajvToFieldErrors(validate.errors ?? [], 'body').map((e) => [e.pointer, e.code, message(e.code, locale, e.params)]);
}

describe('field errors of a body that breaks its schema', () => {
  const bad = { kind: 'steal', amountFen: 1.5, key: 'abc', lines: [], at: 'yesterday', note: 'too long' };

  it('says why in Chinese by default', () => {
    expect(refusals(bad, 'zh-CN')).toEqual([
      ['/body/kind', 'field.invalid', '字段 kind 的值无效：应为以下之一："ship", "receive", "sell"'],
      ['/body/amountFen', 'field.invalid', '字段 amountFen 的值无效：应为整数'],
      ['/body/key', 'field.invalid', '字段 key 的值无效：至少 8 个字符'],
      ['/body/lines', 'field.invalid', '字段 lines 的值无效：至少 1 项'],
      ['/body/at', 'field.invalid', '字段 at 的值无效：不是有效的时间（ISO 8601，带时区）'],
      ['/body/note', 'field.invalid', '字段 note 的值无效：最多 4 个字符'],
    ]);
  });

  it('and in English on request', () => {
    expect(refusals(bad, 'en')).toEqual([
      ['/body/kind', 'field.invalid', 'Invalid value for kind: must be one of: "ship", "receive", "sell"'],
      ['/body/amountFen', 'field.invalid', 'Invalid value for amountFen: must be a whole number'],
      ['/body/key', 'field.invalid', 'Invalid value for key: must have at least 8 characters'],
      ['/body/lines', 'field.invalid', 'Invalid value for lines: must have at least 1 items'],
      ['/body/at', 'field.invalid', 'Invalid value for at: is not a valid time (ISO 8601 with a zone)'],
      ['/body/note', 'field.invalid', 'Invalid value for note: must have at most 4 characters'],
    ]);
  });

  it('names a missing and an unknown field as such', () => {
    const strict = ajv.compile(Type.Object({ sku: Type.String() }, { additionalProperties: false }));
    expect(strict({ skus: 'x' })).toBe(false);
    expect(ajvToFieldErrors(strict.errors ?? [], 'body').map((e) => [e.pointer, e.code])).toEqual([
      ['/body/sku', 'field.required'],
      ['/body/skus', 'field.unknown'],
    ]);
  });
});

describe('amounts in messages', () => {
  it('are shown in yuan, as the console shows money, though kept and sent in fen', () => {
    expect(message('funds.insufficient', 'zh-CN', { needed: 14400, available: 0 })).toBe(
      '资金不足：需要 ¥144.00，可用 ¥0.00（含信用额度）',
    );
    expect(message('order.price_changed', 'en', { value: 1, current: 123456 })).toBe(
      'The price changed: you saw ¥0.01, it is now ¥1,234.56',
    );
  });
});

describe('times in messages', () => {
  it('are shown in China time to the minute, not as the ISO instant the params carry', () => {
    const params = { store: '何记佳百货', at: '2026-12-05T10:54:49.645Z' };
    expect(message('channel.ticket_redeemed', 'zh-CN', params)).toBe('该奖券已于 2026-12-05 18:54 在 何记佳百货 兑付');
    expect(message('channel.ticket_redeemed', 'en', params)).toBe('This ticket was already redeemed at 何记佳百货 on 2026-12-05 18:54');
  });
});

describe('a unit named in a message', () => {
  it('is its GTIN and serial as printed under the QR, in the reader’s language, not its raw link', () => {
    const code = 'https://id.gs1.org/01/06901234001013/21/NO%2FPRIZE1';
    expect(message('channel.no_ticket', 'en', { value: code })).toBe('This code did not win: GTIN 06901234001013 · serial NO/PRIZE1');
    expect(message('channel.no_ticket', 'zh-CN', { value: code })).toBe('该码没有中奖：GTIN 06901234001013 · 序列号 NO/PRIZE1');
  });

  it('leaves a code that is not a unit’s as given', () => {
    const sscc = 'https://id.gs1.org/00/069012340000000017';
    expect(message('channel.no_ticket', 'en', { value: sscc })).toBe(`This code did not win: ${sscc}`);
  });
});
