/**
 * Backup and restore of a ledger, and what a backup costs the capture that goes on meanwhile:
 * - backup: rows/s and MB/s (COPY text read, and gzip file written) of `writeBackup` on a quiet database;
 * - capture over HTTP (documents of 100 commissioning events, CAPTURE_SENDERS senders) for as long as a backup
 *   takes, first alone, then while `throughline backup` runs in a process of its own: events/s and the ratio
 *   (the target: the backup costs capture less than half, so a ratio above 0.5);
 * - restore into an empty database: rows/s and MB/s, then the integrity check (projections rebuilt from the ledger).
 * Size: BACKUP_EVENTS events in the ledger before the measurements (default 200,000; two unit codes each), on the
 * demo brand with BACKUP_STORES stores (default 1,000; the full demo brand has 100,000). Progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writeBackup } from '../src/db/backup/backup.ts';
import { integrityCheck } from '../src/db/backup/integrity.ts';
import { restoreBackup } from '../src/db/backup/restore.ts';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { captureEvents, prepareEvents } from '../src/modules/trace/capture.ts';
import type { EpcisEvent } from '../src/modules/trace/event-facts.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const UNIT_GTIN = '06901234001013';
const EVENTS_PER_DOC = 100;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

let serial = 0;
let clock = Date.parse('2026-05-01T00:00:00Z');
/** A document of commissioning events, two new unit codes each. */
function events(factoryGln: string, n: number): EpcisEvent[] {
  return Array.from({ length: n }, () => {
    clock += 1000;
    return {
      type: 'ObjectEvent',
      eventTime: new Date(clock).toISOString(),
      eventTimeZoneOffset: '+08:00',
      epcList: [0, 1].map(() => `https://id.gs1.org/01/${UNIT_GTIN}/21/W${(serial++).toString(36).toUpperCase().padStart(8, '0')}`),
      action: 'ADD',
      bizStep: 'commissioning',
      bizLocation: { id: `https://id.gs1.org/414/${factoryGln}` },
      ilmd: { 'cbvmda:lotNumber': 'LBK' },
    };
  });
}

function doc(list: EpcisEvent[]): string {
  return JSON.stringify({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: list },
  });
}

export async function run(): Promise<void> {
  const total = Number(process.env.BACKUP_EVENTS ?? 200_000);
  const senders = Number(process.env.CAPTURE_SENDERS ?? 2);
  const db = await freshDatabase(await freePort());
  const target = await freshDatabase(await freePort());
  const { app } = await buildApp({ sql: db.sql, loginRateLimit: 1000, webhooks: { worker: false } });
  const file = path.join(db.dataDir, 'bench.tlb');
  try {
    await loadDemo(db.sql, { stores: Number(process.env.BACKUP_STORES ?? 1000) });
    const [tenant] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const [factory] = await db.sql<{ gln: string }[]>`select gln from parties where code = 'F01'`;
    const gln = factory?.gln as string;
    const fillStarted = performance.now();
    // the ledger to back up, captured in-process (the same transaction and projections as over HTTP), by two
    // writers at once so that one's hashing overlaps the other's database work
    let filled = 0;
    const writer = async () => {
      while (filled < total) {
        const n = Math.min(1000, total - filled);
        filled += n;
        await captureEvents(db.sql, Number(tenant?.id), 'bench', prepareEvents(events(gln, n), null), null);
        if (filled % 500_000 === 0) process.stderr.write(`ledger: ${filled} events, ${new Date().toISOString()}\n`);
      }
    };
    await Promise.all([writer(), writer()]);
    await db.sql`analyze`;
    await db.sql`checkpoint`;
    emit('backup', 'ledger_events', total, 'events');
    emit('backup', 'ledger_fill_seconds', (performance.now() - fillStarted) / 1000, 's');
    const [size] = await db.sql<{ mb: number }[]>`select pg_database_size(current_database()) / 1e6 as mb`;
    emit('backup', 'database_mb', Number(size?.mb), 'MB');

    const quiet = await writeBackup(db.sql, file);
    emit('backup', 'backup_rows', quiet.trailer.rows, 'rows');
    emit('backup', 'backup_rows_per_s', quiet.trailer.rows / quiet.seconds, 'rows/s');
    emit('backup', 'backup_data_mb_per_s', quiet.trailer.bytes / 1e6 / quiet.seconds, 'MB/s');
    emit('backup', 'backup_file_mb', quiet.fileBytes / 1e6, 'MB');
    emit('backup', 'backup_seconds', quiet.seconds, 's');

    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    /** Captures over HTTP until `until` settles (or for `seconds`); events per second. */
    const captureWhile = async (until: Promise<unknown>) => {
      let stop = false;
      let sent = 0;
      void until.finally(() => {
        stop = true;
      });
      const started = performance.now();
      const sender = async () => {
        while (!stop) {
          const r = await fetch(`${url}/epcis/capture`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' },
            body: doc(events(gln, EVENTS_PER_DOC)),
          });
          if (r.status !== 202) throw new Error(`capture ${r.status}: ${(await r.text()).slice(0, 300)}`);
          await r.arrayBuffer().catch(() => {});
          sent += EVENTS_PER_DOC;
        }
      };
      await Promise.all(Array.from({ length: senders }, sender));
      return sent / ((performance.now() - started) / 1000);
    };
    // the backup as an operator runs it: the CLI in a process of its own, beside the serving one
    const cliBackup = () =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const p = spawn(process.execPath, ['bin/throughline.js', 'backup', '--out', `${file}.live`], {
          env: { ...process.env, DATABASE_URL: db.url },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`backup exited ${code}`))));
      });
    const baseline = await captureWhile(new Promise((r) => setTimeout(r, Math.max(10, quiet.seconds * 1.5) * 1000)));
    let backupSeconds = 0;
    const during = await captureWhile(
      cliBackup().then((s) => {
        backupSeconds = s;
      }),
    );
    emit('backup', 'capture_events_per_s_alone', baseline, 'events/s');
    emit('backup', 'capture_events_per_s_during_backup', during, 'events/s');
    emit('backup', 'capture_ratio_during_backup', during / baseline, 'ratio');
    emit('backup', 'backup_seconds_during_capture', backupSeconds, 's');

    const restored = await restoreBackup(target.sql, file);
    emit('backup', 'restore_rows_per_s', restored.trailer.rows / restored.seconds, 'rows/s');
    emit('backup', 'restore_data_mb_per_s', restored.trailer.bytes / 1e6 / restored.seconds, 'MB/s');
    emit('backup', 'restore_seconds', restored.seconds, 's');
    const started = performance.now();
    const report = await integrityCheck(target.sql, target.url, restored.trailer);
    const checkSeconds = (performance.now() - started) / 1000;
    if (!report.ok) throw new Error('integrity check failed after the restore');
    emit('backup', 'integrity_check_seconds', checkSeconds, 's');
    emit('backup', 'rebuild_events_per_s', report.projections.events / report.projections.seconds, 'events/s');
  } finally {
    await app.close();
    fs.rmSync(file, { force: true });
    await target.close();
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
