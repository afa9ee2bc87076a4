import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { lineOf, planningFixture } from '../support/planning-fixture.ts';

/**
 * Replenishment plans and CPFR over HTTP with the job runner in the server. The sell-through history and stock are
 * written straight into their projections (sell_through_daily, stock) as the capture would leave them, so every figure
 * below is worked out by hand:
 *
 * history: 28 days before 2026-11-01 (10-04 .. 10-31); service level 0.95 (z = 1.6448536...), review R = 7 days
 * SKU A is shipped in cases of 12 (its catalog case level set so here), SKU B has no case level: A's suggestions
 * are rounded up to whole cases, B's to whole units.
 * distributor D0001 (lane from the brand set to L = 3):
 *   SKU A: 14 units every day -> d = 14, σ = 0; S = 14·10 = 140; on hand 40 -> short 100 -> suggested 9 cases = 108
 *   SKU B: 10 units every other day -> Σ = 140, Σx² = 1400, d = 5, σ² = (1400 − 140²/28)/27 = 700/27;
 *          S = 50 + z·σ·√10; on hand 0 -> suggested ⌈S⌉ = 77
 * its store S1 (default lane L = 1): SKU A 2 a day -> S = 2·8 = 16; on hand 5 -> short 11 -> suggested 1 case = 12
 */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
let tenant: number;
let skuA: string;
let skuB: string;
let store1: string;
let distributorId: number;
let farCode: string;
const Z95 = 1.6448536269514722;
const sB = 50 + Z95 * Math.sqrt(700 / 27) * Math.sqrt(10);
const PARAMS = { distributors: ['D0001'], asOf: '2026-11-01', historyDays: 28, reviewDays: 7, serviceLevel: 0.95, horizonDays: 28 };

const count = async (table: string) =>
  Number((await server.db.sql<{ n: number }[]>`select count(*)::int as n from ${server.db.sql(table)}`)[0]?.n);

async function planFor(params: Record<string, unknown>): Promise<number> {
  const r = await call('planner', 'POST', '/api/v1/planning/plans', { ...PARAMS, ...params });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  await expect.poll(async () => (await call('planner', 'GET', `/api/v1/jobs/${r.body.id}`)).body.status).toBe('succeeded');
  const job = (await call('planner', 'GET', `/api/v1/jobs/${r.body.id}`)).body;
  return job.result.plans[0].id;
}

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, jobs: { runner: { pollMs: 100, progressMs: 0 } } });
  const sql = server.db.sql;
  const fixture = await planningFixture(sql);
  const { A, B, distributor: d, store1: s1 } = fixture;
  tenant = fixture.tenant;
  distributorId = d.id;
  skuA = A.sku;
  skuB = B.sku;
  store1 = s1.code;
  const [far] = await sql<{ code: string }[]>`
    select code from parties where tenant_id = ${tenant} and kind = 'distributor' and tier = 1 and code <> 'D0001' order by code limit 1`;
  farCode = far?.code as string;
  const u = await call('admin', 'POST', '/api/v1/users', {
    username: 'far1',
    password: 'Demo#2026',
    role: 'distributor_admin',
    partyCode: farCode,
  });
  expect(u.status, JSON.stringify(u.body)).toBe(201);
  const lane = await call('admin', 'PUT', '/api/v1/replenishment/lead-times', { lanes: [{ buyer: 'D0001', leadTimeDays: 3 }] });
  expect(lane.status, JSON.stringify(lane.body)).toBe(200);
  await sql`delete from order_rules where tenant_id = ${tenant} and product_id in (${A.id}, ${B.id})`;
  await sql`update packaging_levels set quantity = 12, units_per = 12 where tenant_id = ${tenant} and product_id = ${A.id} and level = 'case'`;
  await sql`delete from packaging_levels where tenant_id = ${tenant} and product_id = ${B.id} and level <> 'unit'`;
  const days = Array.from({ length: 28 }, (_, i) => new Date(Date.UTC(2026, 9, 4 + i)).toISOString().slice(0, 10));
  const rows: [number, string, string, number][] = [];
  days.forEach((day, i) => {
    rows.push([d.id, A.gtin, day, 14]);
    if (i % 2 === 0) rows.push([d.id, B.gtin, day, 10]);
    rows.push([s1.id, A.gtin, day, 2]);
  });
  // a day outside the history (the as-of day itself) is not counted
  rows.push([d.id, A.gtin, '2026-11-01', 1000]);
  await sql`
    insert into sell_through_daily (tenant_id, holder_party_id, gtin, day, units_out)
    select ${tenant}, * from unnest(${rows.map((r) => r[0])}::bigint[], ${rows.map((r) => r[1])}::char(14)[], ${rows.map((r) => r[2])}::date[],
      ${rows.map((r) => r[3])}::bigint[])
    on conflict (tenant_id, holder_party_id, gtin, day) do update set units_out = excluded.units_out`;
  await sql`
    insert into stock (tenant_id, holder_party_id, gtin, lot, on_hand) values
      (${tenant}, ${d.id}, ${A.gtin}, 'L1', 40), (${tenant}, ${s1.id}, ${A.gtin}, 'L1', 5)
    on conflict (tenant_id, holder_party_id, gtin, lot) do update set on_hand = excluded.on_hand, in_transit_in = 0`;
  await sql`delete from stock where tenant_id = ${tenant} and holder_party_id in (${d.id}, ${s1.id})
    and gtin = ${B.gtin}`;
});
afterAll(async () => server?.close());

