import { describe, expect, it } from 'vitest';
import {
  businessDay,
  type CodeFacts,
  eligibility,
  insideRegion,
  insideTerritory,
  mayChangeStatus,
  type ProgramTerms,
} from '../../src/modules/incentives/channel/rules.ts';

const program = (over: Partial<ProgramTerms> = {}): ProgramTerms => ({
  id: 1,
  kind: 'clerk_sell',
  productIds: [],
  regionPrefixes: [],
  startsAt: new Date('2026-01-01T00:00:00Z'),
  endsAt: new Date('2027-01-01T00:00:00Z'),
  per: 'unit',
  amountFen: 50,
  upstreamAmountFen: 0,
  ...over,
});
const unit: CodeFacts = { productId: 7, level: 'unit', unitsPerCase: 1 };
const caseOf24: CodeFacts = { productId: 7, level: 'case', unitsPerCase: 24 };
const at = new Date('2026-06-01T10:00:00Z');

describe('eligibility of a scanned code under a program', () => {
  it('pays a unit its amount and a case its units times the amount, when paid per unit', () => {
    expect(eligibility(program(), unit, '110101', at)).toEqual({ ok: true, units: 1, amountFen: 50, upstreamFen: 0 });
    expect(eligibility(program(), caseOf24, '110101', at)).toEqual({ ok: true, units: 24, amountFen: 1200, upstreamFen: 0 });
  });

  it('pays a case once and a loose unit nothing, when paid per case', () => {
    expect(eligibility(program({ per: 'case', amountFen: 500 }), caseOf24, null, at)).toMatchObject({ ok: true, units: 1, amountFen: 500 });
    expect(eligibility(program({ per: 'case' }), unit, null, at)).toEqual({ ok: false, reason: 'level' });
    expect(eligibility(program(), { productId: 7, level: 'pallet', unitsPerCase: null }, null, at)).toEqual({ ok: false, reason: 'level' });
  });

  it('pays the distributor its own amount per unit beside the store in a sell-out rebate', () => {
    expect(eligibility(program({ kind: 'sellout_rebate', amountFen: 30, upstreamAmountFen: 10 }), caseOf24, null, at)).toEqual({
      ok: true,
      units: 24,
      amountFen: 720,
      upstreamFen: 240,
    });
  });

  it('refuses outside the time window, the products and the regions', () => {
    expect(eligibility(program(), unit, null, new Date('2025-12-31T23:59:59Z'))).toEqual({ ok: false, reason: 'not_started' });
    expect(eligibility(program(), unit, null, new Date('2027-01-01T00:00:00Z'))).toEqual({ ok: false, reason: 'ended' });
    expect(eligibility(program({ endsAt: null }), unit, null, new Date('2099-01-01T00:00:00Z')).ok).toBe(true);
    expect(eligibility(program({ productIds: [8] }), unit, null, at)).toEqual({ ok: false, reason: 'product' });
    expect(eligibility(program({ productIds: [7, 8] }), unit, null, at).ok).toBe(true);
    expect(eligibility(program({ regionPrefixes: ['44'] }), unit, '110101', at)).toEqual({ ok: false, reason: 'region' });
    expect(eligibility(program({ regionPrefixes: ['44', '1101'] }), unit, '110101', at).ok).toBe(true);
  });
});

describe('regions and territories', () => {
  it('matches division codes by prefix; no prefixes means everywhere, no place means nowhere in particular', () => {
    expect(insideRegion('440103', ['4401'])).toBe(true);
    expect(insideRegion('440203', ['4401'])).toBe(false);
    expect(insideRegion(null, [])).toBe(true);
    expect(insideRegion(null, ['44'])).toBe(false);
  });

  it('puts a store inside a distributor territory only under one of its divisions; no territory covers nothing', () => {
    expect(insideTerritory('110105', ['1101'])).toBe(true);
    expect(insideTerritory('130102', ['1101'])).toBe(false);
    expect(insideTerritory('110105', [])).toBe(false);
    expect(insideTerritory(null, ['11'])).toBe(false);
  });
});

describe('program bookkeeping', () => {
  it('counts a payout on the business day in China (UTC+8)', () => {
    expect(businessDay(new Date('2026-06-01T15:59:59Z'))).toBe('2026-06-01');
    expect(businessDay(new Date('2026-06-01T16:00:00Z'))).toBe('2026-06-02');
  });

  it('lets a draft or paused program start, an active one pause, anything but an ended one end', () => {
    expect(mayChangeStatus('draft', 'active')).toBe(true);
    expect(mayChangeStatus('paused', 'active')).toBe(true);
    expect(mayChangeStatus('active', 'paused')).toBe(true);
    expect(mayChangeStatus('draft', 'paused')).toBe(false);
    expect(mayChangeStatus('ended', 'active')).toBe(false);
    expect(mayChangeStatus('ended', 'ended')).toBe(false);
    expect(mayChangeStatus('active', 'draft')).toBe(false);
  });
});
