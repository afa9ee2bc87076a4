import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { PERMISSIONS, ROLES, type Role } from '../../src/modules/auth/index.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/**
 * Walks EVERY declared route with EVERY role, an anonymous caller and a user of another tenant, and checks
 * each is let through or refused as the permission table and the data scope say.
 */
const USER_OF_ROLE: Record<Role, string> = {
  brand_admin: 'admin',
  brand_sales: 'sales',
  brand_planner: 'planner',
  brand_quality: 'quality',
  brand_inspector: 'inspector',
  line_device: 'line',
  warehouse_operator: 'warehouse',
  distributor_admin: 'distributor',
  distributor_staff: 'dstaff',
  store_owner: 'store',
  store_clerk: 'clerk',
};

let server: TestServer;
const tokens = new Map<string, string>();
let ids: { store: number; farStore: number; product: number; apiKey: number };

/** A concrete request for each route; a route missing here fails the walk. */
function sampleRequest(method: string, url: string): { path: string; body?: unknown; contentType?: string } | undefined {
  const samples: Record<string, { path: string; body?: unknown; contentType?: string }> = {
    'GET /healthz': { path: '/healthz' },
    'POST /api/v1/auth/login': { path: '/api/v1/auth/login', body: { tenant: 'demo', username: 'nobody', password: 'x' } },
    'POST /api/v1/auth/logout': { path: '/api/v1/auth/logout' },
    'GET /api/v1/auth/me': { path: '/api/v1/auth/me' },
    'GET /api/v1/auth/session': { path: '/api/v1/auth/session' },
    'GET /api/v1/users': { path: '/api/v1/users' },
    'POST /api/v1/users': { path: '/api/v1/users', body: {} },
    'GET /api/v1/api-keys': { path: '/api/v1/api-keys' },
    'POST /api/v1/api-keys': { path: '/api/v1/api-keys', body: {} },
    'DELETE /api/v1/api-keys/:id': { path: '/api/v1/api-keys/999999' },
    'GET /api/v1/parties': { path: '/api/v1/parties?kind=store' },
    'GET /api/v1/parties/:id': { path: `/api/v1/parties/${ids.store}` },
    'POST /api/v1/parties': { path: '/api/v1/parties', body: {} },
    'GET /api/v1/divisions': { path: '/api/v1/divisions' },
    'GET /api/v1/overview': { path: '/api/v1/overview' },
    'GET /api/v1/products': { path: '/api/v1/products' },
    'GET /api/v1/products/categories': { path: '/api/v1/products/categories' },
    'GET /api/v1/products/:id': { path: `/api/v1/products/${ids.product}` },
    'POST /api/v1/products': { path: '/api/v1/products', body: {} },
    'GET /api/v1/audit': { path: '/api/v1/audit' },
    'POST /api/v1/audit/verify': { path: '/api/v1/audit/verify' },
    'POST /api/v1/imports/:entity': { path: '/api/v1/imports/parties', body: 'code,name\n', contentType: 'text/csv' },
    'GET /api/v1/imports/reports/:id': { path: '/api/v1/imports/reports/00000000-0000-0000-0000-000000000000' },
    'GET /api/v1/exports/:entity': { path: '/api/v1/exports/parties?format=csv&kind=distributor' },
    'POST /epcis/capture': { path: '/epcis/capture', body: {} },
    'GET /epcis/capture/:captureID': { path: '/epcis/capture/999999' },
    'GET /epcis/events': { path: '/epcis/events?perPage=1' },
    'GET /epcis/events/:eventID': { path: '/epcis/events/no-such-event' },
    'GET /api/v1/codes/:code/journey': {
      path: `/api/v1/codes/${encodeURIComponent('https://id.gs1.org/01/06901234000016/21/NOPE')}/journey`,
    },
    'GET /api/v1/recalls/lot': { path: '/api/v1/recalls/lot?gtin=06901234000016&lot=L1' },
    'GET /api/v1/recalls/lot/export': { path: '/api/v1/recalls/lot/export?gtin=06901234000016&lot=L1' },
    'GET /api/v1/recalls/lot/codes': { path: '/api/v1/recalls/lot/codes?gtin=06901234000016&lot=L1' },
    'POST /api/v1/orders': { path: '/api/v1/orders', body: {} },
    'GET /api/v1/orders': { path: '/api/v1/orders' },
    'POST /api/v1/orders/import': { path: '/api/v1/orders/import?format=csv', body: 'sku,quantity\n', contentType: 'text/csv' },
    'GET /api/v1/orders/export': { path: '/api/v1/orders/export' },
    'GET /api/v1/orders/:id': { path: '/api/v1/orders/999999' },
    'POST /api/v1/orders/:id/approve': { path: '/api/v1/orders/999999/approve', body: {} },
    'POST /api/v1/orders/:id/reject': { path: '/api/v1/orders/999999/reject', body: {} },
    'POST /api/v1/orders/:id/cancel': { path: '/api/v1/orders/999999/cancel', body: {} },
    'POST /api/v1/orders/:id/close-backorder': { path: '/api/v1/orders/999999/close-backorder', body: {} },
    'POST /api/v1/orders/presales/release': { path: '/api/v1/orders/presales/release' },
    'GET /api/v1/order-settings': { path: '/api/v1/order-settings' },
    'PUT /api/v1/order-settings': { path: '/api/v1/order-settings', body: {} },
    'GET /api/v1/order-rules': { path: '/api/v1/order-rules' },
    'PUT /api/v1/order-rules': { path: '/api/v1/order-rules', body: {} },
    'GET /api/v1/group-buys': { path: '/api/v1/group-buys' },
    'POST /api/v1/group-buys': { path: '/api/v1/group-buys', body: {} },
    'POST /api/v1/orders/:id/shipments': { path: '/api/v1/orders/999999/shipments', body: {} },
    'POST /api/v1/orders/shipment-batches': { path: '/api/v1/orders/shipment-batches', body: {} },
    'POST /api/v1/orders/:id/receipts': { path: '/api/v1/orders/999999/receipts', body: {} },
    'POST /api/v1/orders/receipt-batches': { path: '/api/v1/orders/receipt-batches', body: {} },
    'POST /api/v1/orders/:id/receipts/close': { path: '/api/v1/orders/999999/receipts/close', body: {} },
    'GET /api/v1/orders/:id/differences': { path: '/api/v1/orders/999999/differences' },
    'POST /api/v1/orders/:id/differences': { path: '/api/v1/orders/999999/differences', body: {} },
    'POST /api/v1/orders/:id/differences/:differenceId/resolve': { path: '/api/v1/orders/999999/differences/1/resolve', body: {} },
    'GET /api/v1/orders/:id/returns': { path: '/api/v1/orders/999999/returns' },
    'POST /api/v1/orders/:id/returns': { path: '/api/v1/orders/999999/returns', body: {} },
    'POST /api/v1/orders/:id/returns/:returnId/receipts': { path: '/api/v1/orders/999999/returns/1/receipts', body: {} },
    'POST /api/v1/prices/resolve': { path: '/api/v1/prices/resolve', body: {} },
    'GET /api/v1/price-lists': { path: '/api/v1/price-lists' },
    'GET /api/v1/price-lists/:code': { path: '/api/v1/price-lists/NOPE' },
    'GET /api/v1/customer-groups': { path: '/api/v1/customer-groups' },
    'POST /api/v1/price-lists': { path: '/api/v1/price-lists', body: {} },
    'POST /api/v1/customer-groups': { path: '/api/v1/customer-groups', body: {} },
    'GET /api/v1/funds/:party': { path: '/api/v1/funds/NOPE' },
    'GET /api/v1/funds/:party/ledger': { path: '/api/v1/funds/NOPE/ledger' },
    'POST /api/v1/funds/deposits': { path: '/api/v1/funds/deposits', body: {} },
    'GET /api/v1/channel-programs': { path: '/api/v1/channel-programs' },
    'POST /api/v1/channel-programs': { path: '/api/v1/channel-programs', body: {} },
    'GET /api/v1/channel-programs/:id': { path: '/api/v1/channel-programs/999999' },
    'PUT /api/v1/channel-programs/:id': { path: '/api/v1/channel-programs/999999', body: {} },
    'POST /api/v1/channel-programs/:id/status': { path: '/api/v1/channel-programs/999999/status', body: {} },
    'GET /api/v1/channel-payouts': { path: '/api/v1/channel-payouts' },
    'GET /api/v1/channel-payouts/export': { path: '/api/v1/channel-payouts/export' },
    'POST /api/v1/one-more/redeem': { path: '/api/v1/one-more/redeem', body: {} },
    'GET /api/v1/fraud/flags': { path: '/api/v1/fraud/flags' },
    'POST /api/v1/fraud/flags/:id/review': { path: '/api/v1/fraud/flags/999999/review', body: {} },
    'GET /api/v1/fraud/settings': { path: '/api/v1/fraud/settings' },
    'PUT /api/v1/fraud/settings': { path: '/api/v1/fraud/settings', body: {} },
    'GET /api/v1/stock': { path: '/api/v1/stock' },
    'POST /api/v1/stock/adjustments': { path: '/api/v1/stock/adjustments', body: {} },
    'PUT /api/v1/stock/safety': { path: '/api/v1/stock/safety', body: {} },
    'GET /api/v1/stock/alerts': { path: '/api/v1/stock/alerts' },
    'GET /api/v1/replenishment/suggestions': { path: '/api/v1/replenishment/suggestions' },
    'POST /api/v1/replenishment/suggestions/accept': { path: '/api/v1/replenishment/suggestions/accept', body: { serviceLevel: 2 } },
    'PUT /api/v1/replenishment/lead-times': { path: '/api/v1/replenishment/lead-times', body: {} },
    'GET /api/v1/reports/sell-out-lift': { path: '/api/v1/reports/sell-out-lift?start=2026-11-01&end=2026-11-07&regions=11' },
    'GET /api/v1/reports/rankings/stores': { path: '/api/v1/reports/rankings/stores?start=2026-11-01&end=2026-11-07' },
    'GET /api/v1/reports/rankings/clerks': { path: '/api/v1/reports/rankings/clerks?start=2026-11-01&end=2026-11-07' },
    'GET /api/v1/analytics/overview': { path: '/api/v1/analytics/overview?from=2026-11-01&to=2026-11-07' },
    'GET /api/v1/analytics/stock': { path: '/api/v1/analytics/stock?from=2026-11-01&to=2026-11-07' },
    'GET /api/v1/analytics/map': { path: '/api/v1/analytics/map?from=2026-11-01&to=2026-11-07' },
    'GET /api/v1/analytics/flows': { path: '/api/v1/analytics/flows?from=2026-11-01&to=2026-11-07' },
    'GET /api/v1/analytics/scorecards': { path: '/api/v1/analytics/scorecards?from=2026-11-01&to=2026-11-07' },
    'GET /api/v1/analytics/store-rankings': { path: '/api/v1/analytics/store-rankings?from=2026-11-01&to=2026-11-07' },
    'GET /api/v1/analytics/launches': { path: '/api/v1/analytics/launches?from=2026-11-01&to=2026-11-07&gtin=06901234001013&region=11' },
    'GET /api/v1/analytics/freshness': { path: '/api/v1/analytics/freshness' },
    'GET /api/v1/order-drafts': { path: '/api/v1/order-drafts' },
    'POST /api/v1/order-drafts': { path: '/api/v1/order-drafts', body: { lines: [{ sku: 'NOPE', quantity: 1 }] } },
    'GET /api/v1/order-drafts/:id': { path: '/api/v1/order-drafts/999999' },
    'PUT /api/v1/order-drafts/:id/lines': { path: '/api/v1/order-drafts/999999/lines', body: {} },
    'POST /api/v1/order-drafts/:id/lines': { path: '/api/v1/order-drafts/999999/lines', body: { sku: 'NOPE' } },
    'POST /api/v1/order-drafts/:id/discard': { path: '/api/v1/order-drafts/999999/discard' },
    'POST /api/v1/order-drafts/:id/place': { path: '/api/v1/order-drafts/999999/place' },
    'POST /api/v1/recalls': { path: '/api/v1/recalls', body: {} },
    'GET /api/v1/diversion/alerts': { path: '/api/v1/diversion/alerts' },
    'POST /api/v1/diversion/alerts/:id/review': { path: '/api/v1/diversion/alerts/999999/review', body: {} },
    'GET /api/v1/diversion/alerts/groups': { path: '/api/v1/diversion/alerts/groups' },
    'POST /api/v1/diversion/alerts/review': { path: '/api/v1/diversion/alerts/review', body: {} },
    'GET /api/v1/diversion/heatmap': { path: '/api/v1/diversion/heatmap' },
    'GET /api/v1/diversion/rules': { path: '/api/v1/diversion/rules' },
    'PUT /api/v1/diversion/rules': { path: '/api/v1/diversion/rules', body: {} },
    'GET /api/v1/code-batches': { path: '/api/v1/code-batches' },
    'GET /api/v1/code-batches/:id': { path: '/api/v1/code-batches/999999' },
    'POST /api/v1/code-batches': { path: '/api/v1/code-batches', body: {} },
    'POST /api/v1/code-batches/:id/print-file': { path: '/api/v1/code-batches/999999/print-file', body: {} },
    'GET /api/v1/code-batches/:id/label-sheet.svg': { path: '/api/v1/code-batches/999999/label-sheet.svg' },
    'GET /api/v1/code-batches/:id/label-sheet': { path: '/api/v1/code-batches/999999/label-sheet?format=pdf' },
    'POST /api/v1/code-keys/rotate': { path: '/api/v1/code-keys/rotate', body: {} },
    'GET /api/v1/scans/receivers': { path: '/api/v1/scans/receivers?q=D' },
    'POST /api/v1/scans': { path: '/api/v1/scans', body: {} },
    'POST /api/v1/inspections': { path: '/api/v1/inspections', body: {} },
    'GET /api/v1/webhooks/event-types': { path: '/api/v1/webhooks/event-types' },
    'GET /api/v1/webhooks': { path: '/api/v1/webhooks' },
    'POST /api/v1/webhooks': { path: '/api/v1/webhooks', body: {} },
    'GET /api/v1/webhooks/:id': { path: '/api/v1/webhooks/999999' },
    'PATCH /api/v1/webhooks/:id': { path: '/api/v1/webhooks/999999', body: { active: false } },
    'DELETE /api/v1/webhooks/:id': { path: '/api/v1/webhooks/999999' },
    'POST /api/v1/webhooks/:id/rotate-secret': { path: '/api/v1/webhooks/999999/rotate-secret', body: {} },
    'GET /api/v1/webhooks/deliveries': { path: '/api/v1/webhooks/deliveries' },
    'GET /api/v1/webhooks/deliveries/:id': { path: '/api/v1/webhooks/deliveries/999999' },
    'POST /api/v1/webhooks/deliveries/:id/replay': { path: '/api/v1/webhooks/deliveries/999999/replay' },
    'GET /api/v1/consumers': { path: '/api/v1/consumers' },
    'GET /api/v1/consumers/:id': { path: '/api/v1/consumers/999999' },
    'PUT /api/v1/consumers/:id/tags': { path: '/api/v1/consumers/999999/tags', body: { tags: ['vip'] } },
    'POST /api/v1/consumers/merges/:id/undo': { path: '/api/v1/consumers/merges/999999/undo' },
    'GET /api/v1/consumers/membership': { path: '/api/v1/consumers/membership' },
    'PUT /api/v1/consumers/membership': { path: '/api/v1/consumers/membership', body: {} },
    'GET /api/v1/mall/items': { path: '/api/v1/mall/items' },
    'POST /api/v1/mall/items': { path: '/api/v1/mall/items', body: {} },
    'PATCH /api/v1/mall/items/:id': { path: '/api/v1/mall/items/999999', body: { active: false } },
    'POST /api/v1/me/otp': { path: '/api/v1/me/otp?brand=demo', body: {} },
    'POST /api/v1/me/otp/verify': { path: '/api/v1/me/otp/verify?brand=demo', body: {} },
    'POST /api/v1/me/wechat': { path: '/api/v1/me/wechat?brand=demo', body: {} },
    'POST /api/v1/me/merge': { path: '/api/v1/me/merge?brand=demo', body: {} },
    'GET /api/v1/me/membership': { path: '/api/v1/me/membership?brand=demo' },
    'GET /api/v1/me/prizes': { path: '/api/v1/me/prizes?brand=demo' },
    'GET /api/v1/me': { path: '/api/v1/me?brand=demo' },
    'GET /api/v1/me/session': { path: '/api/v1/me/session?brand=demo' },
    'DELETE /api/v1/me': { path: '/api/v1/me?brand=demo' },
    'POST /api/v1/me/logout': { path: '/api/v1/me/logout?brand=demo' },
    'GET /api/v1/me/mall': { path: '/api/v1/me/mall?brand=demo' },
    'POST /api/v1/me/mall/redeem': { path: '/api/v1/me/mall/redeem?brand=demo', body: {} },
    'GET /api/v1/segments/stores': { path: '/api/v1/segments/stores?limit=5' },
    'GET /api/v1/segments/stores/export': { path: '/api/v1/segments/stores/export' },
    'GET /api/v1/segments/consumers': { path: '/api/v1/segments/consumers?limit=5' },
    'GET /api/v1/segments/consumers/export': { path: '/api/v1/segments/consumers/export' },
    'POST /api/v1/segments/consumers/refresh': { path: '/api/v1/segments/consumers/refresh' },
    'GET /api/v1/campaigns': { path: '/api/v1/campaigns' },
    'POST /api/v1/campaigns': { path: '/api/v1/campaigns', body: {} },
    'GET /api/v1/campaigns/:id': { path: '/api/v1/campaigns/999999' },
    'PUT /api/v1/campaigns/:id': { path: '/api/v1/campaigns/999999', body: {} },
    'POST /api/v1/campaigns/:id/status': { path: '/api/v1/campaigns/999999/status', body: { status: 'active' } },
    'GET /api/v1/campaigns/:id/budget': { path: '/api/v1/campaigns/999999/budget' },
    'GET /api/v1/campaigns/:id/report': { path: '/api/v1/campaigns/999999/report' },
    'POST /api/v1/campaigns/:id/rewards/paid': { path: '/api/v1/campaigns/999999/rewards/paid', body: { ids: [1] } },
    'GET /api/v1/campaign-rewards': { path: '/api/v1/campaign-rewards' },
    'GET /api/v1/campaign-rewards/export': { path: '/api/v1/campaign-rewards/export' },
    'POST /api/v1/jobs': { path: '/api/v1/jobs', body: {} },
    'GET /api/v1/jobs': { path: '/api/v1/jobs' },
    'GET /api/v1/jobs/:id': { path: '/api/v1/jobs/999999' },
    'POST /api/v1/jobs/:id/cancel': { path: '/api/v1/jobs/999999/cancel' },
    'POST /api/v1/planning/plans': { path: '/api/v1/planning/plans', body: {} },
    'GET /api/v1/planning/plans': { path: '/api/v1/planning/plans' },
    'GET /api/v1/planning/plans/:id': { path: '/api/v1/planning/plans/999999' },
    'POST /api/v1/planning/plans/:id/share': { path: '/api/v1/planning/plans/999999/share' },
    'POST /api/v1/planning/plans/:id/accept': { path: '/api/v1/planning/plans/999999/accept' },
    'POST /api/v1/planning/plans/:id/send-back': { path: '/api/v1/planning/plans/999999/send-back', body: {} },
    'POST /api/v1/planning/plans/:id/reject': { path: '/api/v1/planning/plans/999999/reject', body: {} },
    'PATCH /api/v1/planning/plans/:id/lines': { path: '/api/v1/planning/plans/999999/lines', body: {} },
    'PUT /api/v1/planning/capacity': { path: '/api/v1/planning/capacity', body: {} },
    'POST /api/v1/planning/capacity/import': {
      path: '/api/v1/planning/capacity/import?format=csv',
      body: 'factory,week,capacity\n',
      contentType: 'text/csv',
    },
    'GET /api/v1/planning/capacity': { path: '/api/v1/planning/capacity?from=2026-11-02&to=2026-11-30' },
    'GET /api/v1/planning/demand-plan': { path: '/api/v1/planning/demand-plan?from=2026-11-02&to=2026-11-30' },
    'GET /api/v1/planning/capacity/report': { path: '/api/v1/planning/capacity/report?from=2026-11-02&to=2026-11-30' },
    'GET /api/v1/planning/forecasts': { path: '/api/v1/planning/forecasts?sku=NOPE&store=NOPE' },
    'GET /api/v1/planning/forecasts/series': { path: '/api/v1/planning/forecasts/series' },
    // days 0 is refused: the walk starts no simulation
    'POST /api/v1/planning/simulations': { path: '/api/v1/planning/simulations', body: { days: 0 } },
    'GET /api/v1/planning/simulations': { path: '/api/v1/planning/simulations' },
    'GET /api/v1/planning/simulations/:id': { path: '/api/v1/planning/simulations/999999' },
  };
  return samples[`${method} ${url}`];
}

