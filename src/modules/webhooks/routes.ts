/** /api/v1/webhooks: subscriptions, the delivery log and replays, for brand admins (`webhooks:manage`). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { Id, IdParams, Paging, strictObject } from '../../http/schemas.ts';
import { type DeliveryFilter, getDelivery, listDeliveries, replayDelivery } from './deliveries.ts';
import { WEBHOOK_EVENT_TYPES, WILDCARD } from './events.ts';
import type { WebhookSettings } from './settings.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  rotateSecret,
  type SubscriptionInput,
  updateSubscription,
} from './subscriptions.ts';
import { TargetGuard } from './targets.ts';

const access = { access: 'webhooks:manage' } as const;
const tags = ['webhooks'];

const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 50 });
const Description = Type.Union([Type.String({ maxLength: 200 }), Type.Null()]);

export async function webhooksRoutes(api: FastifyInstance, sql: Sql, masterKey: Buffer, settings: WebhookSettings) {
  const guard = new TargetGuard(settings.allowPrivateTargets);

  api.get(
    '/webhooks/event-types',
    { config: access, schema: { tags, summary: 'The event types a subscription may ask for' } },
    async () => ({
      items: [...WEBHOOK_EVENT_TYPES],
      wildcard: WILDCARD,
    }),
  );

  api.get('/webhooks', { config: access, schema: { tags, summary: "The tenant's webhook subscriptions" } }, async (req) => ({
    items: await listSubscriptions(ctxOf(req, sql)),
  }));

  api.post(
    '/webhooks',
    {
      config: access,
      schema: {
        tags,
        summary: 'Subscribe a URL to event types; the signing secret is in this answer only',
        body: strictObject({ url: Url, events: Events, description: Type.Optional(Description), active: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req, reply) => {
      const created = await createSubscription(ctxOf(req, sql), guard, masterKey, req.body as SubscriptionInput);
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );

  api.get('/webhooks/:id', { config: access, schema: { tags, summary: 'One subscription', params: IdParams } }, async (req) =>
    getSubscription(ctxOf(req, sql), (req.params as { id: number }).id),
  );

  api.patch(
    '/webhooks/:id',
    {
      config: access,
      schema: {
        tags,
        summary: 'Change a subscription (URL, event types, description, active)',
        params: IdParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            events: Type.Optional(Events),
            description: Type.Optional(Description),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => updateSubscription(ctxOf(req, sql), guard, (req.params as { id: number }).id, req.body as Partial<SubscriptionInput>),
  );

  api.delete(
    '/webhooks/:id',
    { config: access, schema: { tags, summary: 'Delete a subscription and its delivery log', params: IdParams } },
    async (req, reply) => {
      await deleteSubscription(ctxOf(req, sql), (req.params as { id: number }).id);
      return reply.status(204).send();
    },
  );

  api.post(
    '/webhooks/:id/rotate-secret',
    {
      config: access,
      schema: {
        tags,
        summary: 'A new signing secret (in this answer only); the old one also signs for graceSeconds (default 86400)',
        params: IdParams,
        body: Type.Optional(strictObject({ graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400 })) })),
      },
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as { graceSeconds?: number };
      const r = await rotateSecret(ctxOf(req, sql), masterKey, (req.params as { id: number }).id, body.graceSeconds ?? 86_400);
      return reply.header('cache-control', 'no-store').send(r);
    },
  );

  api.get(
    '/webhooks/deliveries',
    {
      config: access,
      schema: {
        tags,
        summary: 'Deliveries, newest first, by status, event type, subscription or event',
        querystring: strictObject({
          status: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
          ),
          eventType: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          subscriptionId: Type.Optional(Id()),
          eventId: Type.Optional(Type.String({ format: 'uuid' })),
          ...Paging,
        }),
      },
    },
    async (req) => listDeliveries(ctxOf(req, sql), req.query as DeliveryFilter),
  );

  api.get(
    '/webhooks/deliveries/:id',
    { config: access, schema: { tags, summary: 'A delivery with its body and every attempt', params: IdParams } },
    async (req) => getDelivery(ctxOf(req, sql), (req.params as { id: number }).id),
  );

  api.post(
    '/webhooks/deliveries/:id/replay',
    { config: access, schema: { tags, summary: 'Send a finished delivery again (same event id and body)', params: IdParams } },
    async (req, reply) => reply.status(202).send(await replayDelivery(ctxOf(req, sql), (req.params as { id: number }).id)),
  );
}
