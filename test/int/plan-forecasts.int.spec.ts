import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastSeries } from '../../src/modules/planning/forecast/index.ts';
import { seriesForecaster } from '../../src/modules/planning/index.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { lineOf, planningFixture } from '../support/planning-fixture.ts';

/**
 * Plans take demand from the model chosen per (party, product) by the forecasting module's backtest, and fall back to
 * the sell-through mean and deviation where the series is too short; each line says which it got.
 *
 * history: 112 days before 2027-06-01 (2027-02-09 .. 2027-05-31), horizon 28 days
 *   store S1, SKU A: a weekly pattern (weekends 2.8x the weekdays) on a rising level, every day of the window
 *   distributor D0001, SKU B: 20 units a day for the last 20 days only (less than 2 x 28 days from the first sale)
 */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
let skuA: string;
let skuB: string;
let store1: string;
let store1Id: number;
let distributorId: number;
const AS_OF = '2027-06-01';
const FROM = '2027-02-09';
const DAYS = 112;
const WEEK = [0.6, 0.6, 0.6, 0.8, 1, 1.7, 1.7];
const seriesA = Array.from({ length: DAYS }, (_, t) => Math.round((6 + 0.1 * t) * WEEK[t % 7]!));
const Z90 = 1.2815515655446004;

