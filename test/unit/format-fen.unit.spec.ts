import { beforeAll, describe, expect, it } from 'vitest';

/** The console's money format (web/src/format.ts), in both languages. */
let formatFen: typeof import('../../web/src/format.ts').formatFen;
let i18n: typeof import('../../web/src/i18n/index.ts').default;

beforeAll(async () => {
  // the console's i18n names the page's language on the document: a bare one here, outside a browser
  Object.assign(globalThis, { document: { documentElement: {}, title: '' } });
  ({ formatFen } = await import('../../web/src/format.ts'));
  i18n = (await import('../../web/src/i18n/index.ts')).default;
});

describe('formatFen', () => {
  it('writes an amount in yuan with two decimals, a balance below zero with its sign before the currency', async () => {
    for (const lang of ['zh-CN', 'en']) {
      await i18n.changeLanguage(lang);
      expect(formatFen(123_450)).toBe('¥1,234.50');
      // a distributor's prepaid balance once its orders ran past what it paid in: not "¥-9,134.16"
      expect(formatFen(-913_416)).toBe('−¥9,134.16');
      expect(formatFen(-5, 'USD')).toBe('−USD 0.05');
      expect(formatFen(0)).toBe('¥0.00');
      expect(formatFen(null)).toBe('—');
    }
  });
});
