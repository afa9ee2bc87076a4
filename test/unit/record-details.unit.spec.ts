import { describe, expect, it } from 'vitest';

// the console's i18n names the page's language on load: a document to name it on
(globalThis as { document?: unknown }).document ??= { documentElement: {}, title: '' };
const { detailsText } = await import('../../web/src/recordDetails.ts');

/** The audit log's details in the reader's language, as the demo brand's first start records them. */
describe('record details', () => {
  const history = { days: 182, skus: ['MILK-0101'], stores: 48, distributors: ['D0001'] };
  const load = { seed: 20261123, users: 11, parties: 100510, products: 200 };

  it('label the demo load and history fields in Chinese, not as English words', () => {
    expect(detailsText(history, false)).toBe('天数：182；SKU：[MILK-0101]；门店数：48；经销商：[D0001]');
    expect(detailsText(load, false)).toBe('随机种子：20261123；用户数：11；渠道主体数：100,510；商品数：200');
  });

  it('write a seed or an id as it is, a count with thousands separators', () => {
    expect(detailsText(load, true)).toBe('seed: 20261123; users: 11; parties: 100,510; products: 200');
    expect(detailsText({ orderId: 12345, quantity: 12345 }, true)).toBe('order id: 12345; quantity: 12,345');
  });
});
