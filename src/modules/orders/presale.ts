/**
 * Presale orders (预售) are taken before the seller has the goods: they wait (status awaiting_stock, funds
 * reserved) until the seller's stock covers them, and are then released for shipping first come, first served.
 * Stock that earlier approved orders still need is not counted as free: an order is released only when the seller's
 * on-hand stock minus what approved and partly shipped orders still need covers every one of its lines.
 * Released by the waiting-orders worker (waiting-orders.ts) and on demand.
 */
import type { Sql, Tx } from '../../db/connection.ts';
import { emitOrderWebhooks } from './order-webhooks.ts';

interface WaitingLine {
  order_id: number;
  order_no: string;
  seller: number;
  seller_kind: string;
  gtin: string;
  remaining: number;
}

/** Releases the presale orders that stock now covers; returns their ids (oldest first). */
export async function releasePresaleOrders(sql: Sql, t: number): Promise<number[]> {
  return sql.begin((tx) => releasePresaleIn(tx, t));
}

/** The same, inside the caller's transaction. */
export async function releasePresaleIn(tx: Tx, t: number): Promise<number[]> {
  const waiting = await tx<WaitingLine[]>`
    select o.id::int as order_id, o.order_no, o.seller_party_id::int as seller, s.kind as seller_kind, p.gtin, (l.quantity - l.shipped_qty)::int as remaining
    from orders o
    join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
    join order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
    join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
    where o.tenant_id = ${t} and o.status = 'awaiting_stock'
    order by o.created_at, o.id
    for update of o skip locked`;
  if (!waiting.length) return [];
  const sellers = [...new Set(waiting.map((w) => w.seller))];
  const gtins = [...new Set(waiting.map((w) => w.gtin))];
  // free stock per seller and product: on hand (the brand's is at its factories and warehouses) minus what approved
  // orders still need
  const free = await tx<{ seller: number; gtin: string; free: string }[]>`
    with sellers as (
      select s.id as seller, s.kind from parties s where s.tenant_id = ${t} and s.id = any(${sellers}::bigint[])
    ), on_hand as (
      select x.seller, st.gtin, sum(st.on_hand) as n
      from sellers x
      join parties h on h.tenant_id = ${t} and (case when x.kind = 'brand' then h.kind in ('factory', 'warehouse', 'brand') else h.id = x.seller end)
      join stock st on st.tenant_id = h.tenant_id and st.holder_party_id = h.id and st.gtin = any(${gtins}::text[])
      group by 1, 2
    ), committed as (
      select o.seller_party_id as seller, p.gtin, sum(l.quantity - l.shipped_qty) as n
      from orders o
      join order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
      join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where o.tenant_id = ${t} and o.seller_party_id = any(${sellers}::bigint[]) and o.status in ('approved', 'partially_shipped')
        and p.gtin = any(${gtins}::text[])
      group by 1, 2
    )
    select h.seller::int, h.gtin, (h.n - coalesce(c.n, 0))::text as free
    from on_hand h left join committed c on c.seller = h.seller and c.gtin = h.gtin`;
  const available = new Map(free.map((f) => [`${f.seller}:${f.gtin}`, Number(f.free)]));
  const byOrder = new Map<number, WaitingLine[]>();
  for (const w of waiting) byOrder.set(w.order_id, [...(byOrder.get(w.order_id) ?? []), w]);
  const released: { id: number; order_no: string }[] = [];
  for (const [id, lines] of byOrder) {
    // all or nothing per order, in arrival order: an order that does not fit waits and does not block smaller ones
    if (!lines.every((l) => (available.get(`${l.seller}:${l.gtin}`) ?? 0) >= l.remaining)) continue;
    for (const l of lines) available.set(`${l.seller}:${l.gtin}`, (available.get(`${l.seller}:${l.gtin}`) ?? 0) - l.remaining);
    released.push({ id, order_no: (lines[0] as WaitingLine).order_no });
  }
  if (!released.length) return [];
  const ids = released.map((r) => r.id);
  await Promise.all([
    tx`update orders set status = 'approved', updated_at = now() where tenant_id = ${t} and id = any(${ids}::bigint[])`,
    tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      select ${t}, o, 'stock_arrived', 'system:presale', '{}'::jsonb from unnest(${ids}::bigint[]) o`,
    emitOrderWebhooks(
      tx,
      t,
      released.map((r) => ({ type: 'order.stock_arrived' as const, payload: { orderId: r.id, orderNo: r.order_no, status: 'approved' } })),
    ),
  ]);
  return ids;
}
