/** All-or-nothing import of 100,000 stores from one .xlsx file (read, check, COPY). Target: >= 20,000 rows/s. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadDemo } from '../src/demo/load-demo.ts';
import { partiesImport } from '../src/modules/parties/import-spec.ts';
import { runImport } from '../src/platform/import-driver.ts';
import { writeTable } from '../src/platform/tabular/index.ts';
import { emit, freshDatabase, isMain } from './support.ts';

export async function run(): Promise<void> {
  const db = await freshDatabase(54350);
  const file = path.join(os.tmpdir(), 'tl-bench-stores.xlsx');
  try {
    // the demo brand with its distributors but no stores; then the stores of a second demo as the file
    await loadDemo(db.sql, { stores: 0 });
    const [t] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const { demoChannel } = await import('../src/demo/channel-data.ts');
    const { seededRandom } = await import('../src/demo/random.ts');
    const stores = demoChannel(seededRandom(99), 100_000).parties.filter((p) => p.kind === 'store');
    const columns = partiesImport.columns.map((c) => ({ key: c.key, header: c.header }));
    await pipeline(
      writeTable(
        'xlsx',
        columns,
        stores.map((s) => ({
          code: s.code,
          name: s.name,
          kind: s.kind,
          gln: s.gln ?? null,
          tier: null,
          parent_code: s.parentCode ?? null,
          province_code: s.provinceCode ?? null,
          city_code: s.cityCode ?? null,
          district_code: s.districtCode ?? null,
          address: s.address ?? null,
          lat: null,
          lng: null,
          contact_name: s.contactName ?? null,
          phone: s.phone ?? null,
          territories: null,
        })),
      ),
      fs.createWriteStream(file),
    );
    const buf = fs.readFileSync(file);
    // three imports of the same file, each into its own brand (with its distributors), as three brands would
    const rates: number[] = [];
    for (let run = 0; run < 3; run++) {
      const tenantId = run === 0 ? (t?.id as number) : await newBrand(db.sql, `import${run}`);
      const started = performance.now();
      const r = await runImport(db.sql, partiesImport, buf, 'xlsx', { tenantId, locale: 'zh-CN' });
      const seconds = (performance.now() - started) / 1000;
      if (run === 0) {
        emit('import-stores', 'import_rows', r.imported, 'rows');
        emit('import-stores', 'import_seconds', seconds, 's');
      }
      rates.push(r.imported / seconds);
    }
    rates.sort((a, b) => a - b);
    emit('import-stores', 'import_rows_per_s_worst_of_3', rates[0] as number, 'rows/s');
    emit('import-stores', 'import_rows_per_s_median_of_3', rates[1] as number, 'rows/s');
    emit('import-stores', 'import_rows_per_s_best_of_3', rates[2] as number, 'rows/s');
  } finally {
    fs.rmSync(file, { force: true });
    await db.close();
  }
}

async function newBrand(sql: import('../src/db/connection.ts').Sql, tenant: string): Promise<number> {
  await loadDemo(sql, { stores: 0, tenant });
  const [row] = await sql<{ id: number }[]>`select id from tenants where code = ${tenant}`;
  return Number(row?.id);
}

if (isMain(import.meta.url)) await run();
