/**
 * Order drafts: an order being prepared (from accepted replenishment suggestions, or by hand) that its buyer edits,
 * discards or places. Placing calls placeOrder with the idempotency key `draft:<id>`, so a draft placed twice (a
 * double tap, a retry after a lost answer, two clerks at once) is one order. The draft row is locked while it is
 * placed: an edit or a discard waits, then finds it placed. Every change is audited.
 */
import { createHash } from 'node:crypto';
import type { Db, RequestContext } from '../../context.ts';
import type { Tx } from '../../db/connection.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { actorLabel, partyScope, seesWholeTenant, whoOf } from '../auth/index.ts';
import { type PlacedOrder, placeOrder } from './placement.ts';

export type DraftStatus = 'open' | 'placed' | 'discarded';

export interface DraftLineInput {
  productId: number;
  quantity: number;
  suggested?: number | null;
}

export interface NewDraft {
  buyerId: number;
  sellerId: number;
  source: 'replenishment' | 'manual';
  params?: Record<string, unknown>;
  lines: DraftLineInput[];
  idempotencyKey?: string;
  /**
   * What the caller was asked for, when it made the draft with an idempotency key: the key sent again with another
   * request is refused (order_draft.key_reused). The request, not the lines: suggestions accepted again may come
   * out otherwise if stock moved in between, and that is still a retry.
   */
  request?: unknown;
}

export interface DraftView {
  id: number;
  status: DraftStatus;
  source: string;
  params: Record<string, unknown>;
  buyer: { code: string; name: string };
  seller: { code: string; name: string };
  order: { id: number; orderNo: string; status: string } | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  lines: {
    lineNo: number;
    sku: string;
    name: string;
    quantity: number;
    suggested: number | null;
    minQty: number | null;
    multipleOf: number | null;
  }[];
}

/** Whether the caller may order for a buyer in its scope: its own party, or any as brand staff (placement's rule). */
export function mayOrderFor(ctx: RequestContext, buyerId: number): boolean {
  return seesWholeTenant(ctx.actor) || ctx.actor.role === 'brand_sales' || ctx.actor.partyId === buyerId;
}

/** SHA-256 of what a draft's caller was asked for (NewDraft.request), or null without one. */
function draftRequestHash(source: string, buyerId: number, request: unknown): Buffer | null {
  if (request === undefined) return null;
  return createHash('sha256')
    .update(JSON.stringify([1, source, buyerId, request]))
    .digest();
}

/**
 * The draft a buyer made with an idempotency key, or null; refused when that draft was asked for with another
 * request than `hash` (a draft made before migration 0039, or without a request, is taken as the same).
 */
async function draftByKey(ctx: RequestContext, buyerId: number, key: string | undefined, hash: Buffer | null): Promise<DraftView | null> {
  if (!key) return null;
  const [d] = await ctx.sql<{ id: number; other: boolean }[]>`
    select id::int, coalesce(request_hash <> ${hash}, false) as other from order_drafts
    where tenant_id = ${ctx.actor.tenantId} and buyer_party_id = ${buyerId} and idempotency_key = ${key}`;
  if (d?.other) throw new AppError(409, 'order_draft.key_reused', { draftId: d.id });
  return d ? ((await draftView(ctx.sql, ctx, d.id)) as DraftView) : null;
}

/**
 * Creates a draft (audited); the same idempotency key from the same buyer returns the first draft instead.
 * `keyLookedUp`: the caller has just looked the key up and found nothing (startDraft), so only a draft made at the
 * same instant is looked for again.
 */