describe('replenishment plans', () => {
  let planId: number;

  it('computes a plan for a distributor and its stores as a job: demand over L+R, safety stock, order-up-to, suggestion', async () => {
    planId = await planFor({ skus: [skuA, skuB] });
    const plan = (await call('planner', 'GET', `/api/v1/planning/plans/${planId}`)).body;
    expect(plan).toMatchObject({ status: 'draft', distributor: { code: 'D0001' }, serviceLevel: 0.95, reviewDays: 7, lineCount: 3 });
    expect(lineOf(plan, 'D0001', skuA)).toMatchObject({
      meanDaily: 14,
      sdDaily: 0,
      leadTimeDays: 3,
      demandLR: 140,
      safetyStock: 0,
      orderUpTo: 140,
      demandHorizon: 392,
      onHand: 40,
      inTransit: 0,
      onOrder: 0,
      // short 100, rounded up to 9 cases of 12; S and the safety stock stay as computed
      suggested: 108,
      caseSize: 12,
      suggestedCases: 9,
      final: 108,
      finalCases: 9,
    });
    const b = lineOf(plan, 'D0001', skuB);
    expect(b.meanDaily).toBe(5);
    expect(b.orderUpTo).toBeCloseTo(sB, 2);
    expect(b.suggested).toBe(Math.ceil(sB));
    expect(b).toMatchObject({ caseSize: null, suggestedCases: null });
    expect(lineOf(plan, store1, skuA)).toMatchObject({
      leadTimeDays: 1,
      orderUpTo: 16,
      onHand: 5,
      suggested: 12,
      suggestedCases: 1,
      seller: { code: 'D0001' },
    });
    // the distributor's own lines come first
    expect(plan.lines[0].party.code).toBe('D0001');
  });

  it('keeps a draft from the distributor, then shares it with that distributor only; a store sees no plans', async () => {
    expect((await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).status).toBe(404);
    expect((await call('distributor', 'GET', '/api/v1/planning/plans')).body.items).toEqual([]);
    const shared = await call('planner', 'POST', `/api/v1/planning/plans/${planId}/share`);
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    expect(shared.body.status).toBe('shared');
    expect((await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).body.status).toBe('shared');
    expect((await call('distributor', 'GET', '/api/v1/planning/plans')).body.items.map((p: { id: number }) => p.id)).toEqual([planId]);
    expect((await call('far1', 'GET', `/api/v1/planning/plans/${planId}`)).status).toBe(404);
    expect((await call('far1', 'GET', '/api/v1/planning/plans')).body.items).toEqual([]);
    expect((await call('store', 'GET', '/api/v1/planning/plans')).status).toBe(403);
    expect((await call('store', 'GET', `/api/v1/planning/plans/${planId}`)).status).toBe(403);
  });

  it('refuses invalid steps with 409 plans.invalid_transition and steps of the other side with 403', async () => {
    const early = await call('planner', 'POST', `/api/v1/planning/plans/${planId}/accept`);
    expect(early.status).toBe(409);
    expect(early.type).toContain('application/problem+json');
    expect(early.body.code).toBe('plans.invalid_transition');
    expect((await call('planner', 'POST', `/api/v1/planning/plans/${planId}/send-back`, {})).body.code).toBe('plans.invalid_transition');
    expect((await call('planner', 'POST', `/api/v1/planning/plans/${planId}/share`)).body.code).toBe('plans.invalid_transition');
    expect((await call('distributor', 'POST', `/api/v1/planning/plans/${planId}/share`)).status).toBe(403);
    expect(
      (await call('planner', 'PATCH', `/api/v1/planning/plans/${planId}/lines`, { lines: [{ lineNo: 1, quantity: 1, reason: 'x' }] }))
        .status,
    ).toBe(403);
  });

  it('holds the distributor to whole cases, and to the order rule where there is one, changing nothing when it refuses', async () => {
    const path = `/api/v1/planning/plans/${planId}/lines`;
    const plan = (await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).body;
    const a = lineOf(plan, 'D0001', skuA);
    const b = lineOf(plan, 'D0001', skuB);
    // what the console steps by: A in cases of 12, B (no case, no rule) in units
    expect(a).toMatchObject({ caseSize: 12, orderStep: 12, minQty: null });
    expect(b).toMatchObject({ caseSize: null, orderStep: 1, minQty: null });
    const answers = async () =>
      (await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).body.lines.map(
        (l: { lineNo: number; adjusted: number | null; reason: string | null }) => [l.lineNo, l.adjusted, l.reason],
      );
    const before = await answers();
    // 100 units of a SKU sold in cases of 12 would become a draft that is not whole cases
    const odd = await call('distributor', 'PATCH', path, { lines: [{ lineNo: a.lineNo, quantity: 100, reason: 'shelf space' }] });
    expect(odd.status).toBe(400);
    expect(odd.type).toContain('application/problem+json');
    expect(odd.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/body/lines/0/quantity',
        code: 'plans.not_whole_cases',
        detail: '数量 100 不是整箱：每箱 12 件，请填 12 的倍数',
      }),
    ]);
    const en = await call(
      'distributor',
      'PATCH',
      path,
      { lines: [{ lineNo: a.lineNo, quantity: 100, reason: 'x' }] },
      { 'accept-language': 'en' },
    );
    expect(en.body.errors[0].detail).toBe('Quantity 100 is not whole cases: a case holds 12, so give a multiple of 12');
    // an order rule of multiples of 8 and at least 48: whole cases of 12 that are multiples of 8 are multiples of 24
    await server.db.sql`
      insert into order_rules (tenant_id, product_id, min_qty, multiple_of)
      select ${tenant}, id, 48, 8 from products where tenant_id = ${tenant} and sku = ${skuA}`;
    try {
      expect(lineOf((await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).body, 'D0001', skuA)).toMatchObject({
        orderStep: 24,
        minQty: 48,
      });
      const ruled = await call('distributor', 'PATCH', path, {
        lines: [
          { lineNo: a.lineNo, quantity: 36, reason: 'whole cases, not multiples of 8' },
          { lineNo: b.lineNo, quantity: 3, reason: 'fine on its own' },
        ],
      });
      expect(problems(ruled)).toEqual([['/body/lines/0/quantity', 'order.below_minimum']]);
      const notStep = await call('distributor', 'PATCH', path, { lines: [{ lineNo: a.lineNo, quantity: 60, reason: 'five cases' }] });
      // five whole cases, but not a multiple of 8: the words say why
      expect(problems(notStep)).toEqual([['/body/lines/0/quantity', 'plans.not_whole_cases']]);
      expect(notStep.body.errors[0].detail).toBe('数量 60 须为 24 的倍数：整箱（每箱 12 件），且符合订货规则（8 的倍数）');
      expect(await answers()).toEqual(before);
      // 72 (6 cases, 9 eights) and 0 (none of it) are taken; the suggestion again clears the adjustment
      const whole = await call('distributor', 'PATCH', path, { lines: [{ lineNo: a.lineNo, quantity: 72, reason: 'three cases' }] });
      expect(lineOf(whole.body, 'D0001', skuA)).toMatchObject({ adjusted: 72, finalCases: 6 });
      const none = await call('distributor', 'PATCH', path, { lines: [{ lineNo: a.lineNo, quantity: 0, reason: 'enough' }] });
      expect(lineOf(none.body, 'D0001', skuA)).toMatchObject({ adjusted: 0, finalCases: 0 });
    } finally {
      await server.db.sql`delete from order_rules where tenant_id = ${tenant} and product_id = (
        select id from products where tenant_id = ${tenant} and sku = ${skuA})`;
    }
    const back = await call('distributor', 'PATCH', path, { lines: [{ lineNo: a.lineNo, quantity: a.suggested }] });
    expect(lineOf(back.body, 'D0001', skuA)).toMatchObject({ adjusted: null, final: 108 });
    expect(await answers()).toEqual(before);
  });

  it('lets the distributor adjust lines with reasons, refusing bad changes whole', async () => {
    const plan = (await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).body;
    const b = lineOf(plan, 'D0001', skuB);
    const a = lineOf(plan, 'D0001', skuA);
    const before = JSON.stringify((await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).body.lines);
    const noReason = await call('distributor', 'PATCH', `/api/v1/planning/plans/${planId}/lines`, {
      lines: [
        { lineNo: a.lineNo, quantity: 96, reason: 'shelf space' },
        { lineNo: b.lineNo, quantity: 60 },
      ],
    });
    expect(noReason.status).toBe(400);
    expect(problems(noReason)).toEqual([['/body/lines/1/reason', 'plans.reason_required']]);
    const negative = await call('distributor', 'PATCH', `/api/v1/planning/plans/${planId}/lines`, {
      lines: [{ lineNo: b.lineNo, quantity: -1, reason: 'x' }],
    });
    expect(negative.status).toBe(400);
    expect(problems(negative)[0]?.[0]).toBe('/body/lines/0/quantity');
    const unknown = await call('distributor', 'PATCH', `/api/v1/planning/plans/${planId}/lines`, {
      lines: [{ lineNo: 999, quantity: 1, reason: 'x' }],
    });
    expect(problems(unknown)).toEqual([['/body/lines/0/lineNo', 'plans.unknown_line']]);
    const others = await call('far1', 'PATCH', `/api/v1/planning/plans/${planId}/lines`, {
      lines: [{ lineNo: b.lineNo, quantity: 1, reason: 'x' }],
    });
    expect(others.status).toBe(404);
    expect(JSON.stringify((await call('distributor', 'GET', `/api/v1/planning/plans/${planId}`)).body.lines)).toBe(before);

    const ok = await call('distributor', 'PATCH', `/api/v1/planning/plans/${planId}/lines`, {
      lines: [{ lineNo: b.lineNo, quantity: 60, reason: 'promotion ends' }],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(lineOf(ok.body, 'D0001', skuB)).toMatchObject({
      suggested: Math.ceil(sB),
      adjusted: 60,
      difference: 60 - Math.ceil(sB),
      final: 60,
      reason: 'promotion ends',
    });
    const answered = await call('distributor', 'POST', `/api/v1/planning/plans/${planId}/accept`);
    expect(answered.body).toMatchObject({ status: 'adjusted', adjustedLines: 1 });
    // no more changes once answered
    const late = await call('distributor', 'PATCH', `/api/v1/planning/plans/${planId}/lines`, {
      lines: [{ lineNo: b.lineNo, quantity: 61, reason: 'x' }],
    });
    expect(late.status).toBe(409);
  });

  it('lets the brand send the answer back, then accept it into one order draft per buyer, exactly once', async () => {
    const back = await call('planner', 'POST', `/api/v1/planning/plans/${planId}/send-back`, { note: 'B is on promotion in November' });
    expect(back.body).toMatchObject({ status: 'shared', note: 'B is on promotion in November' });
    expect((await call('distributor', 'POST', `/api/v1/planning/plans/${planId}/accept`)).body.status).toBe('adjusted');
    const draftsBefore = await count('order_drafts');
    // an accept sent twice at once (a double click, a retry): one set of drafts
    const [x, y] = await Promise.all([
      call('planner', 'POST', `/api/v1/planning/plans/${planId}/accept`),
      call('planner', 'POST', `/api/v1/planning/plans/${planId}/accept`),
    ]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(x.body.status).toBe('ordered');
    expect(y.body.drafts).toEqual(x.body.drafts);
    expect(await count('order_drafts')).toBe(draftsBefore + 2);
    const again = await call('planner', 'POST', `/api/v1/planning/plans/${planId}/accept`);
    expect(again.status).toBe(200);
    expect(await count('order_drafts')).toBe(draftsBefore + 2);

    const drafts = x.body.drafts as { party: string; draftId: number }[];
    const dDraft = await call('admin', 'GET', `/api/v1/order-drafts/${drafts.find((d) => d.party === 'D0001')?.draftId}`);
    expect(dDraft.status, JSON.stringify(dDraft.body)).toBe(200);
    expect(dDraft.body).toMatchObject({ status: 'open', source: 'replenishment', buyer: { code: 'D0001' }, seller: { code: 'BRAND' } });
    expect(dDraft.body.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      [skuA, 108],
      [skuB, 60],
    ]);
    const sDraft = await call('admin', 'GET', `/api/v1/order-drafts/${drafts.find((d) => d.party === store1)?.draftId}`);
    expect(sDraft.body).toMatchObject({ buyer: { code: store1 }, seller: { code: 'D0001' } });
    expect(sDraft.body.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([[skuA, 12]]);
    // the store sees its own draft
    expect((await call('store', 'GET', `/api/v1/order-drafts/${drafts.find((d) => d.party === store1)?.draftId}`)).status).toBe(
      store1 ===
        (
          await server.db.sql<
            { code: string }[]
          >`select p.code from users u join parties p on p.id = u.party_id where u.tenant_id = ${tenant} and u.username = 'store'`
        )[0]?.code
        ? 200
        : 404,
    );
    const rejectLate = await call('planner', 'POST', `/api/v1/planning/plans/${planId}/reject`, {});
    expect(rejectLate.body.code).toBe('plans.invalid_transition');
  });

  it('audits every step', async () => {
    const actions = await server.db.sql<{ action: string }[]>`
      select action from audit_log where tenant_id = ${tenant} and entity_type = 'replenishment_plan' and entity_id = ${planId} order by seq`;
    expect(actions.map((a) => a.action)).toEqual([
      'plan.create',
      'plan.share',
      // whole cases: 72, then 0, then back to the suggestion
      'plan.adjust',
      'plan.adjust',
      'plan.adjust',
      // with a reason
      'plan.adjust',
      'plan.accept',
      'plan.send_back',
      'plan.accept',
      'plan.accept',
      'plan.order',
    ]);
  });

  it('does not share a plan without lines (a distributor whose stores have no sell-through): 409 plans.empty, still a draft', async () => {
    const id = await planFor({ distributors: [farCode] });
    const plan = await call('planner', 'GET', `/api/v1/planning/plans/${id}`);
    expect(plan.body.lines).toEqual([]);
    const shared = await call('planner', 'POST', `/api/v1/planning/plans/${id}/share`);
    expect([shared.status, shared.body.code]).toEqual([409, 'plans.empty']);
    expect((await call('planner', 'GET', `/api/v1/planning/plans/${id}`)).body.status).toBe('draft');
  });

  it('lets either side reject while the plan is open', async () => {
    const id = await planFor({ skus: [skuA] });
    await call('planner', 'POST', `/api/v1/planning/plans/${id}/share`);
    const r = await call('distributor', 'POST', `/api/v1/planning/plans/${id}/reject`, { note: 'we changed supplier' });
    expect(r.body).toMatchObject({ status: 'rejected', note: 'we changed supplier' });
    expect((await call('distributor', 'POST', `/api/v1/planning/plans/${id}/accept`)).body.code).toBe('plans.invalid_transition');
  });
});

describe('bad input to plans', () => {
  it('refuses unknown parties and SKUs, service levels and horizons out of range, and oversized input, queueing nothing', async () => {
    const jobs = await count('jobs');
    const plans = await count('replenishment_plans');
    const cases: [Record<string, unknown>, [string, string][]][] = [
      [{ distributors: ['NOPE'] }, [['/body/distributors/0', 'plans.unknown_party']]],
      [{ distributors: ['D0001', store1] }, [['/body/distributors/1', 'plans.not_a_distributor']]],
      [{ skus: ['NO-SUCH-SKU'] }, [['/body/skus/0', 'plans.unknown_sku']]],
      [{ serviceLevel: 0.5 }, [['/body/serviceLevel', 'field.invalid']]],
      [{ serviceLevel: 0.9995 }, [['/body/serviceLevel', 'field.invalid']]],
      [{ horizonDays: 6 }, [['/body/horizonDays', 'field.invalid']]],
      [{ horizonDays: 183 }, [['/body/horizonDays', 'field.invalid']]],
      [{ distributors: Array.from({ length: 1001 }, (_, i) => `D${i}`) }, [['/body/distributors', 'field.invalid']]],
    ];
    for (const [body, expected] of cases) {
      const r = await call('planner', 'POST', '/api/v1/planning/plans', { ...PARAMS, ...body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect(problems(r), JSON.stringify(body)).toEqual(expected);
    }
    // the same through the generic jobs endpoint: pointers into its params
    const viaJobs = await call('planner', 'POST', '/api/v1/jobs', {
      kind: 'planning.plans.create',
      params: { ...PARAMS, distributors: ['NOPE'] },
    });
    expect(problems(viaJobs)).toEqual([['/body/params/distributors/0', 'plans.unknown_party']]);
    const huge = await fetch(`${server.baseUrl}/api/v1/planning/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.planner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...PARAMS, note: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect((await call('distributor', 'POST', '/api/v1/planning/plans', PARAMS)).status).toBe(403);
    expect(await count('jobs')).toBe(jobs);
    expect(await count('replenishment_plans')).toBe(plans);
  });
});

describe('demand forecasters', () => {
  it('turns a per-series model into daily mean and deviation: zeros filled in, σ from the 80% interval', async () => {
    const { seriesForecaster } = await import('../../src/modules/planning/index.ts');
    const seen: number[][] = [];
    // a model that forecasts the last week's mean with an interval of ±10 units (so σ = 10 / z(0.9))
    const model = (y: number[], o: { horizon: number; seasonLength: number; level: number }) => {
      seen.push(y);
      const m = y.slice(-o.seasonLength).reduce((a, b) => a + b, 0) / o.seasonLength;
      const mean = new Array(o.horizon).fill(m);
      return { model: 'last_week_mean', mean, lower: mean.map((x) => x - 10), upper: mean.map((x) => x + 10) };
    };
    const sql = server.db.sql;
    const [b] = await sql<{ id: number }[]>`select id::int from products where tenant_id = ${tenant} and sku = ${skuB}`;
    const f = await seriesForecaster(model).forecast(sql, {
      tenantId: tenant,
      partyIds: [distributorId],
      productIds: [b?.id as number],
      history: { days: 28, from: '2026-10-04', to: '2026-11-01' },
      horizonDays: 14,
    });
    // SKU B sold 10 every other day from 10-04: the series has its zeros, and its last week holds 3 sales days (10-26, 28, 30)
    expect(seen[0]).toHaveLength(28);
    expect(seen[0]?.slice(0, 4)).toEqual([10, 0, 10, 0]);
    expect(f).toHaveLength(1);
    expect(f[0]?.mean).toBeCloseTo(30 / 7, 10);
    expect(f[0]?.sd).toBeCloseTo(10 / 1.2815515655446004, 6);
    expect(f[0]?.history).toBe(140);
  });
});
