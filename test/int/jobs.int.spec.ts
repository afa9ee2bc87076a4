import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { AppError } from '../../src/http/problem.ts';
import type { JobKind } from '../../src/platform/jobs/index.ts';
import { JobRunner } from '../../src/platform/jobs/index.ts';
import { JobRegistry } from '../../src/platform/jobs/registry.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * The job queue with real PostgreSQL and the real runner in the server process: two kinds of job registered for the
 * test (a counter that reports progress and can be told to fail, and a waiter that runs until it is stopped), both
 * startable by the brand's planner only.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const count: JobKind<{ n: number; stepMs: number; failAt?: number }, { sum: number }> = {
  kind: 'test.count',
  access: 'plans:write',
  params: Type.Object(
    {
      n: Type.Integer({ minimum: 1, maximum: 1000 }),
      stepMs: Type.Integer({ minimum: 0, maximum: 1000, default: 0 }),
      failAt: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  ),
  async run(_ctx, p, progress) {
    let sum = 0;
    for (let i = 1; i <= p.n; i++) {
      if (p.failAt === i) throw new Error(`boom at ${i}`);
      sum += i;
      if (p.stepMs) await sleep(p.stepMs);
      await progress(i, p.n, `step ${i}`);
    }
    return { sum };
  },
};
const wait: JobKind<{ tag: string }, { ran: number }> = {
  kind: 'test.wait',
  access: 'plans:write',
  params: Type.Object({ tag: Type.String({ maxLength: 20 }) }, { additionalProperties: false }),
  async run(ctx, _p, progress) {
    let i = 0;
    while (!ctx.signal.aborted) {
      await sleep(20);
      await progress(++i, null, 'waiting');
    }
    return { ran: i };
  },
};
/** Reports its progress as a message key with parameters, and fails with a coded refusal when asked to. */
const say: JobKind<{ n: number; fail?: boolean }, { n: number }> = {
  kind: 'test.say',
  access: 'plans:write',
  params: Type.Object(
    { n: Type.Integer({ minimum: 1, maximum: 10 }), fail: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
  async run(ctx, p, progress) {
    for (let i = 1; i <= p.n; i++) await progress(i, p.n, { key: 'plans.progress', params: { done: i, total: p.n } });
    if (p.fail) throw new AppError(409, 'jobs.not_cancellable', { id: ctx.jobId, status: 'running' });
    return { n: p.n };
  },
};
const RUNNER = { pollMs: 100, leaseMs: 1000, heartbeatMs: 200, progressMs: 0 };

let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
const job = async (user: string, id: number) => (await call(user, 'GET', `/api/v1/jobs/${id}`)).body;
const jobCount = async () => Number((await server.db.sql<{ n: number }[]>`select count(*)::int as n from jobs`)[0]?.n);

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, jobs: { kinds: [count, wait, say], runner: RUNNER } });
});
afterAll(async () => server?.close());

