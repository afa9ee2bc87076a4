/**
 * The demo brand's history as a job of the queue: the server queues it on the demo's first start (server.ts), the
 * console's job list shows its progress day by day, and the server goes on serving meanwhile. It plays once: a job
 * that finds the history played (the audit log says so) does nothing, and a run cut short by a stop is not played
 * again on top of its own days (one attempt; the job then reads "process lost").
 */
import { Type } from '@sinclair/typebox';
import type { Sql } from '../db/connection.ts';
import { Keystore } from '../modules/codes/keystore.ts';
import { type JobKind, type JobRegistry, type JobView, queueJob } from '../platform/jobs/index.ts';
import { brandAdminContext, loadDemoHistory } from './demo-history.ts';
import { DEMO_TENANT } from './load-demo.ts';

export const DEMO_HISTORY_JOB = 'demo.history';

export interface DemoHistoryJobParams {
  days: number;
}

/**
 * The job kind, on the database at `databaseUrl` (the history plays on a connection of its own), its codes issued
 * under the keys `masterKey` opens.
 */
export function demoHistoryJob(
  databaseUrl: string,
  masterKey: Buffer,
): JobKind<DemoHistoryJobParams, { played: boolean; days?: number; orders?: number }> {
  return {
    kind: DEMO_HISTORY_JOB,
    access: 'import:write',
    maxAttempts: 1,
    params: Type.Object({ days: Type.Integer({ minimum: 14, maximum: 366, default: 182 }) }, { additionalProperties: false }),
    async run(ctx, p, progress) {
      let last = 0;
      const info = await loadDemoHistory(databaseUrl, {
        keystore: new Keystore(masterKey),
        masterKey,
        tenant: ctx.actor.tenantCode,
        days: p.days,
        // progress is awaited between days: a cancelled job stops at the end of the day it is in
        onProgress: async (day, days) => {
          if (day - last >= 7 || day === days) {
            last = day;
            await progress(day, days, { key: 'demo.history_day', params: { day, days } });
          }
        },
      });
      return info ? { played: true, days: info.days, orders: info.orders } : { played: false };
    },
  };
}

/** Queues the history as the demo's brand admin (whose job list shows it), on the demo's first start. */
export async function queueDemoHistory(sql: Sql, registry: JobRegistry, tenantCode = DEMO_TENANT): Promise<JobView> {
  return queueJob(sql, await brandAdminContext(sql, tenantCode), registry, DEMO_HISTORY_JOB, {});
}
