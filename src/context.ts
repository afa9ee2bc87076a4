import type { Sql, Tx } from './db/connection.ts';
import type { Locale } from './http/messages.ts';
import type { Actor } from './modules/auth/actor.ts';

/** Passed first to every service call: who asks, in what language, from where, over which connection. */
export interface RequestContext {
  sql: Sql;
  actor: Actor;
  locale: Locale;
  ip: string | null;
  requestId: string | null;
}

export type Db = Sql | Tx;
