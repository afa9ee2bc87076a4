/** `throughline simulate`: the channel simulator from the command line (prints the side-by-side table, writes JSON). */
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { message } from '../http/messages.ts';
import { buildParams, formatTable, type SimulationRequest, simulate } from '../modules/planning/simulator/index.ts';

/** A number as typed (a fraction or a word stays what it is, for the checks to name). */
const num = (v: string): number => (v.trim() === '' ? Number.NaN : Number(v));
const FLAG: Record<string, string> = {
  days: '--days',
  distributors: '--distributors',
  stores: '--stores',
  skus: '--skus',
  seed: '--seed',
  policy: '--policy',
  mode: '--mode',
  serviceLevel: '--service-level',
  storeLeadDays: '--store-lead-days',
  distributorLeadDays: '--distributor-lead-days',
};

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'play consumer demand (M5 patterns) through stores, distributors and the brand under an ordering policy, and report ' +
        'stock turns, fill rate, stock-out rate, order cycle time and stock per level, policies side by side',
    )
    .option('--days <n>', 'days to simulate (1-3650)', num, 365)
    .option('--policy <name>', 'baseline | throughline | both', 'both')
    .option('--distributors <n>', 'distributors (1-500)', num)
    .option('--stores <n>', 'stores (1-100000; product mode up to 5000)', num)
    .option('--skus <n>', 'SKUs (1-200)', num)
    .option('--seed <n>', 'seed of the demand draw', num)
    .option(
      '--mode <mode>',
      'fast (in memory) | product (through the real product: orders, shipments, receipts and sales as scans)',
      'fast',
    )
    .option('--service-level <p>', 'the throughline policy’s service level (0.5-0.9999)', num)
    .option('--store-lead-days <n>', 'days from a store’s order to its receipt, both policies', num)
    .option('--distributor-lead-days <n>', 'days from a distributor’s order to its receipt, both policies', num)
    .option('--out <file>', 'write the full result (with the daily series) as JSON')
    .option('--quiet', 'no progress bar')
    .action(async (o: SimulationRequest & { out?: string; quiet?: boolean }) => {
      const req: SimulationRequest = {};
      for (const k of Object.keys(FLAG) as (keyof SimulationRequest)[]) if (o[k] !== undefined) (req as Record<string, unknown>)[k] = o[k];
      const built = buildParams(req);
      if (!built.ok) {
        for (const e of built.errors) {
          const flag = FLAG[e.pointer.slice(1)] ?? e.pointer;
          console.error(`error: ${flag}: ${message(e.code, 'en', e.params)} [${e.code}]`);
        }
        console.error('nothing was run');
        process.exitCode = 2;
        return;
      }
      const p = built.params;
      const bar = o.quiet
        ? null
        : new cliProgress.SingleBar(
            { format: 'simulate [{bar}] {percentage}% day {value}/{total}', stream: process.stderr },
            cliProgress.Presets.shades_classic,
          );
      bar?.start(p.days * p.policies.length, 0);
      const result = await simulate(p, { onProgress: (d) => bar?.update(d), yieldEvery: 30 }).finally(() => bar?.stop());
      console.log(
        `${p.mode} mode: ${p.days} days, ${p.distributors} distributors, ${p.stores} stores, ${p.skus} SKUs, seed ${p.seed}; ` +
          `demand from ${result.demandSource === 'm5-tiny' ? 'M5 series (../shared/data/m5-tiny)' : 'the seeded generator (../shared/data/m5-tiny not found)'}; ` +
          `${(result.elapsedMs / 1000).toFixed(1)} s`,
      );
      console.log(formatTable(result));
      if (o.out) {
        fs.writeFileSync(o.out, JSON.stringify(result));
        console.log(`wrote ${o.out}`);
      }
    });
}
