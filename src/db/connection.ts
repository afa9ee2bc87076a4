import net from 'node:net';
import postgres from 'postgres';
import { PoolObserver } from './statement-observer.ts';

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;

const observers = new WeakMap<object, PoolObserver>();

/** The statement timings and connection counts of a pool made by `createSql` (undefined for any other). */
export function observerOf(sql: Sql): PoolObserver | undefined {
  return observers.get(sql);
}

/**
 * How long a connection waits before it tries again after a failed or lost connection: postgres.js's default
 * grows to 20 s, so a pool that failed a few times during a database restart stayed away for up to 20 s after
 * the database was back. Here it is at most 1 s (the availability probe keeps requests off a database that is down).
 */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}

/**
 * The writes a connection gets in one turn of the event loop leave as one `writev`. postgres.js gathers messages
 * under 1 KB until setImmediate, but writes each larger one at once, and a pipelined group of statements with arrays
 * of codes (a batch of claims: 2-3 KB each) went out as one write each. On loopback a write runs the receiving side's
 * TCP work too: 19 % of Node's busy time went to writes during the claims benchmark (docs/BENCHMARKS.md, claims).
 * Corked until setImmediate, which is when postgres.js flushes its own small messages anyway.
 */
function coalesceWrites(socket: net.Socket): void {
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(socket, args);
  }) as typeof socket.write;
}

/**
 * A Unix socket's directory given the libpq way, `postgres://user:pass@localhost:5432/db?host=/run/postgresql`
 * (postgres.js reads `host` only from the URL's host part), as the embedded server's URL does.
 */
export function socketDirectoryOf(url: string): { url: string; host?: string } {
  const u = new URL(url);
  const dir = u.searchParams.get('host');
  if (!dir?.startsWith('/')) return { url };
  u.searchParams.delete('host');
  return { url: u.toString(), host: dir };
}

/** How long the server's pools keep an idle connection (server.ts, the claim thread): through a quiet spell. */
export const SERVER_IDLE_SECONDS = 600;

/**
 * One pool per process; bigint columns come back as JS numbers (ids stay far below 2^53). A connection idle for
 * `idleSeconds` (default 30) is closed; the server's pools keep theirs SERVER_IDLE_SECONDS.
 */
export function createSql(databaseUrl: string, opts: { max?: number; application?: string; idleSeconds?: number } = {}): Sql {
  const max = opts.max ?? 20;
  const observer = new PoolObserver(max);
  const { url, host } = socketDirectoryOf(databaseUrl);
  const sql = postgres(url, {
    ...(host ? { host } : {}),
    max,
    idle_timeout: opts.idleSeconds ?? 30,
    connect_timeout: 10,
    backoff: reconnectDelaySeconds,
    onnotice: () => {},
    connection: { application_name: opts.application ?? 'throughline' },
    types: {
      bigint: postgres.BigInt,
    },
    transform: { undefined: null },
    // postgres.js leaves Nagle's algorithm on: pipelined queries and COPY chunks then wait ~40 ms for the
    // peer's delayed ACK (measured: a one-row COPY took 44 ms). Our own socket sets TCP_NODELAY.
    // The socket is handed over while it is still connecting: postgres.js then sees a refused or failed
    // connection as the socket's 'error' and 'close' and returns the connection to the pool. (Awaiting
    // 'connect' here and rejecting made postgres.js drop the connection from the pool for good: after `max`
    // refused attempts during a database outage every query waited forever, and the pool never recovered.)
    socket: (o: { host: string[]; port: number[]; path?: string }) => {
      const socket = o.path ? net.connect({ path: o.path }) : net.connect({ host: o.host[0], port: o.port[0] as number, noDelay: true });
      // postgres.js adds its own listener before the connection can fail; this one only keeps an early failure from being thrown
      socket.on('error', () => {});
      observer.attach(socket);
      coalesceWrites(socket);
      return socket;
    },
  } as never) as unknown as Sql;
  observers.set(sql, observer);
  return sql;
}

/**
 * Opens `n` of the pool's connections now rather than when a burst of requests first needs them. Each new connection
 * authenticates (SCRAM, on both sides) before its first statement: 20 first page loads at once on a cold pool took
 * 420 ms each, 210 ms with the connections already open (docs/BENCHMARKS.md, resolver page, ninth session).
 */
export async function openConnections(sql: Sql, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => sql`select 1`));
}
