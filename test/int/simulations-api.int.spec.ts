import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPlanningJobs } from '../../src/modules/planning/index.ts';
import { JobRegistry, JobRunner } from '../../src/platform/jobs/index.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * The simulator's API: a run starts in the background as a job of the queue, its progress and result are read back,
 * it outlives a restart of its server; bad input runs nothing. The queue's runners are the test's own (quick timings),
 * so that a test can stop one as a server stops and start another.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
const runs = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from simulation_runs`)[0]?.n;
const registry = new JobRegistry();
registerPlanningJobs(registry);
const RUNNER = { pollMs: 100, leaseMs: 1000, heartbeatMs: 200, progressMs: 0 };
let runner: JobRunner;
const newRunner = async () => {
  const r = new JobRunner(server.db.sql, registry, RUNNER);
  await r.start();
  return r;
};
const runOf = async (id: number, lang = 'zh-CN') =>
  (await call('planner', 'GET', `/api/v1/planning/simulations/${id}`, undefined, { 'accept-language': lang })).body;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, jobs: { worker: false } });
  runner = await newRunner();
});
afterAll(async () => {
  await runner?.stop();
  await server?.close();
});

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

  it('outlives its server: a run stopped half-way is queued again and played to the end by the next runner', async () => {
    await runner.stop();
    const body = { days: 365, distributors: 10, stores: 1000, skus: 20, seed: 5, policy: 'both' };
    const started = await call('planner', 'POST', '/api/v1/planning/simulations', body);
    expect(started.status).toBe(202);
    const id = started.body.id as number;
    // no runner yet: the run waits in the queue, and says so
    expect(await runOf(id)).toMatchObject({ status: 'running', queued: true, jobId: expect.any(Number) });
    const jobId = (await runOf(id)).jobId as number;

    const first = await newRunner();
    await expect
      .poll(async () => (await call('planner', 'GET', `/api/v1/jobs/${jobId}`)).body.progress.done, { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(0);
    // while it runs, the run shows its job's progress
    expect((await runOf(id)).progress.done).toBeGreaterThan(0);
    // the server stops mid-run: the job goes back to the queue without using up an attempt, the run is still on
    await first.stop();
    expect((await call('planner', 'GET', `/api/v1/jobs/${jobId}`)).body).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await runOf(id)).toMatchObject({ status: 'running', queued: true });

    runner = await newRunner();
    await expect.poll(async () => (await runOf(id)).status, { timeout: 60_000 }).toBe('done');
    const run = await runOf(id);
    expect(run.progress).toEqual({ done: 730, total: 730 });
    expect(run.result.policies.map((p: { policy: string }) => p.policy)).toEqual(['baseline', 'throughline']);
    expect((await call('planner', 'GET', `/api/v1/jobs/${jobId}`)).body).toMatchObject({
      status: 'succeeded',
      result: { runId: id, played: true },
    });
  });

  it('fails with the reason when it is cancelled, or when its job is lost for good, and then frees its slot', async () => {
    // cancelled through the job queue while it runs
    const started = await call('planner', 'POST', '/api/v1/planning/simulations', { days: 365, stores: 2000, skus: 50, policy: 'both' });
    const id = started.body.id as number;
    const jobId = started.body.jobId as number;
    await expect
      .poll(async () => (await call('planner', 'GET', `/api/v1/jobs/${jobId}`)).body.status, { timeout: 30_000, interval: 20 })
      .toBe('running');
    // a running job stops at its next progress report
    expect((await call('planner', 'POST', `/api/v1/jobs/${jobId}/cancel`)).status).toBe(202);
    await expect.poll(async () => (await runOf(id)).status, { timeout: 30_000 }).toBe('failed');
    expect(await runOf(id, 'en')).toMatchObject({ errorCode: 'simulation.cancelled', error: 'The simulation was cancelled' });
    expect((await runOf(id)).error).toBe('模拟已取消');

    // two runs whose process died with no attempt left (as a server killed twice leaves them) hold no slot
    await runner.stop();
    const lost: number[] = [];
    for (const seed of [1, 2]) {
      const r = await call('planner', 'POST', '/api/v1/planning/simulations', { days: 30, stores: 20, skus: 2, seed });
      lost.push(r.body.id as number);
      await server.db.sql`update jobs set status = 'running', attempts = max_attempts, worker = 'dead:1',
        heartbeat_at = now() - interval '1 minute' where id = ${r.body.jobId as number}`;
    }
    const blocked = await call('planner', 'POST', '/api/v1/planning/simulations', { days: 30, stores: 20, skus: 2 });
    expect(blocked.status).toBe(409);
    expect(blocked.body.code).toBe('simulation.running_limit');
    runner = await newRunner();
    for (const id of lost) {
      await expect.poll(async () => (await runOf(id)).status, { timeout: 30_000 }).toBe('failed');
      expect(await runOf(id, 'en')).toMatchObject({ errorCode: 'jobs.worker_lost', error: expect.stringMatching(/stopped/) });
    }
    const freed = await call('planner', 'POST', '/api/v1/planning/simulations', { days: 30, stores: 20, skus: 2 });
    expect(freed.status).toBe(202);
    await expect.poll(async () => (await runOf(freed.body.id as number)).status, { timeout: 30_000 }).toBe('done');
  });

  it('is played only by the job it was started with: a job started for it through /jobs plays nothing', async () => {
    const started = await call('planner', 'POST', '/api/v1/planning/simulations', { days: 20, stores: 20, skus: 2, seed: 9 });
    const id = started.body.id as number;
    await expect.poll(async () => (await runOf(id)).status, { timeout: 30_000 }).toBe('done');
    const other = await call('planner', 'POST', '/api/v1/jobs', { kind: 'planning.simulations.play', params: { runId: id } });
    expect(other.status).toBe(202);
    await expect
      .poll(async () => (await call('planner', 'GET', `/api/v1/jobs/${other.body.id}`)).body.status, { timeout: 30_000 })
      .toBe('succeeded');
    expect((await call('planner', 'GET', `/api/v1/jobs/${other.body.id}`)).body.result).toEqual({ runId: id, played: false });
    const unknown = await call('planner', 'POST', '/api/v1/jobs', { kind: 'planning.simulations.play', params: { runId: 999_999 } });
    expect(problems(unknown)).toEqual([['/body/params/runId', 'simulation.unknown_run']]);
    // and only roles that may run simulations may start one
    const distributor = await call('distributor', 'POST', '/api/v1/jobs', { kind: 'planning.simulations.play', params: { runId: id } });
    expect(distributor.status).toBe(403);
  });

  it('is the brand’s: a distributor may not start or read runs', async () => {
    expect((await call('distributor', 'POST', '/api/v1/planning/simulations', { days: 10 })).status).toBe(403);
    expect((await call('distributor', 'GET', '/api/v1/planning/simulations')).status).toBe(403);
    expect((await call('planner', 'GET', '/api/v1/planning/simulations/999999')).status).toBe(404);
  });
});
