/**
 * Order events for integrators: every payload says its currency, so an ERP never has to guess what `...Fen`
 * amounts are in (fen, hundredths of the yuan, today the only currency).
 */
import type { Db } from '../../context.ts';
import { emitWebhookEvent, emitWebhookEvents, type WebhookEventType } from '../webhooks/index.ts';

export const CURRENCY = 'CNY';

export function emitOrderWebhook(tx: Db, tenantId: number, type: WebhookEventType, payload: Record<string, unknown>) {
  return emitWebhookEvent(tx, tenantId, type, { ...payload, currency: CURRENCY });
}

export function emitOrderWebhooks(
  tx: Db,
  tenantId: number,
  events: readonly { type: WebhookEventType; payload: Record<string, unknown> }[],
) {
  return emitWebhookEvents(
    tx,
    tenantId,
    events.map((e) => ({ type: e.type, payload: { ...e.payload, currency: CURRENCY } })),
  );
}
