import { type Config, loadConfig } from './config.ts';
import { openConnections, SERVER_IDLE_SECONDS } from './db/connection.ts';
import { type Database, openDatabase } from './db/database.ts';
import { queueDemoHistory } from './demo/history-job.ts';
import { type DemoCredentials, loadDemo } from './demo/load-demo.ts';
import { buildApp } from './http/app.ts';
import { loadMasterKey } from './modules/codes/keystore.ts';
import { warmUpResolver } from './modules/resolver/warm-up.ts';

export interface RunningServer {
  url: string;
  db: Database;
  demo: DemoCredentials | undefined;
  stop(): Promise<void>;
}

/** The server's pool (the claim batches' thread has 4 more of its own) */
const POOL_SIZE = 30;

/** Starts the whole product: database (embedded unless DATABASE_URL), migrations, demo data if empty, HTTP. */
export async function startServer(
  config: Config = loadConfig(),
  opts: {
    log?: (m: string) => void;
    demo?: boolean;
    demoStores?: number;
    /** play the demo brand's history in the background after a first start loaded it (default: on when the demo is) */
    demoHistory?: boolean;
    httpLogger?: boolean;
  } = {},
): Promise<RunningServer> {
  const log = opts.log ?? ((m: string) => console.log(m));
  // the server keeps its connections through quiet spells (ten minutes idle, not thirty seconds) and opens them at
  // start: a consumer's scan after a deploy or a quiet half-minute does not wait for the pool to connect
  const db = await openDatabase(config, { log, poolSize: POOL_SIZE, idleSeconds: SERVER_IDLE_SECONDS });
  let demo: DemoCredentials | undefined;
  try {
    const [t] = await db.sql<{ n: number }[]>`select count(*)::int as n from tenants`;
    if (opts.demo !== false && t?.n === 0) {
      log('empty database: loading the demo brand (one-time)…');
      const started = performance.now();
      demo = await loadDemo(db.sql, { stores: opts.demoStores, onStep: (s) => log(`  demo: ${s}`) });
      log(`demo brand loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const { app, jobs } = await buildApp({
      sql: db.sql,
      resolverHost: config.resolverHost,
      masterKey: loadMasterKey(config.dataDir),
      // claim batches on a thread of their own (incentives/claim-thread.ts)
      claimThread: { databaseUrl: db.url, connections: 4 },
      // JSON lines with the request id; redaction and masking are logging.ts's
      logger: opts.httpLogger ? { level: config.logLevel } : false,
      demoHistory: { databaseUrl: db.url },
    });
    await openConnections(db.sql, POOL_SIZE);
    await app.ready();
    const warmed = await warmUpResolver(app, db.sql, { connections: POOL_SIZE });
    if (warmed)
      log(
        `resolver page warmed up: ${warmed.requests} loads in ${Math.round(warmed.ms)} ms` +
          (warmed.failed ? ` (${warmed.failed} not answered 200: see the resolver)` : ''),
      );
    const address = await app.listen({ port: config.port, host: config.host });
    if (demo && opts.demoHistory !== false) {
      const job = await queueDemoHistory(db.sql, jobs.registry);
      log(
        `demo history: the last 182 days of a slice of the channel are played in the background (job #${job.id}, under 任务 / Jobs in the console)`,
      );
    }
    return {
      url: address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'),
      db,
      demo,
      stop: async () => {
        await app.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}
