import { describe, expect, it } from 'vitest';
import { remainingExpired } from '../../src/modules/consumers/expiry.ts';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));
let id = 0;
const earn = (delta: number, at: number, expires: number | null) => ({
  id: ++id,
  delta,
  at: day(at),
  expiresAt: expires === null ? null : day(expires),
});
const debit = (delta: number, at: number) => ({ id: ++id, delta: -delta, at: day(at), expiresAt: null });

describe('which points expire', () => {
  it('expires what is left of a lot past its date', () => {
    expect(remainingExpired([earn(100, 1, 10)], day(11))).toBe(100);
    expect(remainingExpired([earn(100, 1, 10)], day(9))).toBe(0);
  });

  it('spends the soonest-expiring points first, so a spend protects them', () => {
    // 100 expiring on day 10 and 50 without expiry; 30 spent: 70 of the first lot are left to expire
    expect(remainingExpired([earn(100, 1, 10), earn(50, 2, null), debit(30, 3)], day(11))).toBe(70);
    // the later lot expires sooner: it is consumed first, although earned later
    expect(remainingExpired([earn(100, 1, 30), earn(40, 2, 10), debit(40, 3)], day(11))).toBe(0);
  });

  it('counts an expiry already booked, so expiring twice expires nothing more', () => {
    const entries = [earn(100, 1, 10), earn(50, 2, null), debit(30, 3)];
    expect(remainingExpired([...entries, debit(70, 11)], day(12))).toBe(0);
    // a second lot becoming due later expires on its own
    expect(remainingExpired([...entries, earn(20, 5, 15), debit(70, 11)], day(16))).toBe(20);
  });
});
