/** /api/v1 routes of order drafts: start one by hand, list and read them, edit their lines, discard or place them (drafts.ts). */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { IdParams, strictObject } from '../../http/schemas.ts';
import { buyerInScope } from '../inventory/index.ts';
import {
  addDraftLine,
  type DraftStatus,
  discardDraft,
  draftView,
  listDrafts,
  placeDraft,
  replaceDraftLines,
  startDraft,
} from './drafts.ts';

const Lines = Type.Array(
  strictObject({
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    // a number so that 1.5 or -2 reach the draft's own checks and come back as order.bad_quantity per line
    quantity: Type.Number({ maximum: 1_000_000_000 }),
  }),
  // none empties the draft (a phone that stepped its last line away); placing an empty draft is refused (draft.empty)
  { maxItems: 10_000 },
);
const LinesBody = strictObject({ lines: Lines });
const NewDraftBody = strictObject({
  // the buyer: the caller's own party when absent (a brand user names one in its scope)
  party: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  lines: Type.Optional(Lines),
});

export async function draftRoutes(api: FastifyInstance, sql: Sql) {
  api.post(
    '/order-drafts',
    {
      config: { access: 'orders:place' },
      schema: {
        tags: ['orders'],
        summary:
          "Start a draft by hand, empty or with lines (checked as edits are), to the buyer's supplier; Idempotency-Key: a retry returns the first draft; audited",
        body: NewDraftBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const b = req.body as Static<typeof NewDraftBody>;
      const buyer = await buyerInScope(sql, ctx, b.party, '/body/party');
      const key = req.headers['idempotency-key'] as string | undefined;
      const { draft, replayed } = await startDraft(ctx, { id: buyer.id, sellerId: buyer.seller.id }, b.lines ?? [], key);
      return reply.status(replayed ? 200 : 201).send(draft);
    },
  );

  api.get(
    '/order-drafts',
    {
      config: { access: 'orders:read' },
      schema: {
        tags: ['orders'],
        summary: 'Order drafts whose buyer the caller sees, newest first',
        querystring: strictObject({
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('placed'), Type.Literal('discarded')])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
      },
    },
    async (req) => {
      const q = req.query as { status?: DraftStatus; limit?: number };
      return { items: await listDrafts(ctxOf(req, sql), q.status, q.limit ?? 50) };
    },
  );

  api.get(
    '/order-drafts/:id',
    { config: { access: 'orders:read' }, schema: { tags: ['orders'], summary: 'An order draft with its lines', params: IdParams } },
    async (req) => {
      const draft = await draftView(sql, ctxOf(req, sql), (req.params as { id: number }).id);
      if (!draft) throw AppError.notFound();
      return draft;
    },
  );

  api.put(
    '/order-drafts/:id/lines',
    {
      config: { access: 'orders:place' },
      schema: {
        tags: ['orders'],
        summary: "Replace an open draft's lines (checked as placement checks them); audited",
        params: IdParams,
        body: LinesBody,
      },
    },
    async (req) => {
      const { lines } = req.body as Static<typeof LinesBody>;
      return replaceDraftLines(ctxOf(req, sql), (req.params as { id: number }).id, lines);
    },
  );

  api.post(
    '/order-drafts/:id/lines',
    {
      config: { access: 'orders:place' },
      schema: {
        tags: ['orders'],
        summary: 'Add a product to an open draft at the smallest quantity its seller accepts; audited',
        params: IdParams,
        body: strictObject({ sku: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (req, reply) => {
      const draft = await addDraftLine(ctxOf(req, sql), (req.params as { id: number }).id, (req.body as { sku: string }).sku);
      return reply.status(201).send(draft);
    },
  );

  api.post(
    '/order-drafts/:id/discard',
    { config: { access: 'orders:place' }, schema: { tags: ['orders'], summary: 'Discard an open draft; audited', params: IdParams } },
    async (req) => discardDraft(ctxOf(req, sql), (req.params as { id: number }).id),
  );

  api.post(
    '/order-drafts/:id/place',
    {
      config: { access: 'orders:place' },
      schema: {
        tags: ['orders'],
        summary: 'Place a draft as an order (idempotent: placing it again answers with the same order); audited',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const placed = await placeDraft(ctxOf(req, sql), (req.params as { id: number }).id);
      return reply.status(placed.order.replayed ? 200 : 201).send(placed);
    },
  );
}