export async function createDraft(
  ctx: RequestContext,
  input: NewDraft,
  keyLookedUp = false,
): Promise<{ draft: DraftView; replayed: boolean }> {
  const t = ctx.actor.tenantId;
  if (!mayOrderFor(ctx, input.buyerId)) throw AppError.forbidden('order.not_your_party', {});
  const hash = input.idempotencyKey ? draftRequestHash(input.source, input.buyerId, input.request) : null;
  const existing = async () => {
    const draft = await draftByKey(ctx, input.buyerId, input.idempotencyKey, hash);
    return draft ? { draft, replayed: true } : null;
  };
  const first = keyLookedUp ? null : await existing();
  if (first) return first;
  try {
    const id = await ctx.sql.begin(async (tx) => {
      const [row] = await tx<{ id: number }[]>`
        insert into order_drafts (tenant_id, buyer_party_id, seller_party_id, source, params, idempotency_key, request_hash, created_by)
        values (${t}, ${input.buyerId}, ${input.sellerId}, ${input.source}, ${tx.json((input.params ?? {}) as never)},
          ${input.idempotencyKey ?? null}, ${hash}, ${actorLabel(ctx.actor)})
        returning id::int`;
      const draftId = Number(row?.id);
      await writeLines(tx, t, draftId, input.lines);
      await appendAudit(tx, whoOf(ctx), {
        action: 'order_draft.create',
        entityType: 'order_draft',
        entityId: draftId,
        details: { source: input.source, lines: input.lines.length, ...(input.params ?? {}) },
      });
      return draftId;
    });
    return { draft: (await draftView(ctx.sql, ctx, id)) as DraftView, replayed: false };
  } catch (e) {
    // the same key at the same instant: the loser answers with the winner's draft
    const again = isUniqueViolation(e) ? await existing() : null;
    if (again) return again;
    throw e;
  }
}

/**
 * Starts a draft by hand (audited): empty, or with the lines the buyer picked, to the buyer's supplier, so a buyer
 * with no suggestions (a new store, or one that sold nothing for want of stock) can still order. Lines are checked
 * as edits are. Sent again with its idempotency key, it answers with the first draft as it is now (a retry of the
 * same tap; the draft is shown and edited before anything is placed).
 */
export async function startDraft(
  ctx: RequestContext,
  buyer: { id: number; sellerId: number },
  lines: { sku: string; quantity: number }[],
  idempotencyKey: string | undefined,
): Promise<{ draft: DraftView; replayed: boolean }> {
  if (!mayOrderFor(ctx, buyer.id)) throw AppError.forbidden('order.not_your_party', {});
  // the lines picked, in SKU order: the same tap sent again with its lines in another order is the same request
  const request = lines.map((l): [string, number] => [l.sku, l.quantity]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const first = await draftByKey(ctx, buyer.id, idempotencyKey, idempotencyKey ? draftRequestHash('manual', buyer.id, request) : null);
  if (first) return { draft: first, replayed: true };
  const bySku = await checkLines(ctx.sql, ctx.actor.tenantId, lines);
  return createDraft(
    ctx,
    {
      buyerId: buyer.id,
      sellerId: buyer.sellerId,
      source: 'manual',
      lines: lines.map((l) => ({ productId: (bySku.get(l.sku) as { id: number }).id, quantity: l.quantity })),
      ...(idempotencyKey ? { idempotencyKey, request } : {}),
    },
    true,
  );
}

/**
 * Checks lines as placement will check them: a known active SKU, once, a positive whole quantity, at least the
 * minimum and in whole case multiples. Every bad line is named (/body/lines/N); the products by SKU otherwise.
 */
async function checkLines(db: Db, t: number, lines: { sku: string; quantity: number }[]): Promise<Map<string, { id: number }>> {
  const products = lines.length
    ? await db<{ id: number; sku: string; status: string; min_qty: number | null; multiple_of: number | null }[]>`
      select p.id::int, p.sku, p.status, r.min_qty, r.multiple_of from products p
      left join order_rules r on r.tenant_id = p.tenant_id and r.product_id = p.id
      where p.tenant_id = ${t} and p.sku = any(${lines.map((l) => l.sku)}::text[])`
    : [];
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    const p = bySku.get(l.sku);
    if (p?.status !== 'active') errors.push({ pointer: `/body/lines/${i}/sku`, code: 'order.unknown_sku', params: { value: l.sku } });
    else if (seen.has(l.sku)) errors.push({ pointer: `/body/lines/${i}/sku`, code: 'order.duplicate_line', params: { value: l.sku } });
    seen.add(l.sku);
    const at = `/body/lines/${i}/quantity`;
    if (!Number.isInteger(l.quantity) || l.quantity <= 0)
      errors.push({ pointer: at, code: 'order.bad_quantity', params: { value: l.quantity } });
    else if (p?.min_qty && l.quantity < p.min_qty)
      errors.push({ pointer: at, code: 'order.below_minimum', params: { value: l.quantity, min: p.min_qty } });
    else if (p?.multiple_of && l.quantity % p.multiple_of !== 0)
      errors.push({ pointer: at, code: 'order.not_case_multiple', params: { value: l.quantity, multiple: p.multiple_of } });
  });
  if (errors.length) throw AppError.invalid(errors);
  return bySku;
}

