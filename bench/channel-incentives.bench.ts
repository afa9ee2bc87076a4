/**
 * Channel incentives: (1) BENCH_CLAIMS (default 1,000) simultaneous payouts, each its own transaction through the
 * pool, against a program whose budget covers BENCH_BUDGET_UNITS (default 100): how many were paid (must be exactly
 * the budget) and how long the race took; (2) the fraud check of a consumer claim (assessConsumerClaim), the part of
 * the consumer hot path it adds, over BENCH_ASSESS (default 2,000) claims on a table of BENCH_SCANS (default 100,000)
 * consumer scans: p50 and p99 in ms.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Tx } from '../src/db/connection.ts';
import { loadDemo } from '../src/demo/load-demo.ts';
import { payClaims } from '../src/modules/incentives/channel/payouts.ts';
import { assessConsumerClaim } from '../src/modules/incentives/fraud/assess.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const BENCH = 'channel-incentives';

export async function run(): Promise<void> {
  const claims = Number(process.env.BENCH_CLAIMS ?? 1000);
  const budgetUnits = Number(process.env.BENCH_BUDGET_UNITS ?? 100);
  const assessN = Number(process.env.BENCH_ASSESS ?? 2000);
  const scans = Number(process.env.BENCH_SCANS ?? 100_000);
  const db = await freshDatabase(54376);
  try {
    await loadDemo(db.sql, { stores: 200 });
    const sql = db.sql;
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenantId = Number(t?.id);
    const [store] = await sql<
      { id: string }[]
    >`select id::text from parties where tenant_id = ${tenantId} and kind = 'store' order by id limit 1`;
    const [p] = await sql<{ id: string }[]>`
      insert into channel_programs (tenant_id, name, kind, status, starts_at, amount_fen, total_budget_fen, created_by)
      values (${tenantId}, 'bench', 'open_case', 'active', now(), 100, ${budgetUnits * 100}, 'bench') returning id::text`;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: claims }, (_, k) =>
        sql.begin((tx) =>
          payClaims(
            tx as unknown as Tx,
            tenantId,
            [
              {
                programId: Number(p?.id),
                kind: 'open_case',
                epc: `urn:bench:${k}`,
                day: '2026-06-01',
                source: 'bench',
                payees: [{ role: 'store', partyId: Number(store?.id), units: 1, amountFen: 100 }],
              },
            ],
            'bench',
          ),
        ),
      ),
    );
    const elapsed = performance.now() - started;
    emit(BENCH, `claims_${claims}_budget_${budgetUnits}_paid`, results.flat().filter((r) => r.paid).length, 'payouts');
    emit(BENCH, 'claim_race_duration', elapsed, 'ms');

    // consumer scans spread over 20,000 codes, 5,000 devices and 2,000 addresses
    await sql`
      insert into consumer_scans (tenant_id, epc, verdict, ip_hash, device_id, region_code, scanned_at)
      select ${tenantId}, 'urn:bench:code:' || (i % 20000), 'genuine_repeat', decode(md5((i % 2000)::text), 'hex'),
        md5('d' || (i % 5000))::uuid, '110105', now() - (i % 600) * interval '1 second'
      from generate_series(1, ${scans}) i`;
    await sql`analyze consumer_scans`;
    const times: number[] = [];
    for (let k = 0; k < assessN; k++) {
      const c = {
        tenantId,
        epc: `urn:bench:code:${k % 20000}`,
        deviceId: k % 2 ? randomUUID() : '00000000-0000-4000-8000-000000000000',
        ipHash: randomBytes(16),
        regionCode: '110105',
        lat: null,
        lng: null,
      };
      const s = performance.now();
      await sql.begin((tx) => assessConsumerClaim(tx as unknown as Tx, c));
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    emit(BENCH, 'assess_claim_p50', times[Math.floor(times.length * 0.5)] as number, 'ms');
    emit(BENCH, 'assess_claim_p99', times[Math.floor(times.length * 0.99)] as number, 'ms');
  } finally {
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
