/** `throughline planning backtest`: every forecasting model on an M5 folder, scored against the actuals; no database. */
import fs from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { BACKTEST_MODELS, type BacktestResult, runM5Backtest } from '../modules/planning/m5/backtest.ts';
import { M5InputError, readM5 } from '../modules/planning/m5/m5-data.ts';

const dayArg = (v: string) => {
  const m = /^(?:d_)?(\d{1,6})$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('a day of the data: d_N (or N)');
  return Number(m[1]);
};
const wholeArg = (v: string) => {
  if (!/^\d{1,6}$/.test(v.trim())) throw new InvalidArgumentError('a whole number');
  return Number(v);
};

/** The forecasts as CSV, `id,model,f1..fh`, one row per series and model. */
export function backtestCsv(r: BacktestResult): string {
  const head = ['id', 'model', ...Array.from({ length: r.horizon }, (_, i) => `f${i + 1}`)].join(',');
  const lines = [head];
  for (const row of r.rows) lines.push(`${row.id},${row.model},${row.forecast.map((v) => String(Math.round(v * 1e6) / 1e6)).join(',')}`);
  return `${lines.join('\n')}\n`;
}

function printScores(r: BacktestResult): void {
  const n = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '-');
  console.log(`days 1..${r.end} fitted, d_${r.end + 1}..d_${r.end + r.horizon} forecast and scored`);
  console.log(`${'model'.padEnd(28)}${'RMSSE L12 mean'.padStart(16)}${'RMSSE L12 weighted'.padStart(20)}${'WRMSSE L1-12'.padStart(14)}`);
  for (const s of r.scores)
    console.log(`${s.model.padEnd(28)}${n(s.meanRmsse).padStart(16)}${n(s.weightedRmsse).padStart(20)}${n(s.wrmsse12).padStart(14)}`);
  console.log(
    'RMSSE L12 mean: plain mean over the item x store series; weighted: M5 weights (dollar sales of the last 28 days), ' +
      'i.e. the level-12 WRMSSE; WRMSSE L1-12: the M5 score, bottom-up sums of the level-12 forecasts, levels weighted 1/12',
  );
  const chosen = Object.entries(r.chosen)
    .sort((a, b) => b[1] - a[1])
    .map(([m, k]) => `${m} ${k}`)
    .join(', ');
  console.log(`auto chose: ${chosen}`);
  if (r.neverSold > 0) console.log(`${r.neverSold} series had no sale up to d_${r.end}: forecast 0 by every model, not scored`);
  if (r.shortSeries > 0) console.log(`${r.shortSeries} series had too little history from their first sale: forecast their 28-day mean`);
  const unfitted = Object.entries(r.unfitted).map(([m, k]) => `${m} ${k}`);
  if (unfitted.length) console.log(`could not be fitted (forecast the 28-day mean instead): ${unfitted.join(', ')}`);
}

export function registerPlanningCommands(program: Command): void {
  const planning = program.command('planning').description('planning: demand forecasting');
  planning
    .command('backtest')
    .description(
      `fits every model (${BACKTEST_MODELS.join(', ')}) on each series of an M5 folder up to day --end, forecasts the next --horizon days, ` +
        'writes them as CSV (id,model,f1..fh) and prints the RMSSE per model against the actuals',
    )
    .requiredOption('--m5 <folder>', 'an M5 folder: sales_train_*.csv, calendar*.csv, sell_prices*.csv')
    .requiredOption('--end <day>', 'the last day of history, d_N', dayArg)
    .option('--horizon <days>', 'days to forecast', wholeArg, 28)
    .requiredOption('--out <file>', 'the CSV to write')
    .action((o: { m5: string; end: number; horizon: number; out: string }) => {
      const started = performance.now();
      try {
        const outDir = path.dirname(path.resolve(o.out));
        if (!fs.existsSync(outDir)) throw new M5InputError(`--out ${o.out}: the folder ${outDir} does not exist`);
        const data = readM5(o.m5);
        const r = runM5Backtest(data, o.end, o.horizon);
        // written whole or not at all
        const tmp = `${o.out}.${process.pid}.tmp`;
        try {
          fs.writeFileSync(tmp, backtestCsv(r));
          fs.renameSync(tmp, o.out);
        } catch (e) {
          fs.rmSync(tmp, { force: true });
          throw new M5InputError(`cannot write ${o.out}: ${(e as Error).message}`);
        }
        printScores(r);
        console.log(`wrote ${o.out}: ${r.rows.length.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (e) {
        if (!(e instanceof M5InputError)) throw e;
        console.error(`error: ${e.message}`);
        process.exitCode = 2;
      }
    });
}