async function writeLines(tx: Tx, tenantId: number, draftId: number, lines: DraftLineInput[]): Promise<void> {
  await tx`delete from order_draft_lines where tenant_id = ${tenantId} and draft_id = ${draftId}`;
  if (!lines.length) return;
  await tx`
    insert into order_draft_lines (tenant_id, draft_id, line_no, product_id, quantity, suggested_qty)
    select ${tenantId}, ${draftId}, * from unnest(${lines.map((_, i) => i + 1)}::int[], ${lines.map((l) => l.productId)}::bigint[],
      ${lines.map((l) => l.quantity)}::int[], ${lines.map((l) => l.suggested ?? null)}::int[])`;
}

/** A draft the caller may see (its buyer in the caller's scope), with its lines; null when there is none. */
export async function draftView(db: Db, ctx: RequestContext, id: number): Promise<DraftView | null> {
  const t = ctx.actor.tenantId;
  const [d] = await db<Record<string, unknown>[]>`
    select d.id::int, d.status, d.source, d.params, d.created_by, d.created_at, d.updated_at,
      p.code as buyer_code, p.name as buyer_name, s.code as seller_code, s.name as seller_name,
      o.id::int as order_id, o.order_no, o.status as order_status
    from order_drafts d
    join parties p on p.tenant_id = d.tenant_id and p.id = d.buyer_party_id
    join parties s on s.tenant_id = d.tenant_id and s.id = d.seller_party_id
    left join orders o on o.tenant_id = d.tenant_id and o.id = d.order_id
    where d.tenant_id = ${t} and d.id = ${id} and ${partyScope(ctx.sql, ctx.actor)}`;
  if (!d) return null;
  const lines = await db<
    {
      line_no: number;
      sku: string;
      name_zh: string;
      name_en: string;
      quantity: number;
      suggested_qty: number | null;
      min_qty: number | null;
      multiple_of: number | null;
    }[]
  >`
    select l.line_no, p.sku, p.name_zh, p.name_en, l.quantity, l.suggested_qty, r.min_qty, r.multiple_of
    from order_draft_lines l
    join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
    left join order_rules r on r.tenant_id = l.tenant_id and r.product_id = l.product_id
    where l.tenant_id = ${t} and l.draft_id = ${id} order by l.line_no`;
  return {
    id: Number(d.id),
    status: d.status as DraftStatus,
    source: d.source as string,
    params: d.params as Record<string, unknown>,
    buyer: { code: d.buyer_code as string, name: d.buyer_name as string },
    seller: { code: d.seller_code as string, name: d.seller_name as string },
    order: d.order_id == null ? null : { id: Number(d.order_id), orderNo: d.order_no as string, status: d.order_status as string },
    createdBy: d.created_by as string,
    createdAt: d.created_at as Date,
    updatedAt: d.updated_at as Date,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      sku: l.sku,
      name: ctx.locale === 'en' ? l.name_en : l.name_zh,
      quantity: l.quantity,
      suggested: l.suggested_qty,
      minQty: l.min_qty,
      multipleOf: l.multiple_of,
    })),
  };
}

