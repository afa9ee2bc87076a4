/**
 * Whether a claim batch's statements are planned afresh each time or may use the plans PostgreSQL caches.
 *
 * postgres.js prepares every statement, and after five runs PostgreSQL may keep a generic plan for it. Made while the
 * tables a rush of claims fills are nearly empty (a new brand's launch campaign), such a plan reads them in a way that
 * is cheap only while they are small: a sequential scan, or a probe of the wrong index whose cost tied with the right
 * one on a table of a few rows (seen: the consumer lookup probing (tenant, consumer) and filtering 1,054 rows for each
 * claim, 28 ms a batch). The plan stays until the table's next analyze, a minute or more later, while the table grows
 * by thousands of rows a second. So while any of those tables is small, every statement is planned for the tables'
 * current sizes (`plan_cache_mode = force_custom_plan`). Planning is not free: 40 % of the time PostgreSQL spent on the
 * claim statements (2.2 of 5.6 s in a 10-second rush, pg_stat_statements with track_planning). Once every one of
 * them holds enough rows that a probe by key is plainly the cheapest read, cached plans are used, with sequential
 * scans priced out (`enable_seqscan = off`, claim-batch.ts) for the tables that stay small in a normal day and grow
 * only in an attack (the failed tries of the throttle): docs/BENCHMARKS.md, claims, ninth session.
 */
import type { Sql } from '../../db/connection.ts';

/** The tables a rush of claims fills or its fraud rules read, each by key: the consumers' page scans come before their claims. */
export const GROWING_TABLES = [
  'consumer_scans',
  'code_verifications',
  'consumers',
  'consumer_identifiers',
  'campaign_rewards',
  'campaign_participants',
];

export class ClaimPlanMode {
  private custom = true;
  private checkedAt = 0;
  private checking = false;
  private readonly minRows: number;
  private readonly everyMs: number;
  private readonly tables: readonly string[];

  constructor(
    private readonly sql: Sql,
    opts: {
      /** rows each growing table must hold before cached plans are used */
      minRows?: number;
      /** how often the sizes are looked at while the tables are small */
      everyMs?: number;
      tables?: readonly string[];
    } = {},
  ) {
    this.minRows = opts.minRows ?? 10_000;
    this.everyMs = opts.everyMs ?? 10_000;
    this.tables = opts.tables ?? GROWING_TABLES;
  }

  /** True while the batches must plan afresh. Looks at the tables' sizes now and then, never waiting for the answer. */
  customPlans(): boolean {
    if (this.custom && !this.checking && Date.now() - this.checkedAt >= this.everyMs) void this.refresh();
    return this.custom;
  }

  /** Looks at the tables' sizes now; answers customPlans(). */
  async refresh(): Promise<boolean> {
    this.checking = true;
    try {
      // the statistics' live row counts: kept by PostgreSQL as transactions end, no table is read. A table missing
      // (renamed by a migration) keeps the batches planning afresh: slower, never wrong
      const [r] = await this.sql<{ tables: number; smallest: string | null }[]>`
        select count(*)::int as tables, min(n_live_tup)::text as smallest
        from pg_stat_user_tables where schemaname = current_schema() and relname = any(${this.tables as string[]}::text[])`;
      // tables grow, they are not emptied: once large enough, it stays so
      if (r && r.tables === this.tables.length && Number(r.smallest) >= this.minRows) this.custom = false;
    } catch {
      // keep planning afresh; looked at again later
    } finally {
      this.checkedAt = Date.now();
      this.checking = false;
    }
    return this.custom;
  }
}
