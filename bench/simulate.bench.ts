/**
 * The channel simulator's two targets: a year of the full 500-distributor, 100,000-store channel in the fast mode,
 * and a year of a 50-distributor, 5,000-store channel through the real product (product mode), each under 10
 * minutes on the 2-core machine. Both policies are played (the figure is for both together, and per policy).
 * SIM_SCALE (default 1) shrinks both channels (stores and distributors) for a quick check, e.g. SIM_SCALE=0.01;
 * SIM_MODES=fast or SIM_MODES=product runs one of them; SIM_SKUS sets the SKUs (default 20); SIM_DAYS the days;
 * SIM_POLICY=baseline|throughline plays one policy (default both).
 */
import { buildParams, simulateFast } from '../src/modules/planning/simulator/index.ts';
import { simulateProduct } from '../src/modules/planning/simulator/product.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const scale = Number(process.env.SIM_SCALE ?? 1);
const modes = (process.env.SIM_MODES ?? 'fast,product').split(',');
const skus = Number(process.env.SIM_SKUS ?? 20);
const days = Number(process.env.SIM_DAYS ?? 365);
const policy = (process.env.SIM_POLICY ?? 'both') as 'baseline' | 'throughline' | 'both';

const SIZES = {
  fast: { distributors: 500, stores: 100_000 },
  product: { distributors: 50, stores: 5_000 },
} as const;

export async function run(): Promise<void> {
  for (const mode of modes as ('fast' | 'product')[]) {
    const size = SIZES[mode];
    const distributors = Math.max(1, Math.round(size.distributors * scale));
    const stores = Math.max(distributors, Math.round(size.stores * scale));
    const built = buildParams({ mode, days, distributors, stores, skus, policy, seed: 1 });
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bench = `simulate-${mode}`;
    const started = performance.now();
    const db = mode === 'product' ? await freshDatabase(Number(process.env.SIM_PG_PORT ?? 54398)) : null;
    const result = db
      ? await simulateProduct(db.sql, built.params).finally(() => db.close())
      : await simulateFast(built.params, { yieldEvery: 1_000_000 });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        bench,
        channel: { days, distributors, stores, skus, policy },
        load: (await import('node:os')).loadavg().map((x) => x.toFixed(2)),
      }),
    );
    emit(bench, policy === 'both' ? 'seconds for both policies' : `seconds for ${policy}`, seconds, 's');
    emit(bench, 'store x SKU x days per second', (stores * skus * days * 2) / seconds, '1/s');
    if ('product' in result) console.log(JSON.stringify({ bench, product: result.product }));
    for (const p of result.policies) {
      emit(bench, `${p.policy}: stock turns`, p.stockTurns ?? 0, '/year');
      emit(bench, `${p.policy}: stock-out rate`, p.stockOutRate * 100, '%');
      emit(bench, `${p.policy}: fill rate`, p.fillRate * 100, '%');
      emit(bench, `${p.policy}: order cycle`, p.orderCycleDays ?? 0, 'days');
    }
  }
}

if (isMain(import.meta.url)) await run();
