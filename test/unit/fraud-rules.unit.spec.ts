import { describe, expect, it } from 'vitest';
import {
  burst,
  clerkUndelivered,
  DEFAULT_THRESHOLDS,
  farApart,
  haversineKm,
  repeatedScans,
  thresholdsOf,
} from '../../src/modules/incentives/fraud/rules.ts';

const t = DEFAULT_THRESHOLDS;
const EPC = 'https://id.gs1.org/01/06901234001013/21/ABC';
const now = new Date('2026-06-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe('repeated scans of one code', () => {
  it('flags a code seen by more distinct devices than the limit, not at the limit', () => {
    expect(repeatedScans(t, EPC, t.repeatDevices)).toBeNull();
    expect(repeatedScans(t, EPC, t.repeatDevices + 1)).toMatchObject({
      rule: 'repeat_scans',
      subjectKind: 'code',
      subject: EPC,
      action: 'refused',
      evidence: { distinctDevices: 6, limit: 5 },
    });
  });
});

describe('far-apart sightings', () => {
  it('measures great-circle distance (Beijing to Shanghai about 1,068 km)', () => {
    expect(Math.round(haversineKm({ lat: 39.9042, lng: 116.4074 }, { lat: 31.2304, lng: 121.4737 }))).toBeGreaterThan(1050);
    expect(Math.round(haversineKm({ lat: 39.9042, lng: 116.4074 }, { lat: 31.2304, lng: 121.4737 }))).toBeLessThan(1080);
    expect(haversineKm({ lat: 10, lng: 10 }, { lat: 10, lng: 10 })).toBe(0);
  });

  it('flags another province within the window, not the same province, not an old sighting', () => {
    expect(farApart(t, EPC, { at: now, regionCode: '110105' }, [{ at: hoursAgo(1), regionCode: '440103' }])).toMatchObject({
      rule: 'far_apart',
      evidence: { region: '110105', earlierRegion: '440103' },
    });
    expect(farApart(t, EPC, { at: now, regionCode: '110105' }, [{ at: hoursAgo(1), regionCode: '110101' }])).toBeNull();
    expect(farApart(t, EPC, { at: now, regionCode: '110105' }, [{ at: hoursAgo(t.farHours + 1), regionCode: '440103' }])).toBeNull();
  });

  it('flags coordinates further apart than the limit within the window', () => {
    const beijing = { lat: 39.9042, lng: 116.4074 };
    const tianjin = { lat: 39.3434, lng: 117.3616 };
    const shanghai = { lat: 31.2304, lng: 121.4737 };
    expect(farApart(t, EPC, { at: now, ...beijing }, [{ at: hoursAgo(2), ...tianjin }])).toBeNull();
    expect(farApart(t, EPC, { at: now, ...beijing }, [{ at: hoursAgo(2), ...shanghai }])).toMatchObject({
      rule: 'far_apart',
      evidence: { limitKm: 300 },
    });
  });
});

describe('bursts and clerks', () => {
  it('flags a device over its limit and an address over its own higher limit', () => {
    expect(burst(t, 'device', 'd1', t.burstCount, EPC)).toBeNull();
    expect(burst(t, 'device', 'd1', t.burstCount + 1, EPC)).toMatchObject({ rule: 'device_burst', subjectKind: 'device', subject: 'd1' });
    expect(burst(t, 'address', 'ab', t.burstCount + 1, EPC)).toBeNull();
    expect(burst(t, 'address', 'ab', t.addressBurstCount + 1, EPC)).toMatchObject({ rule: 'address_burst', subjectKind: 'address' });
  });

  it('refuses a clerk bonus for units never delivered to the store, naming them', () => {
    expect(clerkUndelivered({ id: 3, name: 'clerk' }, 9, [])).toBeNull();
    expect(clerkUndelivered({ id: 3, name: 'clerk' }, 9, [EPC])).toMatchObject({
      rule: 'clerk_undelivered',
      subject: '3',
      action: 'refused',
      evidence: { storeId: 9, codes: [EPC], count: 1 },
    });
  });

  it("reads a tenant's thresholds over the defaults, ignoring what is not a valid value", () => {
    expect(thresholdsOf(null)).toEqual(t);
    const mine = thresholdsOf({ repeatDevices: 2, farAction: 'flagged', burstCount: -1, burstAction: 'maybe', other: 1 });
    expect(mine).toEqual({ ...t, repeatDevices: 2, farAction: 'flagged' });
  });
});
