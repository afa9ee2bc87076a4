/**
 * Consumer claims of campaign rewards (`POST /01/{gtin}/21/{serial}/claim`): the hidden-code check under its throttle,
 * the consumer of the device cookie, the campaign's rules and the reward decision with its budget, in one request.
 * 1. The budget race: BENCH_RACE (default 1,000) claims of different codes sent at the same instant against a campaign
 *    of 100 prizes: `awarded` must be exactly 100 (and the ledger and points agree).
 * 2. Throughput and latency at BENCH_CONNECTIONS (default 100) connections, autocannon in its own process, each claim a
 *    different code from a different phone, against a lottery with a budget that does not run out; and in the same run
 *    the reference "Fastify plus one point query" on code_state (as in consumer-scan).
 * 3. The figure the issue names, "2,500 claims/s with p99 under 50 ms", as an open loop: claims sent on schedule at
 *    BENCH_RATE (default 2,500) a second over at most 400 connections (bench/clients/campaign-claims-paced.ts), each
 *    latency counted from the moment the claim was due. A closed loop of 100 connections cannot show it: at 2,500/s
 *    its mean latency is 100 / 2,500 s = 40 ms by Little's law, whatever the server does.
 * 4. The same aim scaled to the machine as the issue puts it ("half of that ceiling measured in the same run"): claims
 *    paced at half the point-query reference of phase 2 (`paced-half`; this machine's speed moves by 1.6x from one run
 *    to the next).
 * BENCH_SECONDS (default 10) per phase, BENCH_CODES (default 20,000) codes for phase 2, BENCH_PHASES (default
 * point,claim,paced,paced-half) the phases of 2, 3 and 4 to run; BENCH_STATEMENTS=1 prints where the claim phases' database time
 * went, per statement.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { observerOf, type Sql } from '../src/db/connection.ts';
import { projectAll } from '../src/modules/analytics/projector.ts';
import { Keystore } from '../src/modules/codes/keystore.ts';
import { serialsFor } from '../src/modules/codes/serials.ts';
import { verificationCodeFor } from '../src/modules/codes/verification.ts';
import { commissionedUnits, consumerBench, loadFrom, UNIT } from './consumer-fixture.ts';
import { emit, isMain, resetServerStatements, serverStatements } from './support.ts';

const B = 'campaign-claims';

/** BENCH_STATEMENTS=1: where a phase's database time went, per statement (count, total and mean ms), on stderr. */
function statementTotals(sql: Sql): () => void {
  const totals = new Map<string, { n: number; ms: number }>();
  const off = observerOf(sql)?.onStatement((t) => {
    const e = totals.get(t.statement) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += t.ms;
    totals.set(t.statement, e);
  });
  return () => {
    off?.();
    for (const [statement, e] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
      console.error(`${e.n}\t${Math.round(e.ms)}\t${(e.ms / e.n).toFixed(2)}\t${statement.slice(0, 160)}`);
    }
  };
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const race = Number(process.env.BENCH_RACE ?? 1000);
  const codes = Number(process.env.BENCH_CODES ?? 20_000);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
  const rate = Number(process.env.BENCH_RATE ?? 2500);
  const phases = (process.env.BENCH_PHASES ?? 'point,claim,paced,paced-half').split(',');
  const pacedCodes = Math.round(rate * (seconds + 4));
  // half the reference can be up to ~5,000/s on this machine on a fast run
  const halfCodes = phases.includes('paced-half') ? Math.round(5_000 * (seconds + 4)) : 0;
  const masterKey = randomBytes(32);
  const bench = await consumerBench({ stores: 100, masterKey });
  const { db, url, login, post } = bench;
  const claimsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-claims-'));
  const claimsFile = path.join(claimsDir, 'claims.txt');
  const pacedFile = path.join(claimsDir, 'paced.txt');
  const halfFile = path.join(claimsDir, 'paced-half.txt');
  try {
    const admin = await login('admin', 'Admin#2026');
    const total = race + codes + (phases.includes('paced') ? pacedCodes : 0) + halfCodes;
    const batch = await commissionedUnits(bench, total);
    const [t] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const keys = await new Keystore(masterKey).keyring(db.sql, Number(t?.id));
    const serials = serialsFor(keys, { gtin: UNIT, keyVersion: batch.keyVersion as number, batchNo: batch.batchNo as number }, 0, total);
    const claimOf = (s: string) => ({ path: `/01/${UNIT}/21/${s}`, code: verificationCodeFor(keys, UNIT, s) as string });
    // a consumer claims from the page the scan opened: each code was scanned (its page recorded) a minute before its
    // claim, as the resolver records it, and the facts of those scans are projected before the clock starts
    await db.sql`
      insert into consumer_scans (tenant_id, epc, verdict, ip_hash, device_id, scanned_at)
      select tenant_id, epc, 'genuine_first', decode(md5(epc), 'hex'), gen_random_uuid(), now() - interval '1 minute'
      from code_state where tenant_id = ${Number(t?.id)} and gtin = ${UNIT}`;
    await projectAll(db.sql);
    await db.sql`analyze`;
    const campaign = async (body: Record<string, unknown>) => {
      await db.sql`update campaigns set status = 'ended' where status = 'active'`;
      const c = await post(admin, '/api/v1/campaigns', {
        name: `bench ${randomUUID().slice(0, 6)}`,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 86400_000).toISOString(),
        ...body,
      });
      await post(admin, `/api/v1/campaigns/${c.id}/status`, { status: 'active' });
      return c.id as number;
    };

    // 1. the budget race
    const raceId = await campaign({ reward: { type: 'points', points: 10 }, limits: { prizesTotal: 100 } });
    const started = performance.now();
    const answers = await Promise.all(
      serials.slice(0, race).map(async (s, n) => {
        const c = claimOf(s);
        const r = await fetch(`${url}${c.path}/claim`, {
          method: 'POST',
          // a thousand phones: each its own device and address (the fraud rules count bursts per address)
          headers: {
            'content-type': 'application/json',
            cookie: `tl_device=${randomUUID()}`,
            'x-forwarded-for': `172.16.${n >> 8}.${n & 255}`,
          },
          body: JSON.stringify({ code: c.code }),
        });
        const body = (await r.json()) as { results?: { outcome: string }[] };
        return r.status === 200 ? (body.results?.[0]?.outcome ?? 'none') : `http_${r.status}`;
      }),
    );
    const raceMs = performance.now() - started;
    const [ledger] = await db.sql<{ n: number }[]>`select count(*)::int as n from campaign_rewards where campaign_id = ${raceId}`;
    const [points] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from points_entries where source like ${`campaign:${raceId}:%`}`;
    emit(B, 'race_claims', race, 'claims');
    emit(B, 'race_prizes_budget', 100, 'prizes');
    emit(B, 'awarded', answers.filter((a) => a === 'won').length, 'prizes');
    emit(B, 'budget_exhausted_answers', answers.filter((a) => a === 'budget_exhausted').length, 'claims');
    emit(B, 'other_answers', answers.filter((a) => a !== 'won' && a !== 'budget_exhausted').length, 'claims');
    emit(B, 'ledger_rows', ledger?.n ?? 0, 'rows');
    emit(B, 'points_entries', points?.n ?? 0, 'rows');
    emit(B, 'race_duration_ms', raceMs, 'ms');

    // 2. throughput and latency: a lottery whose prizes do not run out in the run (half the draws win)
    await campaign({ reward: { type: 'lottery', tiers: [{ name: '红包', amountFen: 100, probability: 0.5, count: 10_000_000 }] } });
    const claimLines = (from: number, to: number) =>
      serials
        .slice(from, to)
        .map((s) => {
          const c = claimOf(s);
          return `${c.path}\t${c.code}`;
        })
        .join('\n');
    fs.writeFileSync(claimsFile, claimLines(race, race + codes));
    const pacedEnd = race + codes + (phases.includes('paced') ? pacedCodes : 0);
    if (phases.includes('paced')) fs.writeFileSync(pacedFile, claimLines(race + codes, pacedEnd));
    if (halfCodes) fs.writeFileSync(halfFile, claimLines(pacedEnd, total));
    let halfRate = 0;
    const clients = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients');
    const load = (mode: string) =>
      loadFrom<{ rps: number; p50: number; p99: number; non2xx: number; requests: number; max?: number }>(
        ...((mode === 'paced' || mode === 'paced-half'
          ? [
              path.join(clients, 'campaign-claims-paced.ts'),
              [url, String(seconds), '400', mode === 'paced' ? pacedFile : halfFile, String(mode === 'paced' ? rate : halfRate)],
            ]
          : [path.join(clients, 'campaign-claims-load.ts'), [url, mode, String(seconds), String(connections), claimsFile]]) as [
          string,
          string[],
        ]),
      );
    emit(B, 'connections', connections, 'connections');
    emit(B, 'paced_rate', rate, 'claims/s');
    for (const mode of phases) {
      if (mode === 'paced-half') {
        if (!halfRate) throw new Error('paced-half needs the point phase before it (BENCH_PHASES)');
        emit(B, 'paced_half_rate', halfRate, 'claims/s');
      }
      const stop = process.env.BENCH_STATEMENTS && mode !== 'point' ? statementTotals(db.sql) : null;
      const pgss = process.env.BENCH_PGSS && mode !== 'point';
      if (pgss) await resetServerStatements(db.sql);
      const r = await load(mode);
      stop?.();
      if (mode === 'point') halfRate = Math.min(5_000, Math.round(r.rps / 2));
      if (pgss) {
        console.error('--- inside the server: calls, total ms, mean ms, rows, statement');
        for (const x of await serverStatements(db.sql)) {
          console.error(`${x.calls}\t${Math.round(x.totalMs)}\t${x.meanMs.toFixed(3)}\t${x.rows}\t${x.query.slice(0, 150)}`);
        }
      }
      const m = mode.replace('-', '_');
      emit(B, `${m}_requests_per_s`, r.rps, 'req/s');
      emit(B, `${m}_latency_p50_ms`, r.p50, 'ms');
      emit(B, `${m}_latency_p99_ms`, r.p99, 'ms');
      if (r.max !== undefined) emit(B, `${m}_latency_max_ms`, r.max, 'ms');
      emit(B, `${m}_non_2xx`, r.non2xx, 'responses');
      if (mode === 'claim') emit(B, 'claim_codes_reused', Math.max(0, r.requests - codes), 'claims');
    }
    const [won] = await db.sql<{ n: number; none: number }[]>`
      select count(*) filter (where kind <> 'none')::int as n, count(*) filter (where kind = 'none')::int as none
      from campaign_rewards where campaign_id <> ${raceId}`;
    emit(B, 'lottery_prizes', won?.n ?? 0, 'prizes');
    emit(B, 'lottery_no_prize', won?.none ?? 0, 'draws');
  } finally {
    await bench.close();
    fs.rmSync(claimsDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
