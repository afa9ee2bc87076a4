import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/** Channel stock: adjustments with reasons that never drive stock negative, safety levels and their alerts, data scope. */
let server: TestServer;
const tokens: Record<string, string> = {};
let sku: string;
let distributor: string;
let otherDistributor: string;

async function call(user: string, method: string, path: string, body?: unknown) {
  tokens[user] ??= await loginAs(server.baseUrl, user);
  const r = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const tenant = Number(t?.id);
  const [p] = await server.db.sql<
    { sku: string }[]
  >`select sku from products where tenant_id = ${tenant} and status = 'active' order by sku limit 1`;
  sku = p?.sku as string;
  const [d] = await server.db.sql<{ code: string }[]>`
    select p.code from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = 'distributor'`;
  distributor = d?.code as string;
  const [o] = await server.db.sql<{ code: string }[]>`
    select code from parties where tenant_id = ${tenant} and kind = 'distributor' and tier = 1 and code <> ${distributor} order by code limit 1`;
  otherDistributor = o?.code as string;
});
afterAll(async () => server?.close());

describe('channel stock', () => {
  it('adjusts stock with a reason, audited, and never below zero', async () => {
    const found = await call('distributor', 'POST', '/api/v1/stock/adjustments', {
      party: distributor,
      sku,
      delta: 120,
      reason: 'found',
      note: '盘点',
    });
    expect(found.status, JSON.stringify(found.body)).toBe(201);
    expect(found.body.onHand).toBe(120);
    const damaged = await call('distributor', 'POST', '/api/v1/stock/adjustments', {
      party: distributor,
      sku,
      delta: -20,
      reason: 'damaged',
    });
    expect(damaged.body.onHand).toBe(100);
    const tooMuch = await call('distributor', 'POST', '/api/v1/stock/adjustments', {
      party: distributor,
      sku,
      delta: -101,
      reason: 'lost',
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errors[0]).toMatchObject({ pointer: '/body/delta', code: 'stock.would_go_negative' });
    const badReason = await call('distributor', 'POST', '/api/v1/stock/adjustments', {
      party: distributor,
      sku,
      delta: 1,
      reason: 'because',
    });
    expect(badReason.status).toBe(400);
    const stock = await call('distributor', 'GET', `/api/v1/stock?sku=${sku}`);
    expect(stock.body.items).toEqual([expect.objectContaining({ party: expect.objectContaining({ code: distributor }), onHand: 100 })]);
    const [audit] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'stock.adjust'`;
    expect(audit?.n).toBe(2);
  });

  it('keeps a distributor to its own scope', async () => {
    const other = await call('distributor', 'POST', '/api/v1/stock/adjustments', {
      party: otherDistributor,
      sku,
      delta: 5,
      reason: 'found',
    });
    expect(other.status).toBe(400);
    expect(other.body.errors[0].pointer).toBe('/body/party');
    const clerk = await call('clerk', 'POST', '/api/v1/stock/adjustments', { party: distributor, sku, delta: 5, reason: 'found' });
    expect(clerk.status).toBe(403);
  });

  it('raises an alert for a party below its safety stock', async () => {
    const set = await call('admin', 'PUT', '/api/v1/stock/safety', { levels: [{ party: distributor, sku, minUnits: 150 }] });
    expect(set.body).toEqual({ updated: 1 });
    const alerts = await call('distributor', 'GET', '/api/v1/stock/alerts');
    expect(alerts.body.items).toEqual([expect.objectContaining({ sku, safetyStock: 150, onHand: 100, short: 50 })]);
    await call('admin', 'PUT', '/api/v1/stock/safety', { levels: [{ party: distributor, sku, minUnits: 80 }] });
    expect((await call('distributor', 'GET', '/api/v1/stock/alerts')).body.items).toEqual([]);
    // an adjustment that takes the stock below the level, and one that brings it back, go out as webhooks
    const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    await server.db.sql`insert into webhook_subscriptions (tenant_id, url, event_types, secret_sealed)
      values (${Number(t?.id)}, 'https://erp.example.com/hooks', '{stock.below_safety,stock.recovered}', '\\x00')`;
    await call('distributor', 'POST', '/api/v1/stock/adjustments', { party: distributor, sku, delta: -30, reason: 'damaged' });
    await call('distributor', 'POST', '/api/v1/stock/adjustments', { party: distributor, sku, delta: 30, reason: 'found' });
    const events = await server.db.sql<{ type: string }[]>`select type from webhook_events order by created_at`;
    expect(events.map((e) => e.type)).toEqual(['stock.below_safety', 'stock.recovered']);
    const bad = await call('admin', 'PUT', '/api/v1/stock/safety', { levels: [{ party: 'NOPE', sku: 'NOPE', minUnits: 1 }] });
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/body/levels/0/party', '/body/levels/0/sku']);
  });
});
