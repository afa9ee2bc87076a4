import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerSource } from '../../web/src/pages/consumers/ledger-source.ts';
import { sgtinOf } from '../../web/src/trace.ts';

/** The consumer profile's points ledger reads its source keys as words: every key the server books is known. */
describe('points ledger sources', () => {
  it('reads a campaign reward, a mall redemption and an expiry, and keeps any other key as written', () => {
    const epc = 'https://id.gs1.org/01/06901234001013/21/K7Q2M9XW4T';
    expect(ledgerSource(`campaign:12:code:${epc}`)).toEqual({ kind: 'campaign', campaignId: 12, epc });
    expect(ledgerSource('mall:8c0e6f0a-3d0e-4a8a-9d55-2f7c1b3c5e11')).toEqual({ kind: 'mall' });
    expect(ledgerSource('expire:41:0c3e2a1b-0000-4000-8000-000000000000')).toEqual({ kind: 'expire' });
    expect(ledgerSource('import:2024-spring')).toEqual({ kind: 'other', key: 'import:2024-spring' });
    expect(ledgerSource('campaign:x:code:')).toEqual({ kind: 'other', key: 'campaign:x:code:' });
  });

  it('knows the shape of every source the server books points under', () => {
    // the template literals passed as `source` where points are booked (claim.ts books through bookPointsMany)
    const booked = ['src/modules/incentives/claim.ts', 'src/modules/consumers/mall.ts', 'src/modules/consumers/expiry.ts'].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/source: `([a-z]+):/g)].map((m) => m[1] as string),
    );
    expect([...new Set(booked)].sort()).toEqual(['campaign', 'expire', 'mall']);
    for (const prefix of booked) expect(ledgerSource(`${prefix}:1:code:https://id.gs1.org/01/06901234001013/21/A1`).kind).not.toBe('other');
  });

  it('shows a unit code by its GTIN and serial', () => {
    expect(sgtinOf('https://id.gs1.org/01/06901234001013/21/A%2FB')).toEqual({ gtin: '06901234001013', serial: 'A/B' });
    expect(sgtinOf('https://id.gs1.org/00/069012340000000017')).toBeNull();
    expect(sgtinOf(null)).toBeNull();
  });
});
