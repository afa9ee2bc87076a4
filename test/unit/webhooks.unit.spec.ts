import { describe, expect, it } from 'vitest';
import { backoffDelayMs, webhookSettings } from '../../src/modules/webhooks/settings.ts';
import { signatureHeader, verifySignature } from '../../src/modules/webhooks/signature.ts';
import { TargetGuard } from '../../src/modules/webhooks/targets.ts';

describe('webhook backoff', () => {
  const s = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };
  it('doubles from the base with jitter in [0.8, 1.2), so each delay is longer than the one before, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, s, () => 0))).toEqual([800, 1600, 3200, 6400]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, s, () => 0.999999))).toEqual([1200, 2400, 4800, 9600]);
    for (let n = 1; n < 6; n++) expect(backoffDelayMs(n + 1, s, () => 0)).toBeGreaterThan(backoffDelayMs(n, s, () => 0.999999));
    expect(backoffDelayMs(20, s, () => 0.5)).toBe(60_000);
  });

  it('reads its settings from the environment, overrides first', () => {
    const env = {
      THROUGHLINE_WEBHOOK_MAX_ATTEMPTS: '4',
      THROUGHLINE_WEBHOOK_BACKOFF_MS: 'x',
      THROUGHLINE_WEBHOOK_ALLOW_PRIVATE: '10.0.0.0/8, 127.0.0.1',
    };
    const got = webhookSettings({ timeoutMs: 50 }, env);
    expect(got).toMatchObject({ maxAttempts: 4, backoffBaseMs: 15_000, timeoutMs: 50, allowPrivateTargets: ['10.0.0.0/8', '127.0.0.1'] });
    expect(webhookSettings({}, { THROUGHLINE_WEBHOOK_ALLOW_PRIVATE: 'true' }).allowPrivateTargets).toBe(true);
    expect(webhookSettings({}, {}).allowPrivateTargets).toBe(false);
  });
});

describe('webhook targets', () => {
  it('refuses private, loopback, link-local and mapped addresses unless allowed by address or CIDR', () => {
    const strict = new TargetGuard(false);
    for (const ip of [
      '127.0.0.1',
      '10.2.3.4',
      '172.31.255.1',
      '192.168.0.9',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::9',
      '::ffff:127.0.0.1',
      '::ffff:a00:1',
    ]) {
      expect(strict.allows(ip), ip).toBe(false);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '2606:4700:4700::1111']) expect(strict.allows(ip), ip).toBe(true);
    const some = new TargetGuard(['10.20.0.0/16', '127.0.0.1']);
    expect(some.allows('10.20.5.5')).toBe(true);
    expect(some.allows('10.21.5.5')).toBe(false);
    expect(some.allows('127.0.0.1')).toBe(true);
    expect(some.allows('127.0.0.2')).toBe(false);
    expect(new TargetGuard(true).allows('10.0.0.1')).toBe(true);
    expect(() => new TargetGuard(['not-an-ip'])).toThrow(/THROUGHLINE_WEBHOOK_ALLOW_PRIVATE/);
  });

  it('checks URLs: scheme, credentials, private literals in any notation, localhost', () => {
    const g = new TargetGuard(false);
    const code = (u: string) => g.checkUrl(u, '/body/url').map((e) => e.code);
    expect(code('https://erp.example.com/hooks?x=1')).toEqual([]);
    expect(code('http://8.8.8.8:8080/')).toEqual([]);
    expect(code('nope')).toEqual(['webhooks.url_invalid']);
    expect(code('file:///etc/passwd')).toEqual(['webhooks.url_scheme']);
    expect(code('gopher://x/')).toEqual(['webhooks.url_scheme']);
    expect(code('https://a:b@erp.example.com/')).toEqual(['webhooks.url_credentials']);
    for (const u of [
      'http://0x7f.1/',
      'http://017700000001/',
      'http://127.1/',
      'http://[::ffff:7f00:1]/',
      'http://LOCALHOST/',
      'http://x.localhost/',
    ]) {
      expect(code(u), u).toEqual(['webhooks.url_private']);
    }
  });
});

describe('webhook signatures', () => {
  it('carries one v1 per secret and verifies with either, within the tolerance only', () => {
    const body = '{"id":"e1"}';
    const h = signatureHeader(['whsec_new', 'whsec_old'], 1_700_000_000, body);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_new', h, body, { now: 1_700_000_100 })).toBe(true);
    expect(verifySignature('whsec_old', h, body, { now: 1_700_000_100 })).toBe(true);
    expect(verifySignature('whsec_other', h, body, { now: 1_700_000_100 })).toBe(false);
    expect(verifySignature('whsec_new', h, body, { now: 1_700_000_301 })).toBe(false);
    expect(verifySignature('whsec_new', 'v1=abc', body)).toBe(false);
  });
});
