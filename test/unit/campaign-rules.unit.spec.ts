import { describe, expect, it } from 'vitest';
import { type CampaignInput, definitionErrors, PPM, statusChangeAllowed, tierFor } from '../../src/modules/incentives/definition.ts';
import { type ClaimFacts, type EligibilityRules, ineligibility } from '../../src/modules/incentives/eligibility.ts';

const lottery = (probabilities: number[]): CampaignInput => ({
  name: 'x',
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '2026-02-01T00:00:00Z',
  reward: { type: 'lottery', tiers: probabilities.map((p, i) => ({ name: `T${i}`, amountFen: 100, probability: p, count: 1 })) },
});

describe('a campaign definition', () => {
  it('allows tiers whose probabilities add up to exactly 1, refuses more, counted in millionths (no float drift)', () => {
    expect(definitionErrors(lottery([0.1, 0.2, 0.7]), new Set())).toEqual([]);
    expect(definitionErrors(lottery([0.5, 0.500001]), new Set()).map((e) => e.code)).toEqual(['campaign.probabilities_over_one']);
  });

  it('refuses a probability too small to draw rather than silently never drawing it', () => {
    expect(definitionErrors(lottery([0.0000001]), new Set())).toEqual([
      { pointer: '/body/reward/tiers/0/probability', code: 'campaign.probability_too_small', params: {} },
    ]);
  });

  it('refuses an end before its start, and a region that is not a division', () => {
    const c: CampaignInput = { ...lottery([0.5]), endsAt: '2025-12-31T00:00:00Z', eligibility: { regions: ['31', '3101', '99'] } };
    expect(definitionErrors(c, new Set()).map((e) => [e.pointer, e.code])).toEqual([
      ['/body/endsAt', 'campaign.ends_before_start'],
      ['/body/eligibility/regions/2', 'division.unknown'],
    ]);
  });
});

describe('status changes', () => {
  it('start from draft or paused, pause when active, end from anything but ended', () => {
    expect(statusChangeAllowed('draft', 'active')).toBe(true);
    expect(statusChangeAllowed('paused', 'active')).toBe(true);
    expect(statusChangeAllowed('draft', 'paused')).toBe(false);
    expect(statusChangeAllowed('active', 'ended')).toBe(true);
    expect(statusChangeAllowed('ended', 'active')).toBe(false);
    expect(statusChangeAllowed('ended', 'ended')).toBe(false);
  });
});

describe('the lottery draw', () => {
  it('maps a uniform number to the tier whose band holds it, the rest to no prize', () => {
    const bands = [100_000, 200_000];
    expect(tierFor(0, bands)).toBe(0);
    expect(tierFor(99_999, bands)).toBe(0);
    expect(tierFor(100_000, bands)).toBe(1);
    expect(tierFor(299_999, bands)).toBe(1);
    expect(tierFor(300_000, bands)).toBeNull();
    expect(tierFor(PPM - 1, [PPM])).toBe(0);
    expect(tierFor(0, [0])).toBeNull();
  });
});

describe('eligibility', () => {
  const rules: EligibilityRules = {
    startsAt: new Date('2026-01-01T00:00:00Z'),
    endsAt: new Date('2026-02-01T00:00:00Z'),
    gtins: ['06901234001013'],
    regions: ['3101'],
    firstScanOnly: true,
    newMembersOnly: true,
  };
  const facts: ClaimFacts = {
    now: new Date('2026-01-15T00:00:00Z'),
    gtin: '06901234001013',
    regionCode: '310104',
    firstScan: true,
    consumerCreatedAt: new Date('2026-01-10T00:00:00Z'),
  };
  it('passes a claim that meets every rule', () => expect(ineligibility(rules, facts)).toBeNull());
  it.each([
    [{ now: new Date('2026-02-01T00:00:00Z') }, 'time'],
    [{ now: new Date('2025-12-31T23:59:59Z') }, 'time'],
    [{ gtin: '06901234001020' }, 'sku'],
    [{ regionCode: '320102' }, 'region'],
    [{ regionCode: null }, 'region'],
    [{ firstScan: false }, 'first_scan'],
    [{ consumerCreatedAt: new Date('2025-12-01T00:00:00Z') }, 'new_member'],
  ] as const)('refuses %o for %s', (change, reason) => {
    expect(ineligibility(rules, { ...facts, ...change })).toBe(reason);
  });
});