const day = (i: number) => new Date(Date.parse(`${FROM}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, jobs: { runner: { pollMs: 100, progressMs: 0 } } });
  const sql = server.db.sql;
  const { tenant, A, B, distributor: d, store1: s1 } = await planningFixture(sql);
  skuA = A.sku;
  skuB = B.sku;
  store1 = s1.code;
  store1Id = s1.id;
  distributorId = d.id;
  await sql`delete from sell_through_daily where tenant_id = ${tenant} and day >= ${FROM}::date - 400`;
  const rows: [number, string, string, number][] = seriesA.map((u, i) => [s1.id, A.gtin, day(i), u]);
  for (let i = DAYS - 20; i < DAYS; i++) rows.push([d.id, B.gtin, day(i), 20]);
  await sql`
    insert into sell_through_daily (tenant_id, holder_party_id, gtin, day, units_out)
    select ${tenant}, * from unnest(${rows.map((r) => r[0])}::bigint[], ${rows.map((r) => r[1])}::char(14)[], ${rows.map((r) => r[2])}::date[],
      ${rows.map((r) => r[3])}::bigint[])`;
});
afterAll(async () => server?.close());

async function planFor(params: Record<string, unknown>) {
  const r = await call('planner', 'POST', '/api/v1/planning/plans', {
    distributors: ['D0001'],
    asOf: AS_OF,
    reviewDays: 7,
    serviceLevel: 0.95,
    horizonDays: 28,
    skus: [skuA, skuB],
    ...params,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  await expect
    .poll(async () => (await call('planner', 'GET', `/api/v1/jobs/${r.body.id}`)).body.status, { timeout: 20_000 })
    .toBe('succeeded');
  const job = (await call('planner', 'GET', `/api/v1/jobs/${r.body.id}`)).body;
  return (await call('planner', 'GET', `/api/v1/planning/plans/${job.result.plans[0].id}`)).body;
}

describe('plans on model forecasts', () => {
  it('gives a series with a weekly pattern the backtest-chosen model: its mean over the horizon and σ from its interval', async () => {
    const plan = await planFor({ historyDays: DAYS });
    expect(plan.forecaster).toBe('auto');
    const a = lineOf(plan, store1, skuA);
    const f = forecastSeries(seriesA, { horizon: 28, seasonLength: 7, level: 0.8 });
    const mean = f.mean.reduce((s, x) => s + x, 0) / 28;
    const sd = f.upper.reduce((s, u, i) => s + (u - f.mean[i]!), 0) / 28 / Z90;
    expect(a).toMatchObject({ forecastModel: f.model, forecastFallback: null });
    expect(f.model).not.toBe('sell_through_mean');
    expect(a.meanDaily).toBeCloseTo(mean, 2);
    expect(a.sdDaily).toBeCloseTo(sd, 2);
    // not the flat mean: the window's mean lags the rising level, and its deviation holds the weekly swing the model explains
    const flatMean = seriesA.reduce((s, x) => s + x, 0) / DAYS;
    const flatSd = Math.sqrt(seriesA.reduce((s, x) => s + (x - flatMean) ** 2, 0) / (DAYS - 1));
    expect(a.meanDaily).toBeGreaterThan(1.2 * flatMean);
    expect(a.sdDaily).toBeLessThan(0.5 * flatSd);
  });

  it('falls back to the sell-through mean for a series with too little history, and says so per line and per plan', async () => {
    const plan = await planFor({ historyDays: DAYS });
    const b = lineOf(plan, 'D0001', skuB);
    // 20 units a day for the last 20 days of the 112-day window: the mean since the first sale, d = 20, σ = 0 (not the
    // window's 400 / 112 = 3.6: a new product sells at its rate since launch)
    expect(b).toMatchObject({ forecastModel: 'sell_through_mean', forecastFallback: 'too_little_history' });
    expect(b.meanDaily).toBe(20);
    expect(b.sdDaily).toBe(0);
    expect(plan.forecasts).toEqual(
      expect.arrayContaining([
        { model: lineOf(plan, store1, skuA).forecastModel, fallback: null, lines: 1 },
        { model: 'sell_through_mean', fallback: 'too_little_history', lines: 1 },
      ]),
    );
  });

  it('falls back for every series when the history window is shorter than twice the horizon', async () => {
    const plan = await planFor({ historyDays: 28 });
    expect(plan.lines.length).toBe(2);
    for (const l of plan.lines) expect(l).toMatchObject({ forecastModel: 'sell_through_mean', forecastFallback: 'too_little_history' });
    const a = lineOf(plan, store1, skuA);
    const last = seriesA.slice(-28);
    expect(a.meanDaily).toBeCloseTo(last.reduce((s, x) => s + x, 0) / 28, 2);
  });

  it('falls back when the model forecasts nothing with an empty interval for a series that sold', async () => {
    const sql = server.db.sql;
    const tenant = Number((await sql<{ id: number }[]>`select id from tenants where code = 'demo'`)[0]?.id);
    const nothing = (_y: number[], o: { horizon: number }) => {
      const zero = new Array(o.horizon).fill(0);
      return { model: 'ses', mean: zero, lower: zero, upper: zero };
    };
    const f = await seriesForecaster(nothing, 'nothing').forecast(sql, {
      tenantId: tenant,
      partyIds: [store1Id],
      history: { days: DAYS, from: FROM, to: AS_OF },
      horizonDays: 28,
    });
    expect(f).toHaveLength(1);
    const flatMean = seriesA.reduce((a, x) => a + x, 0) / DAYS;
    expect(f[0]).toMatchObject({ model: 'sell_through_mean', fallback: 'zero_forecast' });
    expect(f[0]?.mean).toBeCloseTo(flatMean, 10);
  });

  it('lets the server’s other work run while it forecasts: a timer due during a slow model fires before the next series', async () => {
    const sql = server.db.sql;
    const tenant = Number((await sql<{ id: number }[]>`select id from tenants where code = 'demo'`)[0]?.id);
    let calls = 0;
    let firedAfter: number | null = null;
    const slow = (_y: number[], o: { horizon: number }) => {
      calls++;
      // the job runs in the server's thread: a request arriving now is this timer
      if (calls === 1) setTimeout(() => (firedAfter ??= calls), 0);
      const until = performance.now() + 30;
      while (performance.now() < until);
      const flat = new Array(o.horizon).fill(1);
      return { model: 'ses', mean: flat, lower: flat, upper: flat };
    };
    const f = await seriesForecaster(slow, 'slow').forecast(sql, {
      tenantId: tenant,
      partyIds: [store1Id, distributorId],
      history: { days: DAYS, from: FROM, to: AS_OF },
      horizonDays: 28,
    });
    expect(f).toHaveLength(2);
    expect(calls).toBe(2);
    expect(firedAfter).toBe(1);
  });
});
