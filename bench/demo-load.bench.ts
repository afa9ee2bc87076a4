/** Demo load of the whole brand (100,000 stores) into an empty database. Target: under 60 s. */
import { loadDemo } from '../src/demo/load-demo.ts';
import { emit, freshDatabase, isMain } from './support.ts';

export async function run(): Promise<void> {
  const db = await freshDatabase();
  try {
    const started = performance.now();
    await loadDemo(db.sql, { stores: 100_000 });
    emit('demo-load', 'demo_load_seconds', (performance.now() - started) / 1000, 's');
  } finally {
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
