/**
 * Monthly partitions of the ledger tables (epcis_events, event_epcs), created ahead of time at start-up.
 * Events dated outside the created months (old example documents, a device with a wrong clock) land in the
 * default partition; a month whose rows already sit in the default partition is left there (PostgreSQL refuses
 * to carve a partition out of a default that holds its rows) and reported.
 */
import type { Sql } from '../../db/connection.ts';

const TABLES = ['epcis_events', 'event_epcs'] as const;

function monthStart(d: Date, add: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1));
}

export async function ensureMonthlyPartitions(
  sql: Sql,
  opts: { now?: Date; monthsBack?: number; monthsAhead?: number; log?: (m: string) => void } = {},
) {
  const now = opts.now ?? new Date();
  const created: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('trace partitions'))`;
    for (let m = -(opts.monthsBack ?? 1); m <= (opts.monthsAhead ?? 3); m++) {
      const from = monthStart(now, m);
      const to = monthStart(now, m + 1);
      const suffix = `${from.getUTCFullYear()}${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
      for (const table of TABLES) {
        const name = `${table}_${suffix}`;
        const [exists] = await tx<{ ok: boolean }[]>`select to_regclass(${name}) is not null as ok`;
        if (exists?.ok) continue;
        try {
          await tx.savepoint((sp) =>
            sp.unsafe(`create table ${name} partition of ${table} for values from ('${from.toISOString()}') to ('${to.toISOString()}')`),
          );
          created.push(name);
        } catch (e) {
          opts.log?.(`partition ${name} not created: ${(e as Error).message}`);
        }
      }
    }
  });
  return created;
}
