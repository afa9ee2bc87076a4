/**
 * Code batches: a batch of up to a billion codes for one GTIN is one row. Its serials are computed from
 * (key version, batch number, index) when the print file is made, and a scanned serial is traced back to
 * its batch and index without any row per code.
 */
import type { Readable } from 'node:stream';
import type { Db, RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { parseGtin } from '../../platform/gs1.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import type { Keystore } from './keystore.ts';
import { labelSheetCapacity, labelSheetSvg } from './label-sheet.ts';
import { labelSheetPdf } from './label-sheet-pdf.ts';
import { generatePrintFile } from './print-file.ts';
import { codesFor, type DecodedSerial, decodeSerials, MAX_BATCH_NO, MAX_BATCH_SIZE, serialKeyVersion } from './serials.ts';

export interface CodeBatch {
  id: number;
  gtin: string;
  productId: number;
  productName: string | null;
  batchNo: number;
  keyVersion: number;
  quantity: number;
  resolver: string;
  note: string | null;
  createdAt: Date;
}

interface BatchRow {
  id: number;
  gtin: string;
  product_id: number;
  product_name: string | null;
  batch_no: number;
  key_version: number;
  quantity: number;
  resolver: string;
  note: string | null;
  created_at: Date;
}

const toBatch = (r: BatchRow): CodeBatch => ({
  id: Number(r.id),
  gtin: r.gtin,
  productId: Number(r.product_id),
  productName: r.product_name,
  batchNo: r.batch_no,
  keyVersion: r.key_version,
  quantity: Number(r.quantity),
  resolver: r.resolver,
  note: r.note,
  createdAt: r.created_at,
});

export const RESOLVER_HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?(\/[A-Za-z0-9._~-]+)*$/;

export async function createBatch(
  ctx: RequestContext,
  keystore: Keystore,
  input: { gtin: string; quantity: number; resolver?: string; note?: string },
  defaultResolver: string,
): Promise<CodeBatch> {
  const g = parseGtin(input.gtin);
  if (!g.ok) throw AppError.field('/body/gtin', g.code, { value: input.gtin });
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_BATCH_SIZE - 1 || input.quantity > 1_000_000_000) {
    throw AppError.field('/body/quantity', 'field.invalid', { field: 'quantity', reason: '1 .. 1,000,000,000' });
  }
  const resolver = input.resolver ?? defaultResolver;
  if (!RESOLVER_HOST.test(resolver)) throw AppError.field('/body/resolver', 'field.invalid', { field: 'resolver', reason: 'a host name' });
  const tenantId = ctx.actor.tenantId;
  const ring = await keystore.keyring(ctx.sql, tenantId);
  return ctx.sql.begin(async (tx) => {
    const [level] = await tx<{ product_id: number }[]>`
      select product_id from packaging_levels where tenant_id = ${tenantId} and gtin = ${g.value}`;
    if (!level) throw AppError.field('/body/gtin', 'code.gtin_unknown', { value: g.value });
    // batch numbers are sequential per GTIN: one creator at a time per GTIN
    await tx`select pg_advisory_xact_lock(hashtext(${`code_batches:${tenantId}:${g.value}`}))`;
    const [next] = await tx<{ n: number }[]>`
      select coalesce(max(batch_no) + 1, 0)::int as n from code_batches where tenant_id = ${tenantId} and gtin = ${g.value}`;
    const batchNo = next?.n ?? 0;
    if (batchNo > MAX_BATCH_NO) throw new AppError(409, 'code.batches_exhausted', { gtin: g.value });
    const [row] = await tx<{ id: number }[]>`
      insert into code_batches (tenant_id, product_id, gtin, batch_no, key_version, quantity, resolver, note, created_by)
      values (${tenantId}, ${level.product_id}, ${g.value}, ${batchNo}, ${ring.current}, ${input.quantity}, ${resolver},
        ${input.note ?? null}, ${ctx.actor.kind === 'user' ? ctx.actor.id : null})
      returning id`;
    const id = Number(row?.id);
    await appendAudit(tx, whoOf(ctx), {
      action: 'codes.batch.create',
      entityType: 'code_batch',
      entityId: id,
      details: { gtin: g.value, batchNo, quantity: input.quantity, keyVersion: ring.current },
    });
    const batch = await getBatch({ ...ctx, sql: tx as never }, id);
    return batch;
  });
}

export async function getBatch(ctx: RequestContext, id: number): Promise<CodeBatch> {
  const [r] = await ctx.sql<BatchRow[]>`
    select b.*, case when ${ctx.locale} = 'en' then p.name_en else p.name_zh end as product_name
    from code_batches b join products p on p.tenant_id = b.tenant_id and p.id = b.product_id
    where b.tenant_id = ${ctx.actor.tenantId} and b.id = ${id}`;
  if (!r) throw AppError.notFound();
  return toBatch(r);
}

