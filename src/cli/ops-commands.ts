/** Operator commands: backup, restore, and rebuilding the ledger's projections. */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.ts';
import { writeBackup } from '../db/backup/backup.ts';
import { BackupFileError } from '../db/backup/frames.ts';
import { type IntegrityReport, integrityCheck } from '../db/backup/integrity.ts';
import { RestoreRefused, restoreBackup, verifyBackupFile } from '../db/backup/restore.ts';
import { openDatabase } from '../db/database.ts';
import { findTenantByCode } from '../modules/tenancy/index.ts';
import { PROJECTION_NAMES, PROJECTIONS, type ProjectionName, type RebuildResult, rebuildProjections } from '../modules/trace/rebuild.ts';

const log = (m: string) => console.error(m);
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const rate = (n: number, seconds: number) => Math.round(n / Math.max(seconds, 1e-3)).toLocaleString('en');

function bar(format: string) {
  // progress goes to stderr, and only to a terminal (a script's log gets the summary lines alone)
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, noTTYOutput: false, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
}

/** Prints a rebuild's comparison; true when every projection equals the ledger's. */
export function printProjections(r: RebuildResult, out: (m: string) => void = console.log): boolean {
  out(`replayed ${r.events.toLocaleString('en')} events of ${r.captures.toLocaleString('en')} captures in ${r.seconds.toFixed(1)} s`);
  for (const p of r.projections) {
    const state = p.differing ? `${p.differing} rows DIFFER from the ledger` : 'equal to the ledger';
    const fixed = p.deleted != null ? ` (repaired: ${p.deleted} rows removed, ${p.inserted} written)` : '';
    out(`  ${p.name.padEnd(24)} ${String(p.rows).padStart(10)} rows  ${state}${fixed}`);
    for (const s of p.samples) {
      out(`    ${JSON.stringify(s.key)}`);
      out(`      live:    ${s.live ? JSON.stringify(s.live) : '(missing)'}`);
      out(`      rebuilt: ${s.rebuilt ? JSON.stringify(s.rebuilt) : '(missing)'}`);
    }
  }
  return r.projections.every((p) => p.differing === 0 || p.deleted != null);
}

function printIntegrity(r: IntegrityReport): void {
  console.log('integrity check:');
  const wrong = r.counts.filter((c) => c.expected !== c.actual);
  if (!wrong.length) console.log(`  row counts: all ${r.counts.length} tables hold the rows the backup recorded`);
  for (const c of wrong) console.log(`  row counts: ${c.table} holds ${c.actual} rows, the backup recorded ${c.expected}`);
  console.log(
    r.audit.ok
      ? `  audit chain: intact, ${r.audit.checked} entries verified`
      : `  audit chain: BROKEN at tenant ${r.audit.brokenAt?.tenantId} seq ${r.audit.brokenAt?.seq} (${r.audit.brokenAt?.reason})`,
  );
  console.log('  projections rebuilt from the restored ledger:');
  printProjections(r.projections, (m) => console.log(`  ${m}`));
  console.log(r.ok ? 'integrity check passed' : 'integrity check FAILED');
}

async function checkFile(file: string): Promise<void> {
  try {
    const { header, trailer } = await verifyBackupFile(file);
    console.log(
      `${file} is sound: taken ${header.createdAt} at schema version ${header.schemaVersion}` +
        `${header.tenant ? ` for tenant ${header.tenant.code}` : ' (all tenants)'}; ${trailer.tables.length} tables, ` +
        `${trailer.rows.toLocaleString('en')} rows, every checksum matches`,
    );
    for (const t of trailer.tables)
      if (t.rows) console.log(`  ${t.name.padEnd(28)} ${String(t.rows).padStart(12)} rows  sha256 ${t.sha256}`);
  } catch (e) {
    if (!(e instanceof BackupFileError || e instanceof RestoreRefused)) throw e;
    console.error(`error: ${e.message}`);
    process.exitCode = 2;
  }
}

