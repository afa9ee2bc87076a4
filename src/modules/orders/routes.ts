/** /api/v1 routes of B2B ordering: orders, their decisions, fulfilment, import and export (prices: pricing-routes.ts; funds: funds-routes.ts). */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { IdParams, strictObject } from '../../http/schemas.ts';
import { readTable, TabularError, writeTable, XLSX_TYPE } from '../../platform/tabular/index.ts';
import { partyScope, seesWholeTenant } from '../auth/index.ts';
import { escapeLike } from '../parties/index.ts';
import { afterSalesRoutes } from './after-sales-routes.ts';
import { resolvesDifferencesOn } from './difference-resolution.ts';
import { receiveBatch, receiveOrder, shipBatch, shipOrder } from './fulfilment.ts';
import { isBuyerSide } from './order-scan.ts';
import { decideOrder, decidesOn, placeOrder, visibleTo } from './placement.ts';
import { releasePresaleOrders } from './presale.ts';
import { listDifferences } from './receipt-differences.ts';
import { listReturns } from './returns.ts';

const LineInput = strictObject({
  sku: Type.String({ minLength: 1, maxLength: 64 }),
  // a number so that 1.5 or -2 reach the order's own checks and come back as order.bad_quantity per line
  quantity: Type.Number({ maximum: 1_000_000_000 }),
  expectedUnitPriceFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000_000_000 })),
});
const PlaceBody = strictObject({
  buyer: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  type: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('presale'), Type.Literal('group_buy')])),
  groupBuy: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  lines: Type.Array(LineInput, { minItems: 1, maxItems: 10_000 }),
  note: Type.Optional(Type.String({ maxLength: 500 })),
});
const DecisionBody = strictObject({ reason: Type.Optional(Type.String({ maxLength: 500 })) });

/** The orders a caller may see (alias `o`): all for brand staff who see the tenant, else those whose buyer or seller is in scope. */
function orderScope(sql: Sql, ctx: RequestContext) {
  return seesWholeTenant(ctx.actor)
    ? sql`true`
    : sql`(o.buyer_party_id in (select p.id from parties p where ${partyScope(sql, ctx.actor)})
        or o.seller_party_id in (select p.id from parties p where ${partyScope(sql, ctx.actor)}))`;
}

/** An order's scan in a PDA's batch (shipment-batches, receipt-batches): the order, the scan's id, its codes. */
const OrderScanInBatch = { orderId: Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1 }), scanId: Type.String({ format: 'uuid' }) };
const BatchCodes = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 1000 });

