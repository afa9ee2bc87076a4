/** Code batches: create, list, the label printer's file (zipped, optionally encrypted) and a sample label sheet. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { IdParams, Paging, strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { createBatch, getBatch, labelSheet, labelSheetPdfOf, listBatches, printFile } from './batches.ts';
import type { Keystore } from './keystore.ts';

export async function codesRoutes(api: FastifyInstance, sql: Sql, keystore: Keystore, defaultResolver: string) {
  api.get(
    '/code-batches',
    {
      config: { access: 'codes:read' },
      schema: { tags: ['codes'], summary: 'Code batches, newest first', querystring: strictObject({ ...Paging }) },
    },
    async (req) => {
      const q = req.query as { page: number; pageSize: number };
      return listBatches(ctxOf(req, sql), q.page, q.pageSize);
    },
  );

  api.get('/code-batches/:id', { config: { access: 'codes:read' }, schema: { tags: ['codes'], params: IdParams } }, async (req) =>
    getBatch(ctxOf(req, sql), (req.params as { id: number }).id),
  );

  api.post(
    '/code-batches',
    {
      config: { access: 'codes:write' },
      schema: {
        tags: ['codes'],
        summary: 'Create a batch of up to 1,000,000,000 codes for a GTIN (one row: serials are computed, not stored)',
        body: strictObject({
          gtin: Type.String({ maxLength: 14 }),
          quantity: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
          resolver: Type.Optional(Type.String({ maxLength: 200 })),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
    },
    async (req, reply) => {
      const batch = await createBatch(ctxOf(req, sql), keystore, req.body as never, defaultResolver);
      return reply.status(201).send(batch);
    },
  );

  api.post(
    '/code-batches/:id/print-file',
    {
      config: { access: 'codes:write' },
      schema: {
        tags: ['codes'],
        summary: 'The print file: one line per code (Digital Link URI, serial, verification code), zipped, optionally AES-256 encrypted',
        params: IdParams,
        body: Type.Optional(strictObject({ password: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })) })),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const password = (req.body as { password?: string } | undefined)?.password;
      const { batch, stream } = await printFile(ctx, keystore, (req.params as { id: number }).id, password);
      await sql.begin((tx) =>
        appendAudit(tx, whoOf(ctx), {
          action: 'codes.print_file',
          entityType: 'code_batch',
          entityId: batch.id,
          details: { quantity: batch.quantity, encrypted: !!password },
        }),
      );
      reply.header('content-disposition', `attachment; filename="codes-${batch.gtin}-${batch.batchNo}.zip"`);
      return reply.type('application/zip').send(stream);
    },
  );

  api.get(
    '/code-batches/:id/label-sheet.svg',
    {
      config: { access: 'codes:read' },
      schema: {
        tags: ['codes'],
        summary: 'A sample sheet of the first labels (QR of the Digital Link URI and GS1 DataMatrix)',
        params: IdParams,
        querystring: strictObject({ count: Type.Integer({ minimum: 1, maximum: 200, default: 24 }) }),
      },
    },
    async (req, reply) => {
      const svg = await labelSheet(ctxOf(req, sql), keystore, (req.params as { id: number }).id, (req.query as { count: number }).count);
      return reply.type('image/svg+xml').send(svg);
    },
  );

  api.get(
    '/code-batches/:id/label-sheet',
    {
      config: { access: 'codes:read' },
      schema: {
        tags: ['codes'],
        summary:
          'A sample sheet of the first labels as PDF (A4, one page per sheet of 36) or SVG (one sheet); format= or the Accept header chooses, SVG by default',
        params: IdParams,
        querystring: strictObject({
          count: Type.Integer({ minimum: 1, maximum: 200, default: 24 }),
          format: Type.Optional(Type.Union([Type.Literal('pdf'), Type.Literal('svg')])),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const id = (req.params as { id: number }).id;
      const q = req.query as { count: number; format?: 'pdf' | 'svg' };
      const format = q.format ?? (/\bapplication\/pdf\b/.test(req.headers.accept ?? '') ? 'pdf' : 'svg');
      reply.header('vary', 'accept');
      if (format === 'svg') {
        const svg = await labelSheet(ctx, keystore, id, q.count);
        return reply.header('content-disposition', `inline; filename="labels-${id}.svg"`).type('image/svg+xml').send(svg);
      }
      const { batch, pdf } = await labelSheetPdfOf(ctx, keystore, id, q.count);
      reply.header('content-disposition', `inline; filename="labels-${batch.gtin}-${batch.batchNo}.pdf"`);
      return reply.type('application/pdf').send(pdf);
    },
  );

  api.post(
    '/code-keys/rotate',
    { config: { access: 'codes:write' }, schema: { tags: ['codes'], summary: 'Use a new key version for new batches' } },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const version = await keystore.rotate(sql, ctx.actor.tenantId);
      await sql.begin((tx) =>
        appendAudit(tx, whoOf(ctx), {
          action: 'codes.keys.rotate',
          entityType: 'code_keyring',
          entityId: ctx.actor.tenantId,
          details: { version },
        }),
      );
      return { currentVersion: version };
    },
  );
}
