import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/** The simulator's API: a run starts in the background, its progress and result are read back; bad input runs nothing. */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
const runs = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from simulation_runs`)[0]?.n;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
});
afterAll(async () => server?.close());

describe('a simulation run', () => {
  it('starts in the background, reports its progress, and stores both policies side by side', async () => {
    const key = randomUUID();
    const body = { days: 60, distributors: 3, stores: 30, skus: 4, seed: 11, policy: 'both' };
    const started = await call('planner', 'POST', '/api/v1/planning/simulations', body, { 'idempotency-key': key });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('running');
    expect(started.body.progress.total).toBe(120);
    const id = started.body.id as number;

    // a retry with the same key returns the same run and starts nothing
    const again = await call('planner', 'POST', '/api/v1/planning/simulations', body, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);

    await expect
      .poll(async () => (await call('planner', 'GET', `/api/v1/planning/simulations/${id}`)).body.status, { timeout: 30_000 })
      .toBe('done');
    const run = await call('sales', 'GET', `/api/v1/planning/simulations/${id}`);
    expect(run.body.progress).toEqual({ done: 120, total: 120 });
    const [base, pull] = run.body.result.policies;
    expect([base.policy, pull.policy]).toEqual(['baseline', 'throughline']);
    expect(base.demandUnits).toBe(pull.demandUnits);
    expect(base.series.stock.stores).toHaveLength(60);
    expect(base.levels.stores.orderCycleDays).toBe(5);
    expect(pull.levels.stores.orderCycleDays).toBe(1);
    expect(run.body.result.params).toMatchObject({ days: 60, distributors: 3, stores: 30, skus: 4, seed: 11, mode: 'fast' });

    const list = await call('admin', 'GET', '/api/v1/planning/simulations');
    expect(list.body.runs.filter((r: { id: number }) => r.id === id)).toHaveLength(1);
    const [audit] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_log where action = 'simulation.start' and entity_id = ${String(id)}`;
    expect(audit?.n).toBe(1);
  });

  it('refuses impossible parameters with a pointer and a stable code, and stores nothing', async () => {
    const before = await runs();
    const bad = await call('planner', 'POST', '/api/v1/planning/simulations', {
      days: 0,
      stores: 2_001,
      policy: 'pull',
      serviceLevel: 1.5,
      storeLeadDays: -2,
    });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(problems(bad)).toEqual([
      ['/body/days', 'simulation.days_range'],
      ['/body/stores', 'simulation.stores_range'],
      ['/body/policy', 'simulation.policy_unknown'],
      ['/body/serviceLevel', 'simulation.service_level_range'],
      ['/body/storeLeadDays', 'simulation.lead_days_range'],
    ]);
    const tooMany = await call('planner', 'POST', '/api/v1/planning/simulations', { stores: 3, distributors: 4 });
    expect(problems(tooMany)).toEqual([['/body/stores', 'simulation.fewer_stores_than_distributors']]);
    const product = await call('planner', 'POST', '/api/v1/planning/simulations', { mode: 'product' });
    expect(problems(product)).toEqual([['/body/mode', 'field.unknown']]);
    expect(await runs()).toBe(before);
  });

  it('is the brand’s: a distributor may not start or read runs', async () => {
    expect((await call('distributor', 'POST', '/api/v1/planning/simulations', { days: 10 })).status).toBe(403);
    expect((await call('distributor', 'GET', '/api/v1/planning/simulations')).status).toBe(403);
    expect((await call('planner', 'GET', '/api/v1/planning/simulations/999999')).status).toBe(404);
  });
});
