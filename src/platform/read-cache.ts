import type { Sql } from '../db/connection.ts';

/**
 * A read-through cache of serialized responses for read-mostly data (the channel tree, the catalogue),
 * invalidated by topic. Console lists are asked for over and over by many users while the data under
 * them changes a few times a day; answering them from memory is what lets a list page stay fast when a
 * hundred people open it at once.
 *
 * Correctness rests on generations, not on timing:
 * - every topic has a generation; an entry is served only while its topic's generation is unchanged;
 * - a load that started before an invalidation is not stored (it may have read the old data);
 * - PostgreSQL triggers `NOTIFY tl_cache, '<topic>'` on every write to the topic's tables, so writes made
 *   by another node, by the CLI or by hand reach every node at commit;
 * - a route that writes declares the topics it touches (`config.invalidates`), and the node that served the
 *   write bumps them before it answers, so the writer's next read never sees the old page;
 * - if the listening connection drops, notifications may have been missed, so everything is invalidated.
 * Entries also expire after `maxAgeMs` as a last line of defence.
 */
export class ReadCache {
  private readonly generations = new Map<string, number>();
  private readonly entries = new Map<string, { topic: string; generation: number; body: Buffer; storedAt: number }>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private bytes = 0;
  private unlisten: (() => Promise<void>) | null = null;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly maxAgeMs = 60_000,
  ) {}

  /**
   * The cached JSON body for `key` (UTF-8 bytes, ready for the socket), or the result of `load` serialized and
   * stored. Concurrent misses share one load.
   */
  async json(topic: string, key: string, load: () => Promise<unknown>): Promise<Buffer> {
    const fullKey = `${topic}\u0000${key}`;
    if (!this.generations.has(topic)) this.generations.set(topic, 0);
    const generation = this.generation(topic);
    const entry = this.entries.get(fullKey);
    if (entry && entry.generation === generation && Date.now() - entry.storedAt < this.maxAgeMs) {
      this.hits++;
      // refresh its place in the LRU order
      this.entries.delete(fullKey);
      this.entries.set(fullKey, entry);
      return entry.body;
    }
    this.misses++;
    const pending = this.inFlight.get(fullKey);
    if (pending) return pending;
    const loading = (async () => {
      try {
        const body = Buffer.from(JSON.stringify(await load()));
        if (this.generation(topic) === generation) this.store(fullKey, topic, generation, body);
        return body;
      } finally {
        this.inFlight.delete(fullKey);
      }
    })();
    this.inFlight.set(fullKey, loading);
    return loading;
  }

  invalidate(topic: string): void {
    this.generations.set(topic, this.generation(topic) + 1);
    // a load in flight read data that may now be stale; later callers must not join it
    for (const k of this.inFlight.keys()) if (k.startsWith(`${topic}\u0000`)) this.inFlight.delete(k);
  }

  invalidateAll(): void {
    for (const topic of this.generations.keys()) this.invalidate(topic);
    this.inFlight.clear();
  }

  /** Follows the `tl_cache` channel that the tables' triggers notify on. */
  async listen(sql: Sql): Promise<void> {
    const sub = await sql.listen(
      'tl_cache',
      (topic) => this.invalidate(topic),
      () => this.invalidateAll(),
    );
    this.unlisten = sub.unlisten;
  }

  async close(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = null;
  }

  private generation(topic: string): number {
    return this.generations.get(topic) ?? 0;
  }

  private store(fullKey: string, topic: string, generation: number, body: Buffer): void {
    const old = this.entries.get(fullKey);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(fullKey);
    }
    this.entries.set(fullKey, { topic, generation, body, storedAt: Date.now() });
    this.bytes += body.length;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.length;
    }
  }
}

/** A query object as a cache key: same parameters in any order give the same key. */
export function canonicalQuery(query: object): string {
  return JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