/** The drafts whose buyer is in the caller's scope, newest first. */
export async function listDrafts(ctx: RequestContext, status: DraftStatus | undefined, limit: number) {
  const t = ctx.actor.tenantId;
  const rows = await ctx.sql`
    select d.id::int, d.status, d.source, d.created_at, d.created_by, p.code as buyer_code, p.name as buyer_name,
      (select count(*)::int from order_draft_lines l where l.tenant_id = d.tenant_id and l.draft_id = d.id) as lines,
      (select coalesce(sum(l.quantity), 0)::int from order_draft_lines l where l.tenant_id = d.tenant_id and l.draft_id = d.id) as units
    from order_drafts d join parties p on p.tenant_id = d.tenant_id and p.id = d.buyer_party_id
    where d.tenant_id = ${t} and ${partyScope(ctx.sql, ctx.actor)} ${status ? ctx.sql`and d.status = ${status}` : ctx.sql``}
    order by d.created_at desc, d.id desc limit ${limit}`;
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    source: r.source,
    createdAt: r.created_at,
    createdBy: r.created_by,
    buyer: { code: r.buyer_code, name: r.buyer_name },
    lines: r.lines,
    units: r.units,
  }));
}

interface Locked {
  id: number;
  status: DraftStatus;
  placing: boolean;
  buyer_party_id: number;
  buyer_code: string;
  order_id: number | null;
}

/** The draft, locked for this transaction, if the caller may order for its buyer; 404 when it is not the caller's to see. */
async function lockDraft(tx: Tx, ctx: RequestContext, id: number): Promise<Locked> {
  const t = ctx.actor.tenantId;
  const [d] = await tx<Locked[]>`
    select d.id::int, d.status, d.in_placement as placing, d.buyer_party_id::int, p.code as buyer_code, d.order_id::int
    from order_drafts d join parties p on p.tenant_id = d.tenant_id and p.id = d.buyer_party_id
    where d.tenant_id = ${t} and d.id = ${id} and ${partyScope(ctx.sql, ctx.actor)}
    for update of d`;
  if (!d) throw AppError.notFound();
  if (!mayOrderFor(ctx, d.buyer_party_id)) throw AppError.forbidden('order.not_your_party', { value: d.buyer_code });
  return d;
}

/** An open draft not being placed right now, or the refusal to change it. */
function assertEditable(d: Locked): void {
  if (d.status === 'open' && !d.placing) return;
  const code = d.status === 'open' ? 'draft.being_placed' : 'draft.not_open';
  throw new AppError(409, code, { status: d.status }, [{ pointer: '/params/id', code, params: { status: d.status } }]);
}

/**
 * Replaces an open draft's lines (audited); none empties it. Each line is checked as placement will check it
 * (checkLines); a bad line changes nothing.
 */
export async function replaceDraftLines(ctx: RequestContext, id: number, lines: { sku: string; quantity: number }[]): Promise<DraftView> {
  const t = ctx.actor.tenantId;
  await ctx.sql.begin(async (tx) => {
    assertEditable(await lockDraft(tx, ctx, id));
    const bySku = await checkLines(tx, t, lines);
    // what the suggestion said stays with its product when the user changes the quantity
    const suggested = await tx<{ product_id: number; suggested_qty: number | null }[]>`
      select product_id::int, suggested_qty from order_draft_lines where tenant_id = ${t} and draft_id = ${id}`;
    const suggestedOf = new Map(suggested.map((s) => [s.product_id, s.suggested_qty]));
    const next = lines.map((l) => {
      const productId = (bySku.get(l.sku) as { id: number }).id;
      return { productId, quantity: l.quantity, suggested: suggestedOf.get(productId) ?? null };
    });
    await writeLines(tx, t, id, next);
    await tx`update order_drafts set updated_at = now() where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'order_draft.edit',
      entityType: 'order_draft',
      entityId: id,
      details: { lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) },
    });
  });
  return (await draftView(ctx.sql, ctx, id)) as DraftView;
}

/**
 * Adds a product to an open draft at the smallest quantity its seller accepts (the minimum, in whole case
 * multiples), so a phone's stepper starts from a valid quantity; a product already on the draft stays as it is.
 */
export async function addDraftLine(ctx: RequestContext, id: number, sku: string): Promise<DraftView> {
  const t = ctx.actor.tenantId;
  await ctx.sql.begin(async (tx) => {
    assertEditable(await lockDraft(tx, ctx, id));
    const [p] = await tx<{ id: number; min_qty: number | null; multiple_of: number | null }[]>`
      select p.id::int, r.min_qty, r.multiple_of from products p
      left join order_rules r on r.tenant_id = p.tenant_id and r.product_id = p.id
      where p.tenant_id = ${t} and p.sku = ${sku} and p.status = 'active'`;
    if (!p) throw AppError.field('/body/sku', 'order.unknown_sku', { value: sku });
    const multiple = p.multiple_of ?? 1;
    const quantity = Math.ceil((p.min_qty ?? 1) / multiple) * multiple;
    const [added] = await tx<{ line_no: number }[]>`
      insert into order_draft_lines (tenant_id, draft_id, line_no, product_id, quantity)
      select ${t}, ${id}, coalesce(max(line_no), 0) + 1, ${p.id}, ${quantity} from order_draft_lines
      where tenant_id = ${t} and draft_id = ${id}
      -- one row (the next line number) unless the product is on the draft already
      having not exists (select 1 from order_draft_lines where tenant_id = ${t} and draft_id = ${id} and product_id = ${p.id})
      returning line_no`;
    if (!added) return;
    await tx`update order_drafts set updated_at = now() where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'order_draft.edit',
      entityType: 'order_draft',
      entityId: id,
      details: { added: { sku, quantity } },
    });
  });
  return (await draftView(ctx.sql, ctx, id)) as DraftView;
}

