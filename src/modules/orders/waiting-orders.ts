/**
 * The worker that moves waiting orders on: presale orders whose stock arrived are released (presale.ts) and group
 * buys past their end without enough buyers fail (group-buys.ts). It looks every `intervalMs` at the tenants that
 * have such orders; several server processes may run it at once (the work locks the rows it takes).
 */
import type { Sql } from '../../db/connection.ts';
import { failExpiredGroupBuys } from './group-buys.ts';
import { releasePresaleOrders } from './presale.ts';

export class WaitingOrdersWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly log: (level: 'warn' | 'info', msg: string, err?: unknown) => void,
    private readonly intervalMs = 10_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over every tenant with waiting work; returns what moved. */
  async tick(): Promise<{ released: number; failedGroupBuys: number }> {
    let released = 0;
    let failedGroupBuys = 0;
    try {
      const tenants = await this.sql<{ t: number }[]>`
        select distinct tenant_id as t from orders where status = 'awaiting_stock'
        union select tenant_id from group_buys where status = 'open' and ends_at <= now()`;
      for (const { t } of tenants) {
        released += (await releasePresaleOrders(this.sql, t)).length;
        failedGroupBuys += await failExpiredGroupBuys(this.sql, t);
      }
      if (released || failedGroupBuys)
        this.log('info', `waiting orders: ${released} presale released, ${failedGroupBuys} group buys failed`);
    } catch (err) {
      this.log('warn', 'waiting orders pass failed', err);
    }
    return { released, failedGroupBuys };
  }
}
