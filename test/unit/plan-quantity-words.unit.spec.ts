import { beforeAll, describe, expect, it } from 'vitest';

/** How the plan page words a quantity in cases (web/src/i18n, plans.inCases), in both languages. */
let i18n: typeof import('../../web/src/i18n/index.ts').default;

beforeAll(async () => {
  // the console's i18n names the page's language on the document: a bare one here, outside a browser
  Object.assign(globalThis, { document: { documentElement: {}, title: '' } });
  i18n = (await import('../../web/src/i18n/index.ts')).default;
});

describe('a plan quantity in cases', () => {
  it('reads one case in the singular in English ("1 case of 24", not "1 cases of 24"), and the same in Chinese', async () => {
    await i18n.changeLanguage('en');
    expect(i18n.t('plans.inCases', { count: 1, size: 24, units: 24 })).toBe('1 case of 24 · 24 units');
    expect(i18n.t('plans.inCases', { count: 9, size: 24, units: 216 })).toBe('9 cases of 24 · 216 units');
    expect(i18n.t('plans.inCases', { count: 0, size: 24, units: 0 })).toBe('0 cases of 24 · 0 units');
    await i18n.changeLanguage('zh-CN');
    expect(i18n.t('plans.inCases', { count: 1, size: 24, units: 24 })).toBe('1 箱（每箱 24）· 24 件');
    expect(i18n.t('plans.inCases', { count: 9, size: 24, units: 216 })).toBe('9 箱（每箱 24）· 216 件');
  });
});
