import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/http/problem.ts';
import { productsImport } from '../../src/modules/catalog/import-spec.ts';
import { partiesImport } from '../../src/modules/parties/import-spec.ts';
import { runImport } from '../../src/platform/import-driver.ts';
import { writeTable } from '../../src/platform/tabular/index.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
let tenantId: number;
const columns = partiesImport.columns.map((c) => ({ key: c.header, header: c.header }));

async function xlsx(rows: Record<string, string | number | null>[]): Promise<Buffer> {
  const file = path.join(os.tmpdir(), `tl-import-${process.pid}-${Date.now()}.xlsx`);
  await pipeline(writeTable('xlsx', columns, rows), fs.createWriteStream(file));
  return fs.readFileSync(file);
}

const store = (code: string, extra: Record<string, string> = {}) => ({
  code,
  name: `测试门店${code}`,
  kind: 'store',
  parent_code: 'D0001',
  district_code: '110105',
  gln: '',
  ...extra,
});

beforeAll(async () => {
  db = await createTestDb();
  const [t] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = t?.id as number;
});
afterAll(async () => db?.drop());

async function countParties() {
  const [c] = await db.sql<{ n: number }[]>`select count(*)::int as n from parties where tenant_id = ${tenantId}`;
  return c?.n;
}

describe('spreadsheet import of parties', () => {
  it('imports every row of a valid .xlsx in one go, parents before or after their children', async () => {
    const before = await countParties();
    const file = await xlsx([
      store('T00001', { parent_code: 'TD01' }),
      {
        code: 'TD01',
        name: '测试二级经销商',
        kind: 'distributor',
        tier: '2',
        parent_code: 'D0001',
        district_code: '110105',
        territories: '110105;110106',
      },
      store('T00002'),
    ]);
    const r = await runImport(db.sql, partiesImport, file, 'xlsx', { tenantId, locale: 'zh-CN' });
    expect(r.imported).toBe(3);
    expect(await countParties()).toBe((before ?? 0) + 3);
    const [child] = await db.sql<
      { ancestors: number[] }[]
    >`select ancestors from parties where tenant_id = ${tenantId} and code = 'T00001'`;
    expect(child?.ancestors).toHaveLength(3); // brand -> D0001 -> TD01
  });

  it('writes nothing when one row is bad, and reports every bad row with its row number, column and reason', async () => {
    const before = await countParties();
    const file = await xlsx([
      store('T10001'),
      store('T10002', { gln: '6934560000000' }),
      store('T10003', { district_code: '999999' }),
      store('T10001'),
      store('T10004', { parent_code: 'NOPE' }),
    ]);
    const err = await runImport(db.sql, partiesImport, file, 'xlsx', { tenantId, locale: 'en' }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('import.invalid_rows');
    const errors = err.extra.errors as { row: number; column: string; code: string; reason: string }[];
    expect(errors).toContainEqual(expect.objectContaining({ row: 3, column: 'gln', code: 'gln.check_digit' }));
    expect(errors).toContainEqual(expect.objectContaining({ row: 4, column: 'district_code', code: 'division.unknown' }));
    expect(errors.find((e) => e.row === 4)?.reason).toMatch(/999999/);
    expect(await countParties()).toBe(before);
  });

  it('refuses duplicates inside the file and codes that already exist, writing nothing', async () => {
    const before = await countParties();
    const csv = Buffer.from(
      `\uFEFFcode,name,kind,parent_code,district_code\nS000001,重复,store,D0001,110105\nT2,甲,store,D0001,110105\nT2,乙,store,D0001,110105\n`,
    );
    const err = await runImport(db.sql, partiesImport, csv, 'csv', { tenantId, locale: 'zh-CN' }).catch((e) => e);
    const errors = err.extra.errors as { row: number; code: string }[];
    expect(errors.map((e) => [e.row, e.code])).toEqual(
      expect.arrayContaining([
        [2, 'import.exists'],
        [4, 'import.duplicate'],
      ]),
    );
    expect(await countParties()).toBe(before);
  });

  it('names the row whose code or GLN is already taken even when only the database knows it', async () => {
    const before = await countParties();
    const csv = Buffer.from(`code,name,kind,parent_code,district_code\nT10,新店,store,D0001,110105\nS000003,旧码,store,D0001,110105\n`);
    const err = await runImport(db.sql, partiesImport, csv, 'csv', { tenantId, locale: 'en' }).catch((e) => e);
    expect(err.extra.errors.map((e: { row: number; code: string; column: string }) => [e.row, e.column, e.code])).toEqual([
      [3, 'code', 'import.exists'],
    ]);
    expect(await countParties()).toBe(before);
    // the connection pool is still usable after the abandoned COPY
    expect(await countParties()).toBe(before);
  });

  it('says a store cannot supply a store, whether the store is in the file or in the database', async () => {
    const csv = Buffer.from(
      `code,name,kind,parent_code,district_code\nT20,子店,store,T21,110105\nT21,母店,store,D0001,110105\nT22,孙店,store,S000001,110105\n`,
    );
    const err = await runImport(db.sql, partiesImport, csv, 'csv', { tenantId, locale: 'en' }).catch((e) => e);
    expect(err.extra.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [2, 'field.invalid'],
      [4, 'field.invalid'],
    ]);
  });

  it('rejects a file that is not a spreadsheet with a clear reason', async () => {
    const err = await runImport(db.sql, partiesImport, Buffer.from('not a zip'), 'xlsx', { tenantId, locale: 'en' }).catch((e) => e);
    expect(err.code).toBe('import.bad_file');
  });
});

describe('spreadsheet import of products', () => {
  it('checks GTIN check digits on every packaging level and writes nothing on error', async () => {
    const [before] = await db.sql<{ n: number }[]>`select count(*)::int as n from products where tenant_id = ${tenantId}`;
    const csv = Buffer.from(
      'sku,gtin,name_zh,name_en,category,shelf_life_days,list_price,case_gtin,case_quantity\n' +
        'NEW-1,06901234999995,新品,New,milk,30,12.50,16901234999992,12\n' +
        'NEW-2,06901234999988,新品2,New 2,milk,30,9.9,16901234999980,12\n',
    );
    const err = await runImport(db.sql, productsImport, csv, 'csv', { tenantId, locale: 'en' }).catch((e) => e);
    expect(err.code).toBe('import.invalid_rows');
    const [after] = await db.sql<{ n: number }[]>`select count(*)::int as n from products where tenant_id = ${tenantId}`;
    expect(after?.n).toBe(before?.n);
  });
});
