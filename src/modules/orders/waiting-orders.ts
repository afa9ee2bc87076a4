/**
 * The worker that moves waiting orders on: presale orders whose stock arrived are released (presale.ts) and group
 * buys past their end without enough buyers fail (group-buys.ts). It looks every `intervalMs` at the tenants that
 * have such orders; several server processes may run it at once (the work locks the rows it takes).
 */
import type { Sql } from '../../db/connection.ts';
import { IntervalWorker } from '../../platform/interval-worker.ts';
import { failExpiredGroupBuys } from './group-buys.ts';
import { releasePresaleOrders } from './presale.ts';

export class WaitingOrdersWorker extends IntervalWorker {
  constructor(
    private readonly sql: Sql,
    private readonly log: (level: 'warn' | 'info', msg: string, err?: unknown) => void,
    intervalMs = 10_000,
  ) {
    super(intervalMs);
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
