import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `throughline planning backtest` on the real M5 sample (280 item x store series). The automatic choice must beat
 * seasonal naive at the item x store level on 28-day windows anywhere in the data: the six --end days below were
 * fixed before any tuning (which used d_750, d_1350 and d_1700 only) and spread over the five years.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const M5 = path.resolve(repo, '../shared/data/m5-tiny');
const present = fs.existsSync(M5);
if (!present) console.warn(`planning-backtest-cli: ${M5} is not here; the backtest tests are skipped`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'planning-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repo, 'bin/throughline.js'), 'planning', 'backtest', ...args], { encoding: 'utf8' });
}

/** The printed table: model -> [mean RMSSE L12, weighted RMSSE L12, WRMSSE L1-12]. */
function scores(stdout: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of stdout.split('\n')) {
    const m = /^([a-z_]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$/.exec(line.trim());
    if (m) out.set(m[1]!, [Number(m[2]), Number(m[3]), Number(m[4])]);
  }
  return out;
}

const WINDOWS = [600, 900, 1200, 1500, 1800, 1885];

describe.skipIf(!present)('throughline planning backtest --m5 m5-tiny --horizon 28', () => {
  it('writes one row per series and model, id as in the data, f1..f28, and prints the RMSSE of each model', () => {
    const out = path.join(dir, 'd1885.csv');
    const r = cli('--m5', M5, '--horizon', '28', '--end', 'd_1885', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(['id', 'model', ...Array.from({ length: 28 }, (_, i) => `f${i + 1}`)].join(','));
    const rows = lines.slice(1).map((l) => l.split(','));
    const models = new Set(rows.map((c) => c[1]));
    expect([...models]).toEqual(
      expect.arrayContaining([
        'seasonal_naive',
        'auto',
        'ets_additive',
        'ets_multiplicative',
        'ets_damped',
        'croston',
        'sba',
        'tsb',
        'theta',
        'naive',
      ]),
    );
    expect(rows).toHaveLength(280 * models.size);
    expect(new Set(rows.map((c) => c[0]))).toContain('FOODS_1_033_CA_1_validation');
    for (const c of rows) {
      expect(c).toHaveLength(30);
      for (const v of c.slice(2)) expect(Number(v)).toBeGreaterThanOrEqual(0);
    }
    // seasonal naive repeats the last week of history: d_1879..d_1885 of the first series
    const sales = fs.readFileSync(path.join(M5, 'sales_train_validation_tiny.csv'), 'utf8').split('\n')[1]!.split(',');
    const lastWeek = sales.slice(6 + 1878, 6 + 1885);
    const sn = rows.find((c) => c[0] === sales[0] && c[1] === 'seasonal_naive')!;
    expect(sn.slice(2, 9)).toEqual(lastWeek);
    expect(sn.slice(9, 16)).toEqual(lastWeek);
    const s = scores(r.stdout);
    expect(s.size).toBe(models.size);
    expect(r.stdout).toMatch(/weighted/);
  });

  for (const end of WINDOWS)
    it(`auto beats seasonal naive at the item x store level on d_${end + 1}..d_${end + 28} (plain and weighted RMSSE)`, () => {
      const r = cli('--m5', M5, '--end', `d_${end}`, '--out', path.join(dir, `w${end}.csv`));
      expect(r.status, r.stderr).toBe(0);
      const s = scores(r.stdout);
      const [autoMean, autoWeighted] = s.get('auto')!;
      const [snMean, snWeighted] = s.get('seasonal_naive')!;
      expect(autoMean).toBeLessThan(snMean!);
      expect(autoWeighted).toBeLessThan(snWeighted!);
    });
});

describe.skipIf(!present)('bad input: a clear message, exit code 2, no file written', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown folder', ['--m5', path.join(dir, 'nowhere'), '--end', 'd_1000'], /cannot read the folder .*nowhere/],
    ['a folder without the sales file', ['--m5', 'CALENDAR_ONLY', '--end', 'd_1000'], /no sales_train\*\.csv/],
    ['--end after the data', ['--m5', M5, '--end', 'd_5000'], /--end must be a day of the data, d_1 \.\. d_1913/],
    ['--end too late to score the horizon', ['--m5', M5, '--end', 'd_1900'], /latest end with actuals to score against is d_1885/],
    ['--end too early', ['--m5', M5, '--end', 'd_30'], /at least 56 days of history/],
    ['a horizon of 0', ['--m5', M5, '--end', 'd_1000', '--horizon', '0'], /--horizon must be a whole number from 1 to 365/],
    ['a horizon over a year', ['--m5', M5, '--end', 'd_1000', '--horizon', '400'], /--horizon must be a whole number from 1 to 365/],
  ];
  for (const [what, args, message] of cases)
    it(what, () => {
      const only = path.join(dir, 'calendar-only');
      fs.mkdirSync(only, { recursive: true });
      fs.copyFileSync(path.join(M5, 'calendar_d1_d1913.csv'), path.join(only, 'calendar_d1_d1913.csv'));
      const out = path.join(dir, `bad-${what.replace(/\W+/g, '-')}.csv`);
      const r = cli(...args.map((a) => (a === 'CALENDAR_ONLY' ? only : a)), '--out', out);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  it('a day that is not d_N is refused by the argument parser', () => {
    const out = path.join(dir, 'bad-day.csv');
    const r = cli('--m5', M5, '--end', 'yesterday', '--out', out);
    expect(r.stderr).toMatch(/a day of the data: d_N/);
    expect(r.status).not.toBe(0);
    expect(fs.existsSync(out)).toBe(false);
  });
});