/** Discards an open draft (audited); discarding it again changes nothing; a placed draft cannot be discarded. */
export async function discardDraft(ctx: RequestContext, id: number): Promise<DraftView> {
  const t = ctx.actor.tenantId;
  await ctx.sql.begin(async (tx) => {
    const d = await lockDraft(tx, ctx, id);
    if (d.status === 'discarded') return;
    assertEditable(d);
    await tx`update order_drafts set status = 'discarded', updated_at = now() where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), { action: 'order_draft.discard', entityType: 'order_draft', entityId: id, details: {} });
  });
  return (await draftView(ctx.sql, ctx, id)) as DraftView;
}

/**
 * Places a draft as an order (audited). Three steps, so that no connection is held while placeOrder (its own
 * transaction) waits for another: mark the draft as being placed and read its lines; place with the idempotency
 * key `draft:<id>`; record the order on the draft. Placing a placed draft again, or two placements at once, or a
 * retry after a crash between the steps, all reach the same order (`replayed`). A refused placement (funds,
 * prices, rules) leaves the draft open and editable and says why per line: the pointers /body/lines/N are the
 * draft's lines in order.
 */
export async function placeDraft(ctx: RequestContext, id: number): Promise<{ draft: DraftView; order: PlacedOrder }> {
  const t = ctx.actor.tenantId;
  const { draft, lines } = await ctx.sql.begin(async (tx) => {
    const d = await lockDraft(tx, ctx, id);
    if (d.status === 'discarded') assertEditable(d);
    const rows = await tx<{ sku: string; quantity: number }[]>`
      select p.sku, l.quantity from order_draft_lines l join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where l.tenant_id = ${t} and l.draft_id = ${id} order by l.line_no`;
    if (d.status === 'open' && !rows.length)
      throw new AppError(409, 'draft.empty', {}, [{ pointer: '/params/id', code: 'draft.empty', params: {} }]);
    if (d.status === 'open') await tx`update order_drafts set in_placement = true where tenant_id = ${t} and id = ${id}`;
    return { draft: d, lines: rows };
  });
  let placed: PlacedOrder;
  try {
    placed = await placeOrder(ctx, { buyer: draft.buyer_code, lines, idempotencyKey: `draft:${id}` });
  } catch (e) {
    await ctx.sql`update order_drafts set in_placement = false where tenant_id = ${t} and id = ${id} and status = 'open'`;
    throw e;
  }
  const first = await ctx.sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      update order_drafts set status = 'placed', in_placement = false, order_id = ${placed.id}, updated_at = now()
      where tenant_id = ${t} and id = ${id} and status = 'open' returning id::int`;
    if (!row) return false;
    await appendAudit(tx, whoOf(ctx), {
      action: 'order_draft.place',
      entityType: 'order_draft',
      entityId: id,
      details: { orderId: placed.id, orderNo: placed.orderNo, status: placed.status },
    });
    return true;
  });
  return { draft: (await draftView(ctx.sql, ctx, id)) as DraftView, order: { ...placed, replayed: placed.replayed || !first } };
}
