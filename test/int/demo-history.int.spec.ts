import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHistoryPlayed, loadDemoHistory } from '../../src/demo/demo-history.ts';
import { projectAll } from '../../src/modules/analytics/index.ts';
import { identifierKey } from '../../src/modules/consumers/index.ts';
import { scansOf } from '../../src/modules/consumers/profiles.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { testKeystore, testMasterKey } from '../support/codes.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * The demo brand's history: past days of a slice of the demo channel played through the product, each as of its own
 * day (the business clock), so a first start's dashboards, forecasts and plans have weeks to show.
 */
describe('the demo history, played', () => {
  let db: TestDb;
  const TODAY = '2026-12-05';
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.drop());

  it('plays past days through the product, dated on those days, once, and leaves today to the present', async () => {
    const sql = db.sql;
    expect(await demoHistoryPlayed(sql)).toBe(false);
    const approvals = await sql`select * from order_settings o join tenants t on t.id = o.tenant_id where t.code = 'demo'`;
    // three weeks of a small slice: 2 distributors with 2 stores each, 3 SKUs
    const small = { keystore: testKeystore(), masterKey: testMasterKey(), days: 21, distributors: 2, storesEach: 2, skus: 3, today: TODAY };
    const info = await loadDemoHistory(db.url, small);
    if (!info) throw new Error('the history was not played');
    // the product's stock was the engine's at the end of every day: nothing lost or doubled on the way
    expect(info.stockMismatches).toBe(0);
    // the slice starts with the demo distributor user's own D0001
    expect(info.distributors[0]).toBe('D0001');
    // and the demo `store` and `clerk` users' store is one of them: D0001 supplies it directly, it ordered from D0001
    // and received what it ordered, so a store owner signing in has orders and stock to see
    const mine = await sql<{ username: string; supplier: string; orders: number; stock: number }[]>`
      select u.username, d.code as supplier,
        (select count(*)::int from orders o where o.tenant_id = s.tenant_id and o.buyer_party_id = s.id
          and o.seller_party_id = d.id and o.status = 'received') as orders,
        (select coalesce(sum(k.on_hand), 0)::int from stock k where k.tenant_id = s.tenant_id and k.holder_party_id = s.id) as stock
      from users u join tenants t on t.id = u.tenant_id join parties s on s.tenant_id = u.tenant_id and s.id = u.party_id
      join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id
      join users du on du.tenant_id = d.tenant_id and du.party_id = d.id and du.username = 'distributor'
      where t.code = 'demo' and u.username in ('store', 'clerk') order by u.username`;
    expect(mine.map((m) => [m.username, m.supplier])).toEqual([
      ['clerk', 'D0001'],
      ['store', 'D0001'],
    ]);
    for (const m of mine) {
      expect(m.orders).toBeGreaterThan(0);
      expect(m.stock).toBeGreaterThan(0);
    }
    expect(info.orders).toBeGreaterThan(0);
    expect(info.receipts).toBeGreaterThan(0);
    expect(await demoHistoryPlayed(sql)).toBe(true);
    // the brand's approval rule is what it was (the history's orders went through without approval)
    expect(await sql`select * from order_settings o join tenants t on t.id = o.tenant_id where t.code = 'demo'`).toEqual(approvals);
    // played once: a second run does nothing
    expect(await loadDemoHistory(db.url, small)).toBeNull();

    // orders are dated on the history's days (China time), none today or later, and were received
    const [o] = await sql<{ first: string; last: string; received: number; events: string }[]>`
      select to_char(min(o.created_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as first,
        to_char(max(o.created_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as last,
        count(*) filter (where o.status = 'received')::int as received,
        to_char(max(e.at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as events
      from orders o join tenants t on t.id = o.tenant_id
      left join order_events e on e.tenant_id = o.tenant_id and e.order_id = o.id
      where t.code = 'demo'`;
    // (the history's first day is 21 days before today: 2026-11-14)
    expect(o?.first && o.first >= '2026-11-14').toBe(true);
    expect(o?.last && o.last < TODAY).toBe(true);
    expect(o?.events && o.events < TODAY).toBe(true);
    expect(o?.received).toBeGreaterThan(0);
    // every week the buyers paid what they owed, on that day
    const [pay] = await sql<{ n: number; last: string }[]>`
      select count(*)::int as n, to_char(max(f.created_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as last
      from funds_transactions f join tenants t on t.id = f.tenant_id where t.code = 'demo' and f.kind = 'deposit'`;
    expect(pay?.n).toBeGreaterThan(0);
    expect(pay?.last && pay.last < TODAY).toBe(true);

    // the ledger's events carry the days they happened on; their record time is the real one
    const [e] = await sql<{ first: string; last: string; recorded: boolean }[]>`
      select to_char(min(event_time at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as first,
        to_char(max(event_time at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as last,
        bool_and(record_time > now() - interval '1 hour') as recorded
      from epcis_events e join tenants t on t.id = e.tenant_id where t.code = 'demo'`;
    expect(e?.first).toBe('2026-11-13');
    expect(e?.last && e.last < TODAY).toBe(true);
    expect(e?.recorded).toBe(true);

    // the stores' consumers scanned some of what they bought, on the day they bought it, as genuine first checks
    const [c] = await sql<{ n: number; phones: number; last: string; genuine: boolean; sold: boolean; moments: number }[]>`
      select count(*)::int as n, count(distinct c.device_id)::int as phones,
        count(distinct (c.scanned_at at time zone 'Asia/Shanghai')::time)::int as moments,
        to_char(max(c.scanned_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as last,
        bool_and(c.verdict = 'genuine_first') as genuine, bool_and(s.status = 'sold') as sold
      from consumer_scans c join tenants t on t.id = c.tenant_id
      join code_state s on s.tenant_id = c.tenant_id and s.epc = c.epc
      where t.code = 'demo'`;
    expect(c?.n).toBeGreaterThan(5);
    expect(c?.phones).toBeGreaterThan(1);
    // at several moments of the day, not all at the moment of the sales
    expect(c?.moments).toBeGreaterThan(5);
    expect(c?.last && c.last < TODAY).toBe(true);
    expect(c?.genuine).toBe(true);
    expect(c?.sold).toBe(true);

    // the marketer's side: a national points campaign still running and a red-packet lottery started and ended within
    // the history, created on their days; consumers claimed the units they scanned, each claim decided by the product
    expect(info.campaigns).toBe(2);
    const campaigns = await sql<{ name: string; status: string; reward: string; created: string; starts: string; ends: string }[]>`
      select c.name, c.status, c.reward_type as reward, to_char(c.created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as created,
        to_char(c.starts_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as starts, to_char(c.ends_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as ends
      from campaigns c join tenants t on t.id = c.tenant_id where t.code = 'demo' order by c.id`;
    expect(campaigns.map((c) => [c.reward, c.status])).toEqual([
      ['points', 'active'],
      ['lottery', 'ended'],
    ]);
    for (const c of campaigns) {
      expect(c.created).toBe(c.starts);
      expect(c.created < TODAY).toBe(true);
    }
    expect((campaigns[0]?.ends ?? '') > TODAY).toBe(true);
    expect((campaigns[1]?.ends ?? '') < TODAY).toBe(true);
    // the rewards ledger: a row for each claim that used its chance, dated on its day within its campaign's window,
    // points paid into the consumers' points at once
    const ledger = await sql<{ campaign: string; kind: string; status: string; n: number; first: string; last: string }[]>`
      select c.reward_type as campaign, r.kind, r.status, count(*)::int as n,
        to_char(min(r.claimed_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as first,
        to_char(max(r.claimed_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as last
      from campaign_rewards r join campaigns c on c.tenant_id = r.tenant_id and c.id = r.campaign_id
      join tenants t on t.id = r.tenant_id where t.code = 'demo' group by 1, 2, 3 order by 1, 2, 3`;
    const points = ledger.find((l) => l.campaign === 'points');
    expect(points).toMatchObject({ kind: 'points', status: 'paid' });
    expect(points?.n).toBeGreaterThan(5);
    expect((points?.first ?? '') >= (campaigns[0]?.starts ?? '')).toBe(true);
    expect((points?.last ?? '') < TODAY).toBe(true);
    expect(ledger.some((l) => l.campaign === 'lottery' && l.last < (campaigns[1]?.ends ?? ''))).toBe(true);
    expect(info.claims).toBeGreaterThan(5);
    expect(info.rewards).toBeGreaterThanOrEqual(points?.n ?? 0);
    const [booked] = await sql<{ n: number; last: string }[]>`
      select count(*)::int as n, to_char(max(e.at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as last
      from points_entries e join tenants t on t.id = e.tenant_id where t.code = 'demo' and e.kind = 'earn'`;
    expect(booked?.n).toBe(points?.n);
    expect((booked?.last ?? '') < TODAY).toBe(true);
    // the claiming phones are consumers the product recognises across their scans: some scanned several units
    expect(info.consumers).toBeGreaterThan(1);
    const idKey = identifierKey(testMasterKey());
    const consumers = await sql<{ id: number; tenant: number; first: string }[]>`
      select c.id::int, c.tenant_id::int as tenant, to_char(c.created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as first
      from consumers c join tenants t on t.id = c.tenant_id where t.code = 'demo' order by c.id`;
    expect(consumers.length).toBe(info.consumers);
    expect(consumers.every((c) => c.first < TODAY)).toBe(true);
    const scansEach = await Promise.all(consumers.map(async (c) => (await scansOf(sql, idKey, c.tenant, c.id)).length));
    expect(scansEach.every((n) => n >= 1)).toBe(true);
    expect(Math.max(...scansEach)).toBeGreaterThan(1);
    // a collector's phone scanned a pile of codes in minutes: the fraud check refused its claims and raised a flag
    expect(info.fraudRefused).toBeGreaterThan(0);
    const flags = await sql<{ rule: string; first: string }[]>`
      select f.rule, to_char(f.created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as first
      from fraud_flags f join tenants t on t.id = f.tenant_id where t.code = 'demo'`;
    expect(flags.some((f) => f.rule === 'device_burst')).toBe(true);
    expect(flags.every((f) => f.first < TODAY)).toBe(true);
    // a sell-out rebate ran for some weeks: the sales consumers proved paid their store and its distributor, on the day
    expect(info.programs).toBe(1);
    const rebates = await sql<{ role: string; n: number; first: string; last: string; status: string; created: string }[]>`
      select o.payee_role as role, count(*)::int as n, min(o.day)::text as first, max(o.day)::text as last, p.status,
        to_char(min(p.created_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as created
      from channel_payouts o join channel_programs p on p.tenant_id = o.tenant_id and p.id = o.program_id
      join tenants t on t.id = o.tenant_id where t.code = 'demo' group by 1, 5 order by 1`;
    expect(rebates.map((r) => [r.role, r.status])).toEqual([
      ['distributor', 'ended'],
      ['store', 'ended'],
    ]);
    for (const r of rebates) {
      expect(r.first >= r.created).toBe(true);
      expect(r.last < TODAY).toBe(true);
    }

    // and the consumers' segments were computed once the history was played
    const [segments] = await sql<{ population: number }[]>`
      select s.population from consumer_segment_snapshots s join tenants t on t.id = s.tenant_id where t.code = 'demo'`;
    expect(segments?.population).toBeGreaterThan(1);

    // the analytics facts count sell-out, receipts, consumer scans and the stock's moves on the past days
    await projectAll(sql);
    const days = await sql<{ day: string; out: number; received: number; scans: number }[]>`
      select to_char(f.day, 'YYYY-MM-DD') as day, sum(f.units_out)::int as out, sum(f.received_in)::int as received,
        sum(f.scans)::int as scans
      from an_province_day f join tenants t on t.id = f.tenant_id where t.code = 'demo' group by 1 order by 1`;
    expect(days.length).toBeGreaterThan(15);
    expect(days.every((d) => d.day < TODAY)).toBe(true);
    expect(days.reduce((s, d) => s + d.out, 0)).toBeGreaterThan(0);
    expect(days.reduce((s, d) => s + d.received, 0)).toBeGreaterThan(0);
    expect(days.reduce((s, d) => s + d.scans, 0)).toBe(c?.n);
    // the stock the facts add up to is the stock the product holds
    const [held] = await sql<{ facts: number; stock: number }[]>`
      select (select sum(on_hand)::int from an_stock_city f join tenants t on t.id = f.tenant_id where t.code = 'demo') as facts,
        (select sum(on_hand)::int from stock s join tenants t on t.id = s.tenant_id where t.code = 'demo') as stock`;
    expect(held?.facts).toBe(held?.stock);
    expect(held?.stock).toBeGreaterThan(0);

    // the clock was the history's own connection's: here it is unset, and business time is now
    const [now] = await sql<{ clock: string | null; business: boolean }[]>`
      select current_setting('throughline.business_time', true) as clock, business_now() = now() as business`;
    expect(now?.clock ?? '').toBe('');
    expect(now?.business).toBe(true);
  }, 180_000);
});

