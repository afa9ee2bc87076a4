import { once } from 'node:events';
import net from 'node:net';
import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;

/** One pool per process; bigint columns come back as JS numbers (ids stay far below 2^53). */
export function createSql(url: string, opts: { max?: number; application?: string } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 20,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: opts.application ?? 'throughline' },
    types: {
      bigint: postgres.BigInt,
    },
    transform: { undefined: null },
    // postgres.js leaves Nagle's algorithm on: pipelined queries and COPY chunks then wait ~40 ms for the
    // peer's delayed ACK (measured: a one-row COPY took 44 ms). Our own socket sets TCP_NODELAY.
    socket: async (o: { host: string[]; port: number[]; path?: string }) => {
      const socket = o.path ? net.connect({ path: o.path }) : net.connect({ host: o.host[0], port: o.port[0] as number, noDelay: true });
      await once(socket, 'connect');
      return socket;
    },
  } as never) as unknown as Sql;
}