export async function ordersRoutes(api: FastifyInstance, sql: Sql) {
  api.post(
    '/orders',
    {
      config: { access: 'orders:place' },
      schema: {
        tags: ['orders'],
        summary:
          'Place an order (Idempotency-Key header: a retry returns the first order; the key sent again with other contents is refused, 409 order.key_reused)',
        body: PlaceBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      },
    },
    async (req, reply) => {
      const body = req.body as Static<typeof PlaceBody>;
      const key = req.headers['idempotency-key'] as string | undefined;
      const placed = await placeOrder(ctxOf(req, sql), { ...body, idempotencyKey: key });
      return reply.status(placed.replayed ? 200 : 201).send(placed);
    },
  );

  api.get(
    '/orders',
    {
      config: { access: 'orders:read' },
      schema: {
        tags: ['orders'],
        summary:
          "Orders the caller may see, newest first (by when they were placed), a page at a time with how many there are (q: a part of the order number or of the buyer's or seller's code or name)",
        querystring: strictObject({
          status: Type.Optional(Type.String()),
          q: Type.Optional(Type.String({ maxLength: 100 })),
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          /** the page's size, as before pages (pageSize wins) */
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const q = req.query as { status?: string; q?: string; page?: number; pageSize?: number; limit?: number };
      const t = ctx.actor.tenantId;
      const scoped = orderScope(sql, ctx);
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? q.limit ?? 50;
      const text = q.q?.trim();
      const like = text ? `%${escapeLike(text)}%` : null;
      const where = sql`o.tenant_id = ${t} and ${scoped} ${q.status ? sql`and o.status = ${q.status}` : sql``}
        ${
          like
            ? sql`and (o.order_no ilike ${like} or b.code ilike ${like} or b.name ilike ${like} or s.code ilike ${like} or s.name ilike ${like})`
            : sql``
        }`;
      const [items, [count]] = await Promise.all([
        sql`
          select o.id::int, o.order_no, o.type, o.status, o.total_fen::int as total_fen, o.approval_reasons, o.created_at,
            b.code as buyer_code, b.name as buyer_name, s.code as seller_code, s.name as seller_name
          from orders o
          join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
          join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
          where ${where}
          order by o.created_at desc, o.id desc limit ${pageSize} offset ${(page - 1) * pageSize}`,
        sql<{ n: number }[]>`
          select count(*)::int as n from orders o
          join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
          join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
          where ${where}`,
      ]);
      return {
        total: count?.n ?? 0,
        page,
        pageSize,
        items: items.map((o) => ({
          id: o.id,
          orderNo: o.order_no,
          type: o.type,
          status: o.status,
          totalFen: o.total_fen,
          approvalReasons: o.approval_reasons,
          createdAt: o.created_at,
          buyer: { code: o.buyer_code, name: o.buyer_name },
          seller: { code: o.seller_code, name: o.seller_name },
        })),
      };
    },
  );

  api.get(
    '/orders/:id',
    { config: { access: 'orders:read' }, schema: { tags: ['orders'], summary: 'An order with its lines and timeline', params: IdParams } },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const { id } = req.params as { id: number };
      const [o] = await sql<Record<string, unknown>[]>`
        select o.*, b.code as buyer_code, b.name as buyer_name, s.code as seller_code, s.name as seller_name, s.kind as seller_kind
        from orders o
        join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
        join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
        where o.tenant_id = ${t} and o.id = ${id}`;
      if (!o) throw AppError.notFound();
      const parties = { buyer_party_id: Number(o.buyer_party_id), seller_party_id: Number(o.seller_party_id) };
      if (!(await visibleTo(sql, ctx, parties))) throw AppError.notFound();
      const [lines, events, differences, returns] = await Promise.all([
        sql`select l.line_no, p.sku, p.name_zh, p.name_en, l.quantity, l.unit_price_fen::int, l.amount_fen::int, l.price_rule,
              l.available_qty::int, l.shipped_qty, l.received_qty, l.returned_qty
            from order_lines l join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
            where l.tenant_id = ${t} and l.order_id = ${id} order by l.line_no`,
        sql`select at, kind, actor, details from order_events where tenant_id = ${t} and order_id = ${id} order by at`,
        listDifferences(sql, ctx, id),
        listReturns(sql, t, id),
      ]);
      return {
        id: Number(o.id),
        orderNo: o.order_no,
        type: o.type,
        status: o.status,
        totalFen: Number(o.total_fen),
        reservedFen: Number(o.reserved_fen),
        approvalReasons: o.approval_reasons,
        note: o.note,
        createdAt: o.created_at,
        buyer: { code: o.buyer_code, name: o.buyer_name },
        seller: { code: o.seller_code, name: o.seller_name },
        // which side of the order the viewer is on, by the rules the actions check: the page offers the seller's actions
        // (approve, reject, close the back order), the buyer's (receive, return, order again) and the resolution of receipt
        // differences only to those who may
        viewer: {
          decides: decidesOn(ctx.actor, parties),
          buys: isBuyerSide(ctx, parties),
          resolvesDifferences: resolvesDifferencesOn(ctx.actor, { ...parties, seller_kind: String(o.seller_kind) }),
        },
        lines: lines.map((l) => ({
          lineNo: l.line_no,
          sku: l.sku,
          name: ctx.locale === 'en' ? l.name_en : l.name_zh,
          quantity: l.quantity,
          unitPriceFen: l.unit_price_fen,
          amountFen: l.amount_fen,
          priceRule: l.price_rule,
          availableQty: l.available_qty,
          shippedQty: l.shipped_qty,
          receivedQty: l.received_qty,
          returnedQty: l.returned_qty,
        })),
        differences,
        returns,
        timeline: events.map((e) => ({ at: e.at, kind: e.kind, actor: e.actor, details: e.details })),
      };
    },
  );

  const DECISIONS = { approve: 'approve', reject: 'reject', cancel: 'cancel', 'close-backorder': 'close_backorder' } as const;
  for (const [path, decision] of Object.entries(DECISIONS)) {
    api.post(
      `/orders/:id/${path}`,
      {
        config: { access: decision === 'cancel' ? 'orders:place' : 'orders:decide' },
        schema: {
          tags: ['orders'],
          summary:
            decision === 'close_backorder'
              ? 'Close the back order of a partly shipped order (releases the funds of what will not ship)'
              : `${decision[0]?.toUpperCase()}${decision.slice(1)} an order`,
          params: IdParams,
          body: DecisionBody,
        },
      },
      async (req) => {
        const { id } = req.params as { id: number };
        return decideOrder(ctxOf(req, sql), id, decision, (req.body as { reason?: string } | undefined)?.reason);
      },
    );
  }

  api.post(
    '/orders/presales/release',
    {
      config: { access: 'orders:decide' },
      schema: {
        tags: ['orders'],
        summary: 'Release the presale orders that stock now covers (the worker also does this every few seconds)',
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const released = await releasePresaleOrders(sql, ctx.actor.tenantId);
      return { released: released.length, orderIds: released };
    },
  );

  // an order from a spreadsheet: columns SKU (or 商品编码) and quantity (or 数量), one line per row
  api.post(
    '/orders/import',
    {
      config: { access: 'orders:place' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['orders'],
        summary:
          'Place an order from an .xlsx or .csv file (raw body; columns sku and quantity); bad rows refuse it with their row numbers',
        querystring: strictObject({
          buyer: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          format: Type.Optional(Type.Union([Type.Literal('xlsx'), Type.Literal('csv')])),
        }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'request.unsupported_media_type');
      const q = req.query as { buyer?: string; format?: 'xlsx' | 'csv' };
      const format = q.format ?? ((req.headers['content-type'] ?? '').startsWith('text/csv') ? 'csv' : 'xlsx');
      const lines: { sku: string; quantity: number }[] = [];
      const rows: number[] = [];
      const errors: { pointer: string; code: string; params: Record<string, unknown> }[] = [];
      const cell = (v: Record<string, string>, ...names: string[]) => {
        for (const [k, value] of Object.entries(v)) if (names.includes(k.trim().toLowerCase())) return value.trim();
        return '';
      };
      try {
        for await (const r of readTable(req.body, format)) {
          const sku = cell(r.values, 'sku', '商品编码');
          const qty = cell(r.values, 'quantity', 'qty', '数量');
          if (!sku && !qty) continue;
          if (!sku) errors.push({ pointer: `/file/rows/${r.row}/sku`, code: 'order.unknown_sku', params: { value: '' } });
          const n = Number(qty);
          if (!/^[0-9]+$/.test(qty) || n <= 0)
            errors.push({ pointer: `/file/rows/${r.row}/quantity`, code: 'order.bad_quantity', params: { value: qty } });
          lines.push({ sku, quantity: n });
          rows.push(r.row);
        }
      } catch (e) {
        // a file that is not the .xlsx or CSV it says it is (found by the route fuzzer: it answered 500)
        if (e instanceof TabularError) {
          throw new AppError(400, 'import.bad_file', { reason: e.message }, [
            { pointer: '/file', code: 'import.bad_file', params: { reason: e.message } },
          ]);
        }
        throw e;
      }
      if (!lines.length && !errors.length) errors.push({ pointer: '/file', code: 'order.empty_file', params: {} });
      if (errors.length) throw AppError.invalid(errors);
      try {
        const placed = await placeOrder(ctxOf(req, sql), {
          buyer: q.buyer,
          lines,
          idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        });
        return reply.status(placed.replayed ? 200 : 201).send(placed);
      } catch (e) {
        // the order's own checks speak of lines: say which row of the file each one is
        if (e instanceof AppError)
          for (const fe of e.fieldErrors ?? []) {
            const m = /^\/body\/lines\/(\d+)\/(.+)$/.exec(fe.pointer);
            if (m) fe.pointer = `/file/rows/${rows[Number(m[1])]}/${m[2]}`;
          }
        throw e;
      }
    },
  );

  api.get(
    '/orders/export',
    {
      config: { access: 'orders:read' },
      schema: { tags: ['orders'], summary: 'The orders the caller may see, one row per line, as .xlsx' },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const scoped = orderScope(sql, ctx);
      const query = sql`
        select o.order_no, o.status, o.created_at, b.code as buyer, s.code as seller, pr.sku, pr.name_zh, l.quantity,
          l.unit_price_fen::int, l.amount_fen::int, l.shipped_qty, l.received_qty, l.price_rule->>'code' as price_list
        from orders o
        join order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
        join products pr on pr.tenant_id = l.tenant_id and pr.id = l.product_id
        join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
        join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
        where o.tenant_id = ${ctx.actor.tenantId} and ${scoped}
        order by o.created_at desc, o.id, l.line_no`;
      async function* rows() {
        for await (const batch of query.cursor(1000))
          for (const r of batch)
            yield {
              order_no: r.order_no,
              status: r.status,
              created_at: (r.created_at as Date).toISOString(),
              buyer: r.buyer,
              seller: r.seller,
              sku: r.sku,
              name: r.name_zh,
              quantity: r.quantity,
              unit_price: (Number(r.unit_price_fen) / 100).toFixed(2),
              amount: (Number(r.amount_fen) / 100).toFixed(2),
              shipped: r.shipped_qty,
              received: r.received_qty,
              price_list: r.price_list,
            };
      }
      reply.header('content-disposition', 'attachment; filename="orders.xlsx"');
      reply.type(XLSX_TYPE);
      return reply.send(
        writeTable(
          'xlsx',
          [
            { key: 'order_no', header: '订单号 order no.' },
            { key: 'status', header: '状态 status' },
            { key: 'created_at', header: '下单时间 placed' },
            { key: 'buyer', header: '下单方 buyer' },
            { key: 'seller', header: '供货方 seller' },
            { key: 'sku', header: 'SKU' },
            { key: 'name', header: '商品 product' },
            { key: 'quantity', header: '数量 quantity' },
            { key: 'unit_price', header: '单价 unit price' },
            { key: 'amount', header: '金额 amount' },
            { key: 'shipped', header: '已发 shipped' },
            { key: 'received', header: '已收 received' },
            { key: 'price_list', header: '价格表 price list' },
          ],
          rows(),
        ),
      );
    },
  );

  const ScanBody = strictObject({
    scanId: Type.String({ format: 'uuid' }),
    codes: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 5000 }),
  });
  api.post(
    '/orders/:id/shipments',
    {
      config: { access: 'orders:ship' },
      schema: {
        tags: ['orders'],
        summary: 'Ship an order by scanning pallets and cases against its lines',
        params: IdParams,
        body: ScanBody,
      },
    },
    async (req, reply) => {
      const out = await shipOrder(ctxOf(req, sql), (req.params as { id: number }).id, req.body as { scanId: string; codes: string[] });
      return reply.status(out.replayed ? 200 : 201).send(out);
    },
  );
  // a PDA's "ship today's orders": many orders' scans in one transaction, all shipped or (one refused) none
  api.post(
    '/orders/shipment-batches',
    {
      config: { access: 'orders:ship' },
      schema: {
        tags: ['orders'],
        summary: "Ship many orders at once (each order's scan as in /orders/{id}/shipments): all or none",
        body: strictObject({
          shipments: Type.Array(strictObject({ ...OrderScanInBatch, codes: BatchCodes }), { minItems: 1, maxItems: 100 }),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const body = req.body as { shipments: { orderId: number; scanId: string; codes: string[] }[] };
      const out = await shipBatch(
        sql,
        ctx.actor.tenantId,
        body.shipments.map((s) => ({ ctx, ...s })),
      );
      return reply.status(out.every((o) => o.replayed) ? 200 : 201).send({ shipments: out });
    },
  );
  api.post(
    '/orders/:id/receipts',
    {
      config: { access: 'orders:receive' },
      schema: {
        tags: ['orders'],
        summary: 'Receive an order: the scanned codes, or everything shipped and not yet received',
        params: IdParams,
        body: strictObject({ scanId: Type.String({ format: 'uuid' }), codes: Type.Optional(ScanBody.properties.codes) }),
      },
    },
    async (req, reply) => {
      const out = await receiveOrder(ctxOf(req, sql), (req.params as { id: number }).id, req.body as { scanId: string; codes?: string[] });
      return reply.status(out.replayed ? 200 : 201).send(out);
    },
  );
  // a PDA's "receive today's deliveries": many orders' receipts in one transaction, all received or (one refused) none
  api.post(
    '/orders/receipt-batches',
    {
      config: { access: 'orders:receive' },
      schema: {
        tags: ['orders'],
        summary: 'Receive many orders at once (each as in /orders/{id}/receipts: the scanned codes, or all shipped): all or none',
        body: strictObject({
          receipts: Type.Array(strictObject({ ...OrderScanInBatch, codes: Type.Optional(BatchCodes) }), { minItems: 1, maxItems: 100 }),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const body = req.body as { receipts: { orderId: number; scanId: string; codes?: string[] }[] };
      const out = await receiveBatch(
        sql,
        ctx.actor.tenantId,
        body.receipts.map((r) => ({ ctx, ...r })),
      );
      return reply.status(out.every((o) => o.replayed) ? 200 : 201).send({ receipts: out });
    },
  );
  await afterSalesRoutes(api, sql);
}