describe('the demo history job', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = apiClient(() => server.baseUrl, tokens);
  beforeAll(async () => {
    server = await startTestServer({
      webhooks: { worker: false },
      demoHistory: true,
      jobs: { runner: { pollMs: 100, progressMs: 0 } },
    });
  });
  afterAll(async () => server?.close());

  it("runs from the job queue with its progress in the reader's language, and fills the dashboards' past weeks", async () => {
    const started = await call('admin', 'POST', '/api/v1/jobs', { kind: 'demo.history', params: { days: 14 } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    // a planner may not load history into the brand
    expect((await call('planner', 'POST', '/api/v1/jobs', { kind: 'demo.history', params: { days: 14 } })).status).toBe(403);
    await expect
      .poll(async () => (await call('admin', 'GET', `/api/v1/jobs/${started.body.id}`)).body.status, { timeout: 150_000, interval: 500 })
      .toBe('succeeded');
    const zh = await call('admin', 'GET', `/api/v1/jobs/${started.body.id}`, undefined, { 'accept-language': 'zh-CN' });
    expect(zh.body).toMatchObject({ result: { played: true, days: 14 }, message: '演示历史：已回放 14 / 14 天' });
    const en = await call('admin', 'GET', `/api/v1/jobs/${started.body.id}`, undefined, { 'accept-language': 'en' });
    expect(en.body.message).toBe('Demo history: 14 of 14 days played');
    // a second job finds it played and does nothing
    const again = await call('admin', 'POST', '/api/v1/jobs', { kind: 'demo.history', params: { days: 14 } });
    await expect.poll(async () => (await call('admin', 'GET', `/api/v1/jobs/${again.body.id}`)).body.status).toBe('succeeded');
    expect((await call('admin', 'GET', `/api/v1/jobs/${again.body.id}`)).body.result).toEqual({ played: false });

    // a unit the history sold and a consumer scanned is the brand's own on the resolver page: genuine, checked before
    const [scanned] = await server.db.sql<{ epc: string }[]>`
      select c.epc from consumer_scans c join tenants t on t.id = c.tenant_id where t.code = 'demo' order by c.id limit 1`;
    const path = new URL(scanned?.epc as string).pathname;
    const page = await fetch(`${server.baseUrl}${path}`, { headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    expect(page.status).toBe(200);
    expect(/data-verdict="([a-z_]+)"/.exec(await page.text())?.[1]).toBe('genuine_repeat');

    // the marketer's pages have the history's campaigns (newest first), their results and rewards, the consumers who
    // claimed, their segments and the fraud check's flags
    const campaigns = await call('admin', 'GET', '/api/v1/campaigns');
    expect(campaigns.body.items.map((c: { reward: { type: string }; status: string }) => [c.reward.type, c.status])).toEqual([
      ['lottery', 'ended'],
      ['points', 'active'],
    ]);
    const pointsCampaign = campaigns.body.items[1].id;
    const report = await call('admin', 'GET', `/api/v1/campaigns/${pointsCampaign}/report`);
    expect(report.body.claims).toBeGreaterThan(0);
    expect(report.body.uniqueConsumers).toBeGreaterThan(1);
    expect(report.body.perDay.length).toBeGreaterThan(1);
    expect((await call('admin', 'GET', '/api/v1/campaign-rewards')).body.total).toBeGreaterThan(report.body.claims);
    const consumers = await call('admin', 'GET', '/api/v1/consumers');
    expect(consumers.body.total).toBeGreaterThan(10);
    // newest first, by number: the first page opens on the newest consumer, not on the largest id as text (#99)
    const ids = consumers.body.items.map((c: { id: string }) => Number(c.id));
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    const [newest] = await server.db.sql<{ id: number }[]>`
      select max(id)::int as id from consumers where tenant_id = (select id from tenants where code = 'demo') and merged_into is null and deleted_at is null`;
    expect(ids[0]).toBe(newest?.id);
    const flags = await call('admin', 'GET', '/api/v1/fraud/flags');
    expect(flags.body.items.map((f: { rule: string }) => f.rule)).toContain('device_burst');
    const segments = await call('admin', 'GET', '/api/v1/segments/consumers');
    expect(segments.body.population).toBeGreaterThan(1);

    // the brand's overview of the last two weeks shows sell-in and sell-out, and the distributor D0001 its own
    await projectAll(server.db.sql);
    const day = (n: number) => new Date(Date.now() + 8 * 3600_000 - n * 86_400_000).toISOString().slice(0, 10);
    const period = `from=${day(14)}&to=${day(1)}`;
    const brand = await call('admin', 'GET', `/api/v1/analytics/overview?${period}`);
    expect(brand.status, JSON.stringify(brand.body)).toBe(200);
    expect(brand.body.totals.sellOutUnits).toBeGreaterThan(0);
    expect(brand.body.totals.sellInFen).toBeGreaterThan(0);
    const distributor = await call('distributor', 'GET', `/api/v1/analytics/overview?${period}`);
    expect(distributor.body.totals.sellOutUnits).toBeGreaterThan(0);
    // D0001's stores are in Beijing: its city row reads as the city (北京市), not as the division row 市辖区
    const beijing = await call('admin', 'GET', `/api/v1/analytics/overview?${period}&region=11`);
    expect(beijing.body.breakdown.map((b: { code: string; name: string }) => [b.code, b.name])).toEqual([['1101', '北京市']]);
  }, 240_000);
});
