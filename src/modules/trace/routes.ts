/**
 * The EPCIS 2.0 REST binding under /epcis (capture, capture jobs, events), as the official OpenAPI
 * (../shared/epcis/gs1/REST Bindings/openapi.yaml) defines it, and the journey of a code under /api/v1.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql, Tx } from '../../db/connection.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError, fieldEntry } from '../../http/problem.ts';
import { Id, strictObject } from '../../http/schemas.ts';
import { recordCapture } from '../../platform/metrics.ts';
import { actorLabel } from '../auth/index.ts';
import type { Keystore } from '../codes/keystore.ts';
import { listShipReceivers } from '../parties/index.ts';
import { captureEvents, prepareEvents } from './capture.ts';
import { checkCaptureScope } from './capture-scope.ts';
import { documentEvents } from './epcis/event-hash.ts';
import { epcFormatOf, queryDocument } from './epcis/query-document.ts';
import { explainEpcisReason, validateEpcisDocument } from './epcis/validate.ts';
import type { EpcisEvent } from './event-facts.ts';
import { codeJourney } from './journey.ts';
import { QUERY_PARAMETERS, queryEvents } from './query.ts';
import { namesOrder, type OrderScanHandler, placeOf, runScan, SCAN_KINDS, type ScanRequest, scanPlace, scanTime } from './scans.ts';

const CAPTURE_LIMIT = 100_000;
const EPCIS_HEADERS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0', 'GS1-EPCIS-Capture-Limit': String(CAPTURE_LIMIT) };

/** `scanOrder` ships or receives the order a ship or receive scan names by its number (the orders module's). */
export async function traceRoutes(app: FastifyInstance, sql: Sql, keystore: Keystore, scanOrder: OrderScanHandler) {
  // EPCIS documents come as JSON or JSON-LD
  app.addContentTypeParser('application/ld+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  await app.register(
    async (epcis) => {
      epcis.post(
        '/capture',
        {
          config: { access: 'epcis:capture' },
          bodyLimit: 64 * 1024 * 1024,
          schema: {
            tags: ['EPCIS'],
            summary: 'Capture an EPCISDocument (all events or none)',
            body: Type.Object({}, { additionalProperties: true }),
          },
        },
        async (req, reply) => {
          const ctx = ctxOf(req, sql);
          const doc = req.body as Record<string, unknown>;
          // the reasons in the requester's language; codes and pointers are the same in every language
          const validation = validateEpcisDocument(doc, req.locale);
          if (!validation.ok) {
            throw new AppError(
              400,
              'epcis.invalid_document',
              { count: validation.errors.length },
              validation.errors.map((p) => ({ pointer: p.pointer, code: p.code, params: { reason: p.reason, eventIndex: p.eventIndex } })),
            );
          }
          // an EPCISQueryDocument's events are captured too (re-capturing another repository's query results)
          if (validation.kind === 'event') {
            throw AppError.field('/type', 'epcis.schema', { reason: explainEpcisReason({ key: 'capture_needs_document' }, req.locale) });
          }
          const events = documentEvents(doc) as EpcisEvent[];
          if (events.length > CAPTURE_LIMIT) throw new AppError(413, 'epcis.capture_limit', { limit: CAPTURE_LIMIT });
          const prepared = prepareEvents(events, doc['@context']);
          const actor = actorLabel(ctx.actor);
          // two captures of the same new event at the same instant: the loser retries and finds it stored
          // a party's people and devices capture only what happens at their place (capture-scope.ts)
          const opts = { checks: (tx: Tx) => checkCaptureScope(tx, ctx.actor, prepared) };
          const outcome = await captureEvents(sql, ctx.actor.tenantId, actor, prepared, doc['@context'], opts).catch((e) =>
            isUniqueViolation(e) ? captureEvents(sql, ctx.actor.tenantId, actor, prepared, doc['@context'], opts) : Promise.reject(e),
          );
          recordCapture({ source: 'epcis', events: outcome.eventCount, newEvents: outcome.newEvents, codes: outcome.codes });
          return reply
            .status(202)
            .headers({ ...EPCIS_HEADERS, location: `/epcis/capture/${outcome.captureId}` })
            .send({
              captureID: String(outcome.captureId),
              eventCount: outcome.eventCount,
              newEvents: outcome.newEvents,
              eventIDs: outcome.eventIds,
            });
        },
      );

      epcis.get(
        '/capture/:captureID',
        {
          config: { access: 'epcis:capture' },
          schema: {
            tags: ['EPCIS'],
            summary: 'A capture job',
            params: Type.Object({ captureID: Type.String({ pattern: '^[0-9]{1,18}$' }) }),
          },
        },
        async (req, reply) => {
          const ctx = ctxOf(req, sql);
          const [job] = await sql<
            { id: number; status: string; event_count: number; new_events: number; errors: unknown; created_at: Date; finished_at: Date }[]
          >`
            select id, status, event_count, new_events, errors, created_at, finished_at from capture_jobs
            where tenant_id = ${ctx.actor.tenantId} and id = ${(req.params as { captureID: string }).captureID}`;
          if (!job) throw AppError.notFound();
          return reply.headers(EPCIS_HEADERS).send({
            captureID: String(job.id),
            createdAt: job.created_at,
            finishedAt: job.finished_at,
            running: false,
            success: job.status === 'succeeded',
            captureErrorBehaviour: 'rollback',
            eventCount: job.event_count,
            newEvents: job.new_events,
            errors: job.errors ?? [],
          });
        },
      );

      const queryString = Type.Object(
        Object.fromEntries(QUERY_PARAMETERS.map((p) => [p, Type.Optional(Type.String({ maxLength: 4000 }))])),
        { additionalProperties: true },
      );
      epcis.get(
        '/events',
        {
          config: { access: 'epcis:query' },
          schema: { tags: ['EPCIS'], summary: 'SimpleEventQuery over all events', querystring: queryString },
        },
        async (req, reply) => {
          const ctx = ctxOf(req, sql);
          const params = req.query as Record<string, string | undefined>;
          const page = await queryEvents(sql, ctx.actor.tenantId, params);
          if (page.nextPageToken) {
            const next = new URLSearchParams({ ...(params as Record<string, string>), nextPageToken: page.nextPageToken });
            reply.header('link', `</epcis/events?${next.toString()}>; rel="next"`);
          }
          return reply
            .headers(EPCIS_HEADERS)
            .type('application/ld+json')
            .send(queryDocument(page.events, epcFormatOf(req.headers['gs1-epc-format'])));
        },
      );

      epcis.get(
        '/events/:eventID',
        {
          config: { access: 'epcis:query' },
          schema: {
            tags: ['EPCIS'],
            summary: 'One event by its event ID or hash',
            params: Type.Object({ eventID: Type.String({ maxLength: 2000 }) }),
          },
        },
        async (req, reply) => {
          const ctx = ctxOf(req, sql);
          const page = await queryEvents(sql, ctx.actor.tenantId, { eventID: (req.params as { eventID: string }).eventID, perPage: '1' });
          if (!page.events.length) throw AppError.notFound();
          return reply
            .headers(EPCIS_HEADERS)
            .type('application/ld+json')
            .send(queryDocument(page.events, epcFormatOf(req.headers['gs1-epc-format'])));
        },
      );
    },
    { prefix: '/epcis' },
  );

  app.post(
    '/api/v1/scans',
    {
      config: { access: 'scan:write' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['trace'],
        summary: 'A scan from a device or the scanning page: checked code by code, then captured as EPCIS events (all or nothing)',
        description:
          'A refused scan is a 422 `scan.rejected` listing each problem at its pointer. A ship scan names its receiver in `to`, ' +
          'one of the parties its place ships to (those GET /api/v1/scans/receivers offers: a factory to the warehouses and ' +
          "distributors, a distributor to its own customers): another receiver is refused as `scan.receiver_not_allowed` at /body/to, with the `reason` ('kind', 'not_own_customer', 'self', 'inactive'). " +
          'A ship or receive scan with an `order` number ships or receives that order (as POST /orders/{id}/shipments and /receipts do: ' +
          'its lines, what it still needs, its buyer as the receiver; the scan id makes a retry one shipment) and answers with `order`; ' +
          'a number that names no order of the tenant is refused as `scan.order_unknown` at /body/order, an order the scanning place ' +
          'does not sell (ship) or buy (receive) as `scan.order_not_seller` / `scan.order_not_buyer`.',
        body: strictObject({
          scanId: Type.String({ format: 'uuid' }),
          kind: Type.Union(SCAN_KINDS.map((k) => Type.Literal(k))),
          at: Type.Optional(Type.String({ maxLength: 40 })),
          codes: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 50_000 })),
          range: Type.Optional(
            strictObject({
              batchId: Id(),
              from: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
              count: Type.Integer({ minimum: 1, maximum: 50_000 }),
            }),
          ),
          parent: Type.Optional(Type.String({ maxLength: 500 })),
          lot: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
          order: Type.Optional(Type.String({ maxLength: 60, pattern: '^[A-Za-z0-9._-]+$' })),
          replace: Type.Optional(strictObject({ old: Type.String({ maxLength: 500 }), new: Type.String({ maxLength: 500 }) })),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const body = req.body as ScanRequest;
      const out = namesOrder(body)
        ? // the order is shipped or received as the console's shipment by scan does it (its scan id keeps a retry to one)
          await scanOrder(ctx, body, { at: scanTime(body), place: await scanPlace(ctx, body.kind) })
        : // two devices sending the same new event at once: the loser retries and finds it stored
          await runScan(ctx, keystore, body).catch((e) => (isUniqueViolation(e) ? runScan(ctx, keystore, body) : Promise.reject(e)));
      recordCapture({ source: 'scan', events: out.events, newEvents: out.newEvents, codes: out.newEvents ? out.codes : 0 });
      // warnings in the reader's language, as refusals are (the scanning page shows them as they come)
      // (entries shaped as a refusal's, with their parameters too: a warning's `holder`, not its message key)
      return { ...out, warnings: out.warnings.map((w) => ({ ...fieldEntry(w, req.locale), params: w.params })) };
    },
  );

  app.get(
    '/api/v1/scans/receivers',
    {
      config: { access: 'scan:write' },
      schema: {
        tags: ['trace'],
        summary: "Whom the caller's place ships to (the scanning page's receiver suggestions), by code, name or GLN",
        querystring: strictObject({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      return listShipReceivers(ctx, await placeOf(sql, ctx.actor), req.query as { q?: string; limit: number });
    },
  );

  app.get(
    '/api/v1/codes/:code/journey',
    {
      config: { access: 'trace:read' },
      schema: {
        tags: ['trace'],
        summary: "A code's journey: its own events and those of every container it travelled in, while it was inside",
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 500 }) }),
      },
    },
    async (req) => codeJourney(ctxOf(req, sql), (req.params as { code: string }).code),
  );
}
