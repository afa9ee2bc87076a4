import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/**
 * Abuse resistance as specified in docs/SECURITY.md: security headers, a body limit on every route and upload,
 * CSRF protection of cookie sessions, login throttling per address and lockout per account (audited).
 */
let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = await loginAs(server.baseUrl, 'admin');
});
afterAll(async () => server?.close());

const MiB = 1024 * 1024;

describe('security headers', () => {
  it('sends a Content-Security-Policy the console works under, and the usual hardening headers, on every answer', async () => {
    const answers = [await fetch(`${server.baseUrl}/api/v1/auth/me`), await fetch(`${server.baseUrl}/healthz`)];
    if (fs.existsSync(path.resolve('dist/web/index.html'))) {
      const page = await fetch(`${server.baseUrl}/scan`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      answers.push(page);
    }
    for (const r of answers) {
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("worker-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe-eval'; ");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('strict-transport-security')).toMatch(/^max-age=\d+$/);
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('permissions-policy')).toContain('camera=(self)');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });
});

describe('caching', () => {
  it('lets no cache keep what a signed-in caller is shown', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/products`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'clerk', password: 'Demo#2026' }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
  });
});

describe('body limits', () => {
  it('gives every route a body limit: 1 MiB by default, at most 64 MiB (EPCIS capture and imports)', () => {
    const limits = new Map(server.routes.map((r) => [`${r.method} ${r.url}`, r.bodyLimit]));
    for (const [route, limit] of limits) {
      expect(limit, route).toBeGreaterThan(0);
      expect(limit, route).toBeLessThanOrEqual(64 * MiB);
    }
    expect(limits.get('POST /api/v1/parties')).toBe(1 * MiB);
    expect(limits.get('POST /api/v1/auth/login')).toBe(1 * MiB);
    expect(limits.get('POST /epcis/capture')).toBe(64 * MiB);
    expect(limits.get('POST /api/v1/imports/:entity')).toBe(64 * MiB);
    expect(limits.get('POST /api/v1/scans')).toBe(8 * MiB);
  });

  it('refuses a JSON body over the limit with 413 and changes nothing', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/parties`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'BIG-1', name: 'x'.repeat(MiB), kind: 'store' }),
    });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ code: 'request.too_large' });
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from parties where code = 'BIG-1'`;
    expect(n?.n).toBe(0);
  });

  it('refuses an upload that announces more than 64 MiB before reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.baseUrl}/api/v1/imports/parties`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': String(65 * MiB) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('code,name\n');
    });
    expect(status).toBe(413);
  });
});

describe('CSRF protection of cookie sessions', () => {
  async function cookieSession(username: string): Promise<string> {
    const r = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username, password: username === 'admin' ? 'Admin#2026' : 'Demo#2026' }),
    });
    const setCookie = r.headers.get('set-cookie') ?? '';
    // the session cookie is out of scripts' reach and never sent on a cross-site request
    expect(setCookie).toMatch(/^tl_session=[^;]+;/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\//);
    return setCookie.split(';')[0] as string;
  }

  it('refuses a write authenticated by the cookie without the console header, and accepts it with the header', async () => {
    const cookie = await cookieSession('sales');
    const without = await fetch(`${server.baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(without.status).toBe(403);
    expect(await without.json()).toMatchObject({ code: 'auth.csrf' });
    // reads need no header
    expect((await fetch(`${server.baseUrl}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(200);
    const withHeader = await fetch(`${server.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-throughline-csrf': '1' },
    });
    expect(withHeader.status).toBe(204);
  });

  it('tells the console who is signed in with 200 either way: the user of a good session cookie, else no user', async () => {
    const session = (headers: Record<string, string> = {}) => fetch(`${server.baseUrl}/api/v1/auth/session`, { headers });
    const signedOut = await session();
    expect(signedOut.status).toBe(200);
    expect(await signedOut.json()).toEqual({ user: null });
    const cookie = await cookieSession('sales');
    const signedIn = await session({ cookie });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({ user: { username: 'sales' } });
    // a session ended (or forged) is no one; the session endpoint never reads a bearer token or an API key
    await fetch(`${server.baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, 'x-throughline-csrf': '1' } });
    expect(await (await session({ cookie })).json()).toEqual({ user: null });
    const bearer = await loginAs(server.baseUrl, 'planner');
    expect(await (await session({ authorization: `Bearer ${bearer}` })).json()).toEqual({ user: null });
  });

  it('needs no header from bearer-token or API-key callers, who cannot be forged by a browser', async () => {
    const bearer = await loginAs(server.baseUrl, 'planner');
    const r = await fetch(`${server.baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });
    expect(r.status).toBe(204);
  });

  it('grants no cross-origin access: a preflight from another site gets no CORS headers', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/auth/logout`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-throughline-csrf',
      },
    });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect(r.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('marks the cookie Secure behind a TLS-terminating proxy on this host', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ tenant: 'demo', username: 'store', password: 'Demo#2026' }),
    });
    expect(r.headers.get('set-cookie')).toMatch(/; Secure/i);
  });
});

describe('login throttling and lockout', () => {
  it('limits login attempts per address, and a client cannot pick its address with X-Forwarded-For', async () => {
    const { app } = await buildApp({ sql: server.db.sql, loginRateLimit: 3 });
    const attempt = (i: number) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '203.0.113.50',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
        payload: { tenant: 'demo', username: 'nobody', password: 'guess' },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(i)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await attempt(9);
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await app.close();
  });

  it('locks an account after five wrong passwords, says until when, and audits the lock', async () => {
    const login = (password: string) =>
      fetch(`${server.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', username: 'warehouse', password }),
      });
    for (let i = 0; i < 5; i++) expect((await login(`wrong-${i}`)).status).toBe(401);
    const locked = await login('Demo#2026');
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ code: 'auth.locked' });
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    const audit = await server.db.sql<{ action: string; details: Record<string, unknown> }[]>`
      select a.action, a.details from audit_log a join users u on u.tenant_id = a.tenant_id and a.entity_type = 'user' and u.id::text = a.entity_id
      where u.username = 'warehouse' and a.action like 'auth.%' order by a.seq`;
    expect(audit.map((a) => a.action)).toEqual([...Array(5).fill('auth.login_failed'), 'auth.account_locked']);
    expect(audit[5]?.details).toMatchObject({ failedLogins: 5, minutes: 15, lockedUntil: expect.any(String) });
  });
});
