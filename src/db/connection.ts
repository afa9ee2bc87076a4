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
  }) as unknown as Sql;
}
