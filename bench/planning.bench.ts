/**
 * Replenishment plans and the job queue at channel scale.
 * - plans: the demo channel (500 distributors, PLAN_STORES stores, default 10,000) with PLAN_HISTORY_DAYS (default
 *   112) days of sell-through for PLAN_SKUS products (default 10) at every distributor and store, weekends selling
 *   twice the weekdays; the plan job for every distributor (one plan each, its stores' lines included) timed end to
 *   end (compute and the one transaction that writes every plan), once with demand from the sell-through mean
 *   (`plan_job_seconds`) and once from the model chosen per series by backtest (`plan_job_auto_seconds`, the
 *   default), on the same data;
 * - the demand plan and the capacity report over the 4 weeks the plans reach, with a capacity row per SKU and week;
 * - the queue: JOBS_N (default 500) trivial jobs through one runner, started to all done (claim, run, finish).
 * Prints one JSON line per figure.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Type } from '@sinclair/typebox';
import type { RequestContext } from '../src/context.ts';
import { loadDemo } from '../src/demo/load-demo.ts';
import { demandByWeek } from '../src/modules/planning/capacity/demand.ts';
import { capacityReport } from '../src/modules/planning/capacity/report.ts';
import { capacityIn, planDemandLines } from '../src/modules/planning/capacity/store.ts';
import { modelForecaster } from '../src/modules/planning/index.ts';
import { sellThroughForecaster } from '../src/modules/planning/plans/forecaster.ts';
import { planJob } from '../src/modules/planning/plans/job.ts';
import { JobRegistry, JobRunner, startJob } from '../src/platform/jobs/index.ts';
import { emit, freshDatabase, isMain } from './support.ts';

export async function run(): Promise<void> {
  const stores = Number(process.env.PLAN_STORES ?? 10_000);
  const skus = Number(process.env.PLAN_SKUS ?? 10);
  const historyDays = Number(process.env.PLAN_HISTORY_DAYS ?? 112);
  const jobsN = Number(process.env.JOBS_N ?? 500);
  const db = await freshDatabase(Number(process.env.BENCH_PG_PORT ?? 54397));
  try {
    const sql = db.sql;
    await loadDemo(sql, { stores });
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenant = Number(t?.id);
    const [u] = await sql<{ id: number }[]>`select id::int from users where tenant_id = ${tenant} and username = 'planner'`;
    const ctx: RequestContext = {
      sql,
      actor: {
        kind: 'user',
        tenantId: tenant,
        tenantCode: 'demo',
        id: Number(u?.id),
        name: 'planner',
        role: 'brand_planner',
        partyId: null,
        territories: [],
      },
      locale: 'en',
      ip: null,
      requestId: 'bench',
    };
    // `historyDays` days of sell-through before 2026-11-02 for the first `skus` products at every distributor and store
    let started = performance.now();
    await sql`
      insert into sell_through_daily (tenant_id, holder_party_id, gtin, day, units_out)
      select ${tenant}, p.id, g.gtin, d::date,
        (case when extract(isodow from d) >= 6 then 2 else 1 end)
          * (1 + ((p.id * 7 + extract(doy from d)::int * 13 + g.n * 5) % (case when p.kind = 'store' then 6 else 60 end)))
      from parties p
      cross join (select l.gtin, row_number() over (order by pr.sku) as n from products pr
                  join packaging_levels l on l.tenant_id = pr.tenant_id and l.product_id = pr.id and l.level = 'unit'
                  where pr.tenant_id = ${tenant} and pr.status = 'active' order by pr.sku limit ${skus}) g
      cross join generate_series('2026-11-02'::date - ${historyDays}::int, '2026-11-01'::date, '1 day') d
      where p.tenant_id = ${tenant} and p.kind in ('distributor', 'store')`;
    await sql`analyze sell_through_daily`;
    const [{ n: rows } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from sell_through_daily`;
    emit('planning', 'sell_through_rows', rows, 'rows');
    emit('planning', 'setup_seconds', (performance.now() - started) / 1000, 's');

    const params = { all: true, serviceLevel: 0.95, horizonDays: 28, reviewDays: 7, historyDays, asOf: '2026-11-02' };
    for (const [forecaster, suffix] of [
      [sellThroughForecaster, ''],
      [modelForecaster, '_auto'],
    ] as const) {
      const job = planJob(forecaster, () => '2026-11-02');
      let reports = 0;
      const before = await sql<{ n: number }[]>`select count(*)::int as n from replenishment_plan_lines`;
      // the job runs in the server's process: how long its requests wait behind it (the event loop's delay meanwhile)
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      started = performance.now();
      const result = await job.run({ ...ctx, jobId: 0, signal: new AbortController().signal }, params, async () => {
        reports++;
      });
      const planSeconds = (performance.now() - started) / 1000;
      delay.disable();
      const [{ n: after } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from replenishment_plan_lines`;
      const lines = after - Number(before[0]?.n ?? 0);
      emit('planning', `plans${suffix}`, result.plans.length, 'plans');
      emit('planning', `plan_lines${suffix}`, lines, 'lines');
      emit('planning', `progress_reports${suffix}`, reports, 'reports');
      emit('planning', `plan_job${suffix}_seconds`, planSeconds, 's');
      emit('planning', `plan_lines${suffix}_per_s`, lines / planSeconds, 'lines/s');
      emit('planning', `plan_job${suffix}_event_loop_delay_p99_ms`, delay.percentile(99) / 1e6, 'ms');
      emit('planning', `plan_job${suffix}_event_loop_delay_max_ms`, delay.max / 1e6, 'ms');
    }
    const uses = await sql<{ model: string; fallback: string | null; n: number }[]>`
      select l.forecast_model as model, l.forecast_fallback as fallback, count(*)::int as n from replenishment_plan_lines l
      join replenishment_plans p on p.tenant_id = l.tenant_id and p.id = l.plan_id where p.forecaster = 'auto'
      group by 1, 2 order by 3 desc`;
    for (const u of uses) emit('planning', `auto_lines_${u.model}${u.fallback ? `_${u.fallback}` : ''}`, u.n, 'lines');

    // capacity: one factory row per SKU and week, then the report over the plans' 4 weeks
    await sql`
      insert into production_capacity (tenant_id, factory_party_id, week, item_kind, item, capacity, updated_by)
      select ${tenant}, (select id from parties where tenant_id = ${tenant} and kind = 'factory' order by id limit 1), w::date, 'sku', pr.sku,
        50000, 'bench'
      from (select sku from products where tenant_id = ${tenant} and status = 'active' order by sku limit ${skus}) pr
      cross join generate_series('2026-11-02'::date, '2026-11-23'::date, '7 days') w`;
    started = performance.now();
    const [capacity, demandLines] = await Promise.all([
      capacityIn(ctx, '2026-11-02', '2026-11-29'),
      planDemandLines(ctx, '2026-11-02', '2026-11-29'),
    ]);
    const report = capacityReport(capacity, demandByWeek(demandLines, '2026-11-02', '2026-11-29'));
    emit('planning', 'capacity_report_rows', report.length, 'rows');
    emit('planning', 'capacity_report_ms', performance.now() - started, 'ms');

    // the queue itself: trivial jobs, one runner
    const registry = new JobRegistry();
    registry.register({
      kind: 'bench.noop',
      access: 'plans:write',
      params: Type.Object({ i: Type.Integer() }),
      run: async (_c, p: { i: number }, progress) => {
        await progress(1, 1);
        return { i: p.i };
      },
    });
    const runner = new JobRunner(sql, registry, { pollMs: 50, progressMs: 0 });
    started = performance.now();
    for (let i = 0; i < jobsN; i++) await startJob(ctx, registry, { kind: 'bench.noop', params: { i } });
    const queued = (performance.now() - started) / 1000;
    started = performance.now();
    await runner.start();
    for (;;) {
      const [{ n } = { n: 0 }] = await sql<
        { n: number }[]
      >`select count(*)::int as n from jobs where kind = 'bench.noop' and status <> 'succeeded'`;
      if (!n) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ran = (performance.now() - started) / 1000;
    await runner.stop();
    emit('planning', 'jobs_started_per_s', jobsN / queued, 'jobs/s');
    emit('planning', 'jobs_run_per_s', jobsN / ran, 'jobs/s');
  } finally {
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