describe('jobs', () => {
  it('runs a job to its result, reporting progress, for the one who started it', async () => {
    const r = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 5, stepMs: 150 } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ kind: 'test.count', status: 'queued', params: { n: 5, stepMs: 150 } });
    const seen = new Set<number>();
    await expect
      .poll(async () => {
        const j = await job('planner', r.body.id);
        if (j.status === 'running' && j.progress.total) seen.add(j.progress.done);
        return j.status;
      })
      .toBe('succeeded');
    const done = await job('planner', r.body.id);
    expect(done).toMatchObject({ result: { sum: 15 }, progress: { done: 5, total: 5, percent: 100 }, error: null, attempts: 1 });
    // progress was visible while it ran, not only at the end
    expect([...seen].some((d) => d < 5)).toBe(true);
    const mine = await call('planner', 'GET', '/api/v1/jobs?kind=test.count');
    expect(mine.body.items.map((j: { id: number }) => j.id)).toContain(r.body.id);
    // not another user's to see, nor in its list
    expect((await call('sales', 'GET', `/api/v1/jobs/${r.body.id}`)).status).toBe(404);
    expect((await call('sales', 'GET', '/api/v1/jobs')).body.items).toEqual([]);
  });

  it("says its progress and its failure in the reader's language, not its starter's; a message written before as text stays", async () => {
    const zh = { 'accept-language': 'zh-CN' };
    const en = { 'accept-language': 'en' };
    const ok = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.say', params: { n: 2 } }, zh);
    await expect.poll(async () => (await job('planner', ok.body.id)).status).toBe('succeeded');
    expect((await call('planner', 'GET', `/api/v1/jobs/${ok.body.id}`, undefined, zh)).body.message).toBe('已完成 2/2 个经销商');
    expect((await call('planner', 'GET', `/api/v1/jobs/${ok.body.id}`, undefined, en)).body.message).toBe('2 of 2 distributors done');
    // the brand admin reads every job of the brand, in the admin's own language
    expect((await call('admin', 'GET', `/api/v1/jobs/${ok.body.id}`, undefined, en)).body.message).toBe('2 of 2 distributors done');

    const failed = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.say', params: { n: 1, fail: true } }, zh);
    await expect.poll(async () => (await job('planner', failed.body.id)).status).toBe('failed');
    const read = await call('planner', 'GET', `/api/v1/jobs/${failed.body.id}`, undefined, en);
    expect(read.body).toMatchObject({
      error: 'jobs.not_cancellable',
      message: `Job ${failed.body.id} has finished (running) and cannot be cancelled`,
    });
    const listed = await call('planner', 'GET', '/api/v1/jobs?kind=test.say', undefined, zh);
    expect(listed.body.items.find((j: { id: number }) => j.id === failed.body.id).message).toBe(
      `任务 ${failed.body.id} 已结束（running），不能取消`,
    );

    // a row written before messages were keys: its text, in its starter's language, as written
    await server.db.sql`update jobs set message = '已完成 1/2 个经销商', message_params = null where id = ${ok.body.id}`;
    expect((await call('planner', 'GET', `/api/v1/jobs/${ok.body.id}`, undefined, en)).body.message).toBe('已完成 1/2 个经销商');
  });

  it('refuses bad parameters, an unknown kind and a role that may not run the kind, queueing nothing', async () => {
    const before = await jobCount();
    const bad = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 0, extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(problems(bad)).toEqual(
      expect.arrayContaining([
        ['/body/params/n', 'field.invalid'],
        ['/body/params/extra', 'field.unknown'],
      ]),
    );
    const unknown = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.nope', params: {} });
    expect(unknown.status).toBe(400);
    expect(problems(unknown)).toEqual([['/body/kind', 'jobs.unknown_kind']]);
    const denied = await call('distributor', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 1 } });
    expect(denied.status).toBe(403);
    expect(await jobCount()).toBe(before);
  });

  it('returns the first job for a repeated Idempotency-Key, and refuses the key for other parameters', async () => {
    const key = { 'idempotency-key': 'jobs-test-key-1' };
    const a = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 3 } }, key);
    const b = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 3 } }, key);
    expect(a.status).toBe(202);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    const c = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 4 } }, key);
    expect(c.status).toBe(409);
    expect(c.body.code).toBe('jobs.idempotency_conflict');
    // another user's same key is its own
    const d = await call('admin', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 3 } }, key);
    expect(d.status).toBe(202);
    expect(d.body.id).not.toBe(a.body.id);
  });

  it('records a failing handler as failed with its reason', async () => {
    const r = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 5, failAt: 3 } });
    await expect.poll(async () => (await job('planner', r.body.id)).status).toBe('failed');
    const j = await job('planner', r.body.id);
    expect(j.error).toBe('internal');
    expect(j.progress.done).toBe(2);
    expect(j.result).toBeNull();
  });

  it('cancels a queued job at once and a running one at its next progress report; a finished job is a 409', async () => {
    const running = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.wait', params: { tag: 'a' } });
    await expect.poll(async () => (await job('planner', running.body.id)).status).toBe('running');
    // the runner runs one job at a time: this one waits in the queue
    const queued = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 1 } });
    const q = await call('planner', 'POST', `/api/v1/jobs/${queued.body.id}/cancel`);
    expect(q.status).toBe(200);
    expect(q.body.status).toBe('cancelled');
    expect((await call('sales', 'POST', `/api/v1/jobs/${running.body.id}/cancel`)).status).toBe(404);
    const c = await call('planner', 'POST', `/api/v1/jobs/${running.body.id}/cancel`);
    expect(c.status).toBe(202);
    expect(c.body).toMatchObject({ status: 'running', cancelRequested: true });
    await expect.poll(async () => (await job('planner', running.body.id)).status).toBe('cancelled');
    const again = await call('planner', 'POST', `/api/v1/jobs/${running.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('jobs.not_cancellable');
    // the cancelled queued job never ran
    expect((await job('planner', queued.body.id)).attempts).toBe(0);
  });

  it('queues again a job whose process died, and fails one that has no attempts left', async () => {
    const sql = server.db.sql;
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const [u] = await sql<{ id: number }[]>`select id::int from users where tenant_id = ${t?.id as number} and username = 'planner'`;
    const actor = {
      kind: 'user',
      tenantId: t?.id,
      tenantCode: 'demo',
      id: u?.id,
      name: 'planner',
      role: 'brand_planner',
      partyId: null,
      territories: [],
      locale: 'en',
    };
    // as a process killed mid-run leaves them: running, its heartbeat stopped a minute ago
    const [lost, spent] = await sql<{ id: number }[]>`
      insert into jobs (tenant_id, kind, params, status, attempts, max_attempts, worker, heartbeat_at, started_at, actor, created_by)
      values (${t?.id as number}, 'test.count', '{"n": 4, "stepMs": 0}', 'running', 1, 2, 'dead:1', now() - interval '1 minute', now(), ${sql.json(actor)}, ${`user:${u?.id}`}),
             (${t?.id as number}, 'test.count', '{"n": 4, "stepMs": 0}', 'running', 2, 2, 'dead:1', now() - interval '1 minute', now(), ${sql.json(actor)}, ${`user:${u?.id}`})
      returning id::int`;
    await expect.poll(async () => (await job('planner', lost?.id as number)).status).toBe('succeeded');
    expect(await job('planner', lost?.id as number)).toMatchObject({ attempts: 2, result: { sum: 10 } });
    await expect.poll(async () => (await job('planner', spent?.id as number)).status).toBe('failed');
    const f = await call('planner', 'GET', `/api/v1/jobs/${spent?.id}`, undefined, { 'accept-language': 'en' });
    expect(f.body.error).toBe('jobs.worker_lost');
    expect(f.body.message).toMatch(/stopped/);
  });

  it('says why a job whose process was lost failed, not the last progress that process reported', async () => {
    const sql = server.db.sql;
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const [u] = await sql<{ id: number }[]>`select id::int from users where tenant_id = ${t?.id as number} and username = 'planner'`;
    const actor = {
      kind: 'user',
      tenantId: t?.id,
      tenantCode: 'demo',
      id: u?.id,
      name: 'planner',
      role: 'brand_planner',
      partyId: null,
      territories: [],
      locale: 'en',
    };
    // killed mid-run on its last attempt, its last report a message key with parameters (and one with text as written)
    const [keyed, texted] = await sql<{ id: number }[]>`
      insert into jobs (tenant_id, kind, params, status, attempts, max_attempts, worker, heartbeat_at, started_at, actor, created_by,
        progress_done, progress_total, message, message_params)
      values (${t?.id as number}, 'test.say', '{"n": 3}', 'running', 1, 1, 'dead:2', now() - interval '1 minute', now(), ${sql.json(actor)},
               ${`user:${u?.id}`}, 1, 3, 'plans.progress', '{"done": 1, "total": 3}'),
             (${t?.id as number}, 'test.count', '{"n": 4, "stepMs": 0}', 'running', 1, 1, 'dead:2', now() - interval '1 minute', now(),
               ${sql.json(actor)}, ${`user:${u?.id}`}, 2, 4, 'step 2', null)
      returning id::int`;
    for (const id of [keyed?.id as number, texted?.id as number]) {
      await expect.poll(async () => (await job('planner', id)).status).toBe('failed');
      const en = await call('planner', 'GET', `/api/v1/jobs/${id}`, undefined, { 'accept-language': 'en' });
      expect(en.body).toMatchObject({ error: 'jobs.worker_lost', message: 'The process running the job stopped and no attempts are left' });
      const zh = await call('planner', 'GET', `/api/v1/jobs/${id}`, undefined, { 'accept-language': 'zh-CN' });
      expect(zh.body.message).toBe('执行任务的进程已停止，重试次数已用完');
    }
    // a job failed so before the runner wrote the reason as its message reads the same
    await sql`update jobs set message = 'plans.progress', message_params = '{"done": 1, "total": 3}' where id = ${keyed?.id as number}`;
    expect((await call('planner', 'GET', `/api/v1/jobs/${keyed?.id}`, undefined, { 'accept-language': 'en' })).body.message).toMatch(
      /stopped and no attempts are left/,
    );
  });

  it('puts a running job back in the queue when its server stops, and another server finishes it', async () => {
    // a second app on the same database, whose runner takes the job and is then closed
    const registry = new JobRegistry();
    registry.register(count);
    const other = new JobRunner(server.db.sql, registry, RUNNER);
    await server.app.close().catch(() => {});
    server.app = (await buildApp({ sql: server.db.sql, webhooks: { worker: false }, jobs: { worker: false, kinds: [count, wait] } })).app;
    server.baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
    for (const k of Object.keys(tokens)) delete tokens[k];
    const r = await call('planner', 'POST', '/api/v1/jobs', { kind: 'test.count', params: { n: 40, stepMs: 50 } });
    await other.start();
    await expect.poll(async () => (await job('planner', r.body.id)).progress.done).toBeGreaterThan(2);
    await other.stop();
    const back = await job('planner', r.body.id);
    expect(back.status).toBe('queued');
    expect(back.attempts).toBe(0);
    const next = new JobRunner(server.db.sql, registry, RUNNER);
    await next.start();
    await expect.poll(async () => (await job('planner', r.body.id)).status).toBe('succeeded');
    await next.stop();
    expect(await job('planner', r.body.id)).toMatchObject({ result: { sum: 820 }, attempts: 1 });
  });
});
