/** `npm run bench -- NAME` runs bench/NAME.bench.ts; with no NAME, every benchmark in turn. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const names = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''))
  .sort();
const wanted = process.argv.slice(2);
for (const w of wanted) if (!names.includes(w)) throw new Error(`no benchmark ${w}; have: ${names.join(', ')}`);
for (const name of wanted.length ? wanted : names) {
  const mod = (await import(path.join(dir, `${name}.bench.ts`))) as { run(): Promise<void> };
  await mod.run();
}
