import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { IdParams, Paging, strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { getProduct, listProducts, type ProductListQuery, productCategories } from './product-queries.ts';
import { checkProduct, type ProductInput } from './product-rules.ts';
import { insertProducts } from './product-writes.ts';

export async function catalogRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/products',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: ['catalog'],
        querystring: strictObject({
          ...Paging,
          q: Type.Optional(Type.String({ maxLength: 100 })),
          category: Type.Optional(Type.String({ maxLength: 40 })),
          sort: Type.Union(
            ['name', '-name', 'sku', '-sku', 'listPrice', '-listPrice'].map((s) => Type.Literal(s)),
            { default: 'name' },
          ),
        }),
      },
    },
    async (req) => listProducts(ctxOf(req, sql), req.query as ProductListQuery),
  );

  api.get('/products/categories', { config: { access: 'catalog:read' }, schema: { tags: ['catalog'] } }, async (req) => ({
    items: await productCategories(ctxOf(req, sql)),
  }));

  api.get('/products/:id', { config: { access: 'catalog:read' }, schema: { tags: ['catalog'], params: IdParams } }, async (req) =>
    getProduct(ctxOf(req, sql), (req.params as { id: number }).id),
  );

  api.post(
    '/products',
    {
      config: { access: 'catalog:write' },
      schema: {
        tags: ['catalog'],
        body: strictObject({
          sku: Type.String(),
          gtin: Type.String(),
          nameZh: Type.String({ minLength: 1, maxLength: 200 }),
          nameEn: Type.String({ minLength: 1, maxLength: 200 }),
          category: Type.String(),
          spec: Type.Optional(Type.String({ maxLength: 100 })),
          shelfLifeDays: Type.Integer({ maximum: 100_000 }),
          listPriceFen: Type.Integer({ maximum: 1_000_000_000_000_000 }),
          caseGtin: Type.Optional(Type.String()),
          caseQuantity: Type.Optional(Type.Integer({ maximum: 1_000_000_000 })),
          palletGtin: Type.Optional(Type.String()),
          palletQuantity: Type.Optional(Type.Integer({ maximum: 1_000_000_000 })),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const checked = checkProduct(req.body as ProductInput, '/body');
      if (!checked.product) throw AppError.invalid(checked.errors);
      const product = checked.product;
      const id = await sql.begin(async (tx) => {
        const r = await insertProducts(tx, ctx.actor.tenantId, [product], (_i, f) => `/body/${f}`);
        if (r.errors.length) throw AppError.invalid(r.errors);
        await appendAudit(tx, whoOf(ctx), {
          action: 'product.create',
          entityType: 'product',
          entityId: r.ids[0],
          details: { sku: product.sku, gtin: product.gtin },
        });
        return r.ids[0] as number;
      });
      return reply.status(201).send(await getProduct(ctx, id));
    },
  );
}