async function call(method: string, url: string, token: string | undefined) {
  const s = sampleRequest(method, url);
  if (!s) throw new Error(`no sample request for ${method} ${url}: add one to the route walk`);
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (s.body !== undefined) headers['content-type'] = s.contentType ?? 'application/json';
  const res = await fetch(`${server.baseUrl}${s.path}`, {
    method,
    headers,
    body: s.body === undefined ? undefined : typeof s.body === 'string' ? s.body : JSON.stringify(s.body),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  server = await startTestServer();
  const sql = server.db.sql;
  for (const [role, user] of Object.entries(USER_OF_ROLE)) tokens.set(role, await loginAs(server.baseUrl, user));
  tokens.set('other_tenant', await loginAs(server.baseUrl, 'admin', 'other'));
  const [demo] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const [store] = await sql<{ id: number }[]>`select id from parties where tenant_id = ${demo?.id as number} and code = 'S000001'`;
  const [far] = await sql<{ id: number }[]>`select id from parties where tenant_id = ${demo?.id as number} and kind = 'store'
    and province_code not in ('11', '13') order by id desc limit 1`;
  const [product] = await sql<{ id: number }[]>`select id from products where tenant_id = ${demo?.id as number} limit 1`;
  ids = { store: Number(store?.id), farStore: Number(far?.id), product: Number(product?.id), apiKey: 0 };
});
afterAll(async () => server?.close());

describe('every route, every role', () => {
  it('declares an access rule for every route, and a new route without one is refused at start-up', async () => {
    expect(server.routes.length).toBeGreaterThan(20);
    for (const r of server.routes) expect(r.access, `${r.method} ${r.url}`).toBeTruthy();
    const { app } = await buildApp({ sql: server.db.sql });
    expect(() => app.get('/api/v1/undeclared', async () => 'x')).toThrow(/declares no access/);
  });

  it('lets each role through exactly where the permission table says, and refuses anonymous callers', async () => {
    const apiRoutes = server.routes.filter((r) => r.url.startsWith('/api/v1') || r.url.startsWith('/epcis') || r.url === '/healthz');
    let checked = 0;
    for (const route of apiRoutes) {
      for (const role of ROLES) {
        const token = route.url === '/api/v1/auth/logout' ? await loginAs(server.baseUrl, USER_OF_ROLE[role]) : tokens.get(role);
        const status = await call(route.method, route.url, token);
        const allowed = route.access === 'public' || (PERMISSIONS[route.access] as readonly Role[]).includes(role);
        if (route.access === 'public') expect(status, `${role} ${route.method} ${route.url}`).toBeLessThan(500);
        // 202: a job queued (a refresh of the consumer segments); 409: let through, refused by the state it found (their
        // export before the first refresh)
        else if (allowed) expect([200, 201, 202, 204, 400, 404, 409, 422], `${role} ${route.method} ${route.url}`).toContain(status);
        else expect(status, `${role} ${route.method} ${route.url}`).toBe(403);
        checked++;
      }
      const anon = await call(route.method, route.url, undefined);
      if (route.access === 'public') expect(anon, `anonymous ${route.method} ${route.url}`).toBeLessThan(500);
      else expect(anon, `anonymous ${route.method} ${route.url}`).toBe(401);
      checked++;
    }
    expect(checked).toBe(apiRoutes.length * (ROLES.length + 1));
  });

  it("never shows a user of another tenant this tenant's records", async () => {
    const other = tokens.get('other_tenant');
    expect(await call('GET', '/api/v1/parties/:id', other)).toBe(404);
    expect(await call('GET', '/api/v1/products/:id', other)).toBe(404);
    const res = await fetch(`${server.baseUrl}/api/v1/parties?kind=store&pageSize=500`, { headers: { authorization: `Bearer ${other}` } });
    const body = (await res.json()) as { total: number };
    expect(body.total).toBe(200);
  });

  it('narrows parties to the data scope of each role, as an independent query of the channel tree says', async () => {
    const sql = server.db.sql;
    const [demo] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenantId = demo?.id as number;
    for (const role of ROLES) {
      const user = USER_OF_ROLE[role];
      const [u] = await sql<{ party_id: number | null }[]>`select party_id from users where tenant_id = ${tenantId} and username = ${user}`;
      // the oracle: walk the supply tree with a recursive query instead of the ancestors array the product uses
      const [expected] = await sql<{ n: number }[]>`
        with recursive below as (
          select id from parties where tenant_id = ${tenantId} and id = ${u?.party_id ?? -1}
          union all select p.id from parties p join below b on p.parent_id = b.id where p.tenant_id = ${tenantId})
        select count(*)::int as n from parties p where p.tenant_id = ${tenantId} and p.kind = 'store' and (
          ${role === 'brand_admin' || role === 'brand_planner' || role === 'brand_quality' || role === 'brand_inspector'}
          or (${role === 'brand_sales'} and p.province_code in ('11', '13'))
          or (${role.startsWith('distributor')} and p.id in (select id from below))
          or (${role.startsWith('store')} and p.id = ${u?.party_id ?? -1}))`;
      const res = await fetch(`${server.baseUrl}/api/v1/parties?kind=store&pageSize=1`, {
        headers: { authorization: `Bearer ${tokens.get(role)}` },
      });
      const body = (await res.json()) as { total: number };
      expect(body.total, role).toBe(expected?.n);
      const far = await fetch(`${server.baseUrl}/api/v1/parties/${ids.farStore}`, {
        headers: { authorization: `Bearer ${tokens.get(role)}` },
      });
      const [visible] = await sql<{ ok: boolean }[]>`
        with recursive below as (
          select id from parties where tenant_id = ${tenantId} and id = ${u?.party_id ?? -1}
          union all select p.id from parties p join below b on p.parent_id = b.id where p.tenant_id = ${tenantId})
        select (${role === 'brand_admin' || role === 'brand_planner' || role === 'brand_quality' || role === 'brand_inspector'}
          or (${role.startsWith('distributor')} and ${ids.farStore} in (select id from below))) as ok`;
      expect(far.status, `${role} sees store ${ids.farStore}`).toBe(visible?.ok ? 200 : 404);
    }
  });
});
