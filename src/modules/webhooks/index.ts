/** Webhooks for integrators: the outbox other modules write to, subscriptions, the delivery worker. */
export {
  emitWebhookEvent,
  emitWebhookEvents,
  isWebhookEventType,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventBody,
  type WebhookEventType,
} from './events.ts';
export { webhooksRoutes } from './routes.ts';
export { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings, webhookSettings } from './settings.ts';
export { signatureHeader, verifySignature } from './signature.ts';
export { WebhookWorker } from './worker.ts';
