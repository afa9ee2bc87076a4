/**
 * Keeps the planner's statistics of tables that grow fast from nothing (a new database, a brand's first day) close to
 * their size, until they are large enough for autovacuum's own pace.
 *
 * A table analyzed while it held no rows looks to the planner as if any key matched about one row, so an index that
 * narrows by the tenant alone costs the same as the primary key, and the tie can go to the former: each lookup then
 * reads every row of the tenant, and does so more slowly as the table grows, until autovacuum analyzes it (a minute
 * or more at its defaults). Seen: the analytics trigger on order lines (replaced since, migration 0038) looked up
 * each line's order through the buyer index, and order placement ran at 600-740 orders/s instead of 2,100
 * (docs/BENCHMARKS.md, order placement; the claims met the same trap, incentives/claim-plans.ts). So a hot path that fills such tables calls `touch()`,
 * and while they are small the keeper analyzes any of them that has doubled since its last analyze, off the path,
 * at most once per interval.
 */
import type { Sql } from './connection.ts';

export class FreshStatistics {
  private settled = false;
  private checkedAt = 0;
  private busy = false;

  constructor(
    private readonly sql: Sql,
    private readonly tables: readonly string[],
    private readonly opts: {
      /** rows past which a table is left to autovacuum */
      largeRows?: number;
      /** how often the tables are looked at while some are small */
      everyMs?: number;
    } = {},
  ) {}

  /** Looks at the tables now and then while some are small; never waits, never fails the caller. */
  touch(): void {
    if (this.settled || this.busy || Date.now() - this.checkedAt < (this.opts.everyMs ?? 2_000)) return;
    this.busy = true;
    this.refresh()
      .catch(() => {})
      .finally(() => {
        this.checkedAt = Date.now();
        this.busy = false;
      });
  }

  /** Analyzes the small tables that doubled (or grew by 500 rows) since their last analyze; true once all are large. */
  async refresh(): Promise<boolean> {
    const large = this.opts.largeRows ?? 50_000;
    const rows = await this.sql<{ relname: string; live: string; changed: string; analyzed: string }[]>`
      select s.relname, s.n_live_tup::text as live, s.n_mod_since_analyze::text as changed, greatest(c.reltuples, 0)::text as analyzed
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
      where s.schemaname = current_schema() and s.relname = any(${this.tables as string[]}::text[])`;
    const stale = rows.filter((r) => Number(r.analyzed) < large && Number(r.changed) >= Math.max(500, Number(r.analyzed)));
    // an identifier list of our own table names, not user input
    if (stale.length) await this.sql.unsafe(`analyze ${stale.map((r) => `"${r.relname}"`).join(', ')}`);
    this.settled = rows.length === this.tables.length && rows.every((r) => Number(r.analyzed) >= large);
    return this.settled;
  }
}
