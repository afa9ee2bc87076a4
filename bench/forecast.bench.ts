/**
 * Forecasting 10,000 daily series of two years each with model choice by rolling-origin backtest (issue 6: under 60 s
 * on the 2-core machine). The series are 730-day windows of the 280 real M5 item x store series (../shared/data/m5-tiny)
 * at seeded random offsets, each scaled by a random factor from 0.5 to 3 and rounded, so they look like consumer-goods
 * demand (51% zero days, weekly patterns, launches, stock-outs); without ../shared, a seeded synthetic set (Poisson
 * demand with a weekly pattern and random intermittency) stands in, and the output says so.
 * FORECAST_SERIES (default 10000), FORECAST_DAYS (730), FORECAST_WORKERS (default: one per core).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forecastBatch, MODEL_NAMES, packSeries } from '../src/modules/planning/forecast/index.ts';
import { readM5 } from '../src/modules/planning/m5/m5-data.ts';
import { emit, isMain } from './support.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const M5 = path.resolve(repo, '../shared/data/m5-tiny');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fromM5(count: number, days: number, rand: () => number): Float64Array[] {
  const d = readM5(M5);
  const total = d.days.length;
  return Array.from({ length: count }, (_, k) => {
    const src = d.units[k % d.units.length]!;
    let first = 0;
    while (first < total && src[first] === 0) first++;
    const lo = Math.min(first, total - days);
    const start = lo + Math.floor(rand() * (total - days - lo + 1));
    const factor = 0.5 + 2.5 * rand();
    const y = new Float64Array(days);
    for (let t = 0; t < days; t++) y[t] = Math.round(src[start + t]! * factor);
    return y;
  });
}

function synthetic(count: number, days: number, rand: () => number): Float64Array[] {
  const poisson = (lambda: number) => {
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= rand();
    } while (p > l);
    return k - 1;
  };
  return Array.from({ length: count }, () => {
    const base = 0.2 + 8 * rand() ** 2;
    const week = Array.from({ length: 7 }, () => 0.7 + 0.6 * rand());
    const sells = 0.3 + 0.7 * rand();
    return Float64Array.from({ length: days }, (_, t) => (rand() < sells ? poisson(base * week[t % 7]!) : 0));
  });
}

export async function run(): Promise<void> {
  const count = Number(process.env.FORECAST_SERIES ?? 10_000);
  const days = Number(process.env.FORECAST_DAYS ?? 730);
  const workers = Number(process.env.FORECAST_WORKERS ?? os.availableParallelism());
  const rand = rng(20261203);
  const real = fs.existsSync(M5);
  if (!real) console.log(JSON.stringify({ bench: 'forecast', note: `no ${M5}: a seeded synthetic set stands in` }));
  const series = real ? fromM5(count, days, rand) : synthetic(count, days, rand);
  const input = packSeries(series);
  const started = performance.now();
  const r = await forecastBatch(input, { horizon: 28, seasonLength: 7 }, { workers });
  const seconds = (performance.now() - started) / 1000;
  const chosen: Record<string, number> = {};
  for (let i = 0; i < r.count; i++) {
    const m = r.model[i]! >= 0 ? MODEL_NAMES[r.model[i]!]! : 'none';
    chosen[m] = (chosen[m] ?? 0) + 1;
  }
  console.log(JSON.stringify({ bench: 'forecast', data: real ? 'm5-tiny windows' : 'synthetic', series: count, days, workers, chosen }));
  emit('forecast', 'series', count, 'series');
  emit('forecast', 'seconds', seconds, 's');
  emit('forecast', 'series_per_s', count / seconds, 'series/s');
  emit('forecast', 'too_little_history', r.failures.size, 'series');
}

if (isMain(import.meta.url)) await run();