export async function listBatches(ctx: RequestContext, page: number, pageSize: number) {
  const [rows, [count]] = await Promise.all([
    ctx.sql<BatchRow[]>`
      select b.*, case when ${ctx.locale} = 'en' then p.name_en else p.name_zh end as product_name
      from code_batches b join products p on p.tenant_id = b.tenant_id and p.id = b.product_id
      where b.tenant_id = ${ctx.actor.tenantId} order by b.created_at desc, b.id desc
      limit ${pageSize} offset ${(page - 1) * pageSize}`,
    ctx.sql<{ n: number }[]>`select count(*)::int as n from code_batches where tenant_id = ${ctx.actor.tenantId}`,
  ]);
  return { items: rows.map(toBatch), total: count?.n ?? 0, page, pageSize };
}

/** The label printer's file: a zip streamed as it is made, optionally AES-256 encrypted. */
export async function printFile(
  ctx: RequestContext,
  keystore: Keystore,
  id: number,
  password?: string,
): Promise<{ batch: CodeBatch; stream: Readable }> {
  const batch = await getBatch(ctx, id);
  const keys = await keystore.keyring(ctx.sql, ctx.actor.tenantId);
  const stream = generatePrintFile({
    keys,
    gtin: batch.gtin,
    resolverHost: batch.resolver,
    batch: { keyVersion: batch.keyVersion, batchNo: batch.batchNo },
    count: batch.quantity,
    password: password || undefined,
  });
  return { batch, stream };
}

export async function labelSheet(ctx: RequestContext, keystore: Keystore, id: number, count: number): Promise<string> {
  const batch = await getBatch(ctx, id);
  const keys = await keystore.keyring(ctx.sql, ctx.actor.tenantId);
  const n = Math.min(count, labelSheetCapacity(), batch.quantity);
  const codes = codesFor(keys, { gtin: batch.gtin, keyVersion: batch.keyVersion, batchNo: batch.batchNo }, 0, n);
  return labelSheetSvg({
    gtin: batch.gtin,
    resolverHost: batch.resolver,
    codes,
    title: `${batch.productName ?? ''} ${batch.gtin} #${batch.batchNo}`,
  });
}

/**
 * The first `count` labels of a batch as a PDF, one A4 page per sheet (the SVG is one sheet). The title is the
 * product's English name: the PDF's standard fonts have no Chinese.
 */
export async function labelSheetPdfOf(
  ctx: RequestContext,
  keystore: Keystore,
  id: number,
  count: number,
): Promise<{ batch: CodeBatch; pdf: Buffer }> {
  const batch = await getBatch(ctx, id);
  const [keys, [product]] = await Promise.all([
    keystore.keyring(ctx.sql, ctx.actor.tenantId),
    ctx.sql<{ name_en: string }[]>`select name_en from products where tenant_id = ${ctx.actor.tenantId} and id = ${batch.productId}`,
  ]);
  const n = Math.min(count, batch.quantity);
  const codes = codesFor(keys, { gtin: batch.gtin, keyVersion: batch.keyVersion, batchNo: batch.batchNo }, 0, n);
  const pdf = await labelSheetPdf({
    gtin: batch.gtin,
    resolverHost: batch.resolver,
    codes,
    title: `${product?.name_en ?? ''} · GTIN ${batch.gtin} · batch #${batch.batchNo}`,
    subject: `Sample labels: ${n} codes of batch #${batch.batchNo}, resolver ${batch.resolver}`,
  });
  return { batch, pdf };
}

export interface IssuedCode {
  serial: string;
  decoded: DecodedSerial | null;
  batchId: number | null;
}

/**
 * Which of these serials of one GTIN this tenant issued: decoded to (key version, batch, index) and checked
 * against the batches' sizes. A forged or mistyped serial decodes to nothing.
 */
export async function issuedCodes(db: Db, keystore: Keystore, tenantId: number, gtin: string, serials: string[]): Promise<IssuedCode[]> {
  let keys = await keystore.keyring(db, tenantId);
  let decoded = decodeSerials(keys, gtin, serials);
  const loaded = new Set(keys.keys.map((k) => k.version));
  if (decoded.some((d, i) => !d && !loaded.has(serialKeyVersion(serials[i] ?? '') ?? -1) && serialKeyVersion(serials[i] ?? '') !== null)) {
    // a serial of a key version this node has not loaded yet (rotated on another node): look again, once
    keys = await keystore.keyring(db, tenantId, { fresh: true });
    decoded = decodeSerials(keys, gtin, serials);
  }
  const wanted = [...new Set(decoded.filter((d): d is DecodedSerial => !!d).map((d) => d.batchNo))];
  const batches = wanted.length
    ? await db<{ id: number; batch_no: number; key_version: number; quantity: number }[]>`
        select id, batch_no, key_version, quantity from code_batches where tenant_id = ${tenantId} and gtin = ${gtin} and batch_no = any(${wanted}::int[])`
    : [];
  const byNo = new Map(batches.map((b) => [b.batch_no, b]));
  return serials.map((serial, i) => {
    const d = decoded[i] ?? null;
    const b = d ? byNo.get(d.batchNo) : undefined;
    const ok = !!(d && b && b.key_version === d.keyVersion && d.index < Number(b.quantity));
    return { serial, decoded: ok ? d : null, batchId: ok && b ? Number(b.id) : null };
  });
}