export function registerOpsCommands(program: Command): void {
  program
    .command('backup')
    .description('write a consistent online backup (all tenants, or one) while the server keeps serving')
    .requiredOption('--out <file>', 'the backup file to write (gzip)')
    .option('--tenant <code>', "only this tenant's rows (and the reference data a restore needs)")
    .option('--level <n>', 'gzip level 1 (fast, default) to 9 (small)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 9) throw new InvalidArgumentError('1 to 9');
      return n;
    })
    .action(async (o: { out: string; tenant?: string; level?: number }) => {
      const db = await openDatabase(loadConfig(), { log, migrate: false, attach: true, poolSize: 2 });
      const progress = bar('backup [{bar}] {percentage}% | {value}/{total} rows | {table} | {mb} MB');
      let startedBar = false;
      try {
        const r = await writeBackup(db.sql, o.out, {
          tenant: o.tenant,
          level: o.level,
          onProgress: (p) => {
            if (!startedBar) {
              progress.start(Math.max(p.estimate, 1), 0, { table: p.table, mb: '0' });
              startedBar = true;
            }
            if (p.rows > progress.getTotal()) progress.setTotal(p.rows);
            progress.update(p.rows, { table: p.table, mb: mb(p.bytes) });
          },
        });
        if (startedBar) {
          progress.setTotal(r.trailer.rows);
          progress.update(r.trailer.rows);
        }
        progress.stop();
        console.log(
          `backup written to ${o.out}: ${r.trailer.tables.length} tables, ${r.trailer.rows.toLocaleString('en')} rows, ` +
            `${mb(r.trailer.bytes)} MB of data in ${mb(r.fileBytes)} MB, ${r.seconds.toFixed(1)} s ` +
            `(${rate(r.trailer.rows, r.seconds)} rows/s); schema version ${r.header.schemaVersion}` +
            (r.header.tenant ? `, tenant ${r.header.tenant.code}` : ', all tenants'),
        );
      } finally {
        progress.stop();
        await db.close();
      }
    });
  program
    .command('restore')
    .description('restore a backup into an empty database, then check it (row counts, audit chain, projections)')
    .argument('<file>', 'a file written by `throughline backup`')
    .option('--check', 'only read the file through and check its checksums and manifest: no database is touched')
    .action(async (file: string, o: { check?: boolean }) => {
      if (o.check) return checkFile(file);
      const config = loadConfig();
      const db = await openDatabase(config, { log, migrate: false, attach: true });
      const progress = bar('restore [{bar}] {value} rows | {table} | {mb} MB');
      let rows = 0;
      let bytes = 0;
      let table = '';
      let before = { rows: 0, bytes: 0 };
      try {
        progress.start(0, 0, { table: '', mb: '0' });
        const r = await restoreBackup(db.sql, file, {
          log,
          onProgress: (p) => {
            if (p.table !== table) {
              before = { rows, bytes };
              table = p.table;
            }
            rows = before.rows + p.rows;
            bytes = before.bytes + p.bytes;
            progress.setTotal(Math.max(rows, 1));
            progress.update(rows, { table: p.table, mb: mb(bytes) });
          },
        });
        progress.stop();
        console.log(
          `restored ${file} (taken ${r.header.createdAt}${r.header.tenant ? `, tenant ${r.header.tenant.code}` : ''}): ` +
            `${r.trailer.tables.length} tables, ${r.trailer.rows.toLocaleString('en')} rows, ${mb(r.trailer.bytes)} MB ` +
            `in ${r.seconds.toFixed(1)} s (${rate(r.trailer.rows, r.seconds)} rows/s)` +
            (r.upgraded.length ? `; then upgraded with ${r.upgraded.join(', ')}` : ''),
        );
        const report = await integrityCheck(db.sql, db.url, r.trailer);
        printIntegrity(report);
        if (!report.ok) process.exitCode = 4;
      } catch (e) {
        progress.stop();
        if (!(e instanceof BackupFileError || e instanceof RestoreRefused)) throw e;
        console.error(`error: ${e.message}`);
        process.exitCode = e instanceof RestoreRefused ? 3 : 2;
      } finally {
        await db.close();
      }
    });

  const projections = program.command('projections').description("the ledger's projections: list, verify, rebuild");
  projections
    .command('list')
    .description('the projections kept from the EPCIS ledger')
    .action(() => {
      for (const n of PROJECTION_NAMES) console.log(`${n.padEnd(24)} ${PROJECTIONS[n].about}`);
    });
  const rebuild = async (names: ProjectionName[], o: { tenant?: string; apply: boolean; samples: number }) => {
    const db = await openDatabase(loadConfig(), { log, attach: true, poolSize: 2 });
    const progress = bar('replaying the ledger [{bar}] {percentage}% | {value}/{total} events');
    try {
      const tenant = o.tenant ? await findTenantByCode(db.sql, o.tenant) : undefined;
      if (o.tenant && !tenant) throw new Error(`no tenant ${o.tenant}`);
      progress.start(1, 0);
      const r = await rebuildProjections(db.url, {
        names,
        apply: o.apply,
        tenantId: tenant?.id,
        samples: o.samples,
        onProgress: (n, total) => {
          progress.setTotal(Math.max(total, 1));
          progress.update(n);
        },
      });
      progress.stop();
      if (!printProjections(r)) process.exitCode = 5;
    } finally {
      progress.stop();
      await db.close();
    }
  };
  const samples = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
    return n;
  };
  projections
    .command('verify')
    .description('rebuild every projection from the ledger into scratch tables and compare with the live ones')
    .option('--tenant <code>', 'only this tenant')
    .option('--samples <n>', 'differences to print per projection', samples, 5)
    .action((o: { tenant?: string; samples: number }) => rebuild(PROJECTION_NAMES, { ...o, apply: false }));
  projections
    .command('rebuild')
    .description('rebuild a projection from the ledger and replace the rows of the live one that differ (in one transaction)')
    .argument('<name>', `${PROJECTION_NAMES.join(' | ')} | all`)
    .option('--verify', 'only compare: change nothing')
    .option('--apply', 'replace the live rows (the default unless --verify)')
    .option('--tenant <code>', 'only this tenant')
    .option('--samples <n>', 'differences to print', samples, 5)
    .action((name: string, o: { verify?: boolean; apply?: boolean; tenant?: string; samples: number }) => {
      const names = name === 'all' ? PROJECTION_NAMES : [name as ProjectionName];
      if (!names.every((n) => PROJECTION_NAMES.includes(n)))
        throw new InvalidArgumentError(`no projection ${name}; there are ${PROJECTION_NAMES.join(', ')} (or all)`);
      return rebuild(names, { tenant: o.tenant, samples: o.samples, apply: o.apply ?? !o.verify });
    });
}
