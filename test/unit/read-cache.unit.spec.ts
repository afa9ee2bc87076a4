import { describe, expect, it } from 'vitest';
import { canonicalQuery, ReadCache } from '../../src/platform/read-cache.ts';

describe('read cache', () => {
  it('loads once and then answers from memory until its topic is invalidated', async () => {
    const cache = new ReadCache();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(String(await cache.json('parties', 'k', load))).toBe('{"n":1}');
    expect(String(await cache.json('parties', 'k', load))).toBe('{"n":1}');
    cache.invalidate('catalog');
    expect(String(await cache.json('parties', 'k', load))).toBe('{"n":1}');
    cache.invalidate('parties');
    expect(String(await cache.json('parties', 'k', load))).toBe('{"n":2}');
    cache.invalidateAll();
    expect(String(await cache.json('parties', 'k', load))).toBe('{"n":3}');
  });

  it('shares one load between concurrent misses of the same key', async () => {
    const cache = new ReadCache();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return loads;
    };
    const bodies = await Promise.all(Array.from({ length: 50 }, () => cache.json('t', 'same', load)));
    expect(new Set(bodies.map(String))).toEqual(new Set(['1']));
    expect(loads).toBe(1);
  });

  it('does not keep what a load read before an invalidation that happened while it ran', async () => {
    const cache = new ReadCache();
    let release!: () => void;
    const slow = cache.json('parties', 'k', () => new Promise((r) => (release = () => r('old'))));
    cache.invalidate('parties');
    release();
    expect(String(await slow)).toBe('"old"');
    expect(String(await cache.json('parties', 'k', async () => 'new'))).toBe('"new"');
  });

  it('evicts the least recently used entries beyond its size', async () => {
    const cache = new ReadCache(25);
    await cache.json('t', 'a', async () => 'aaaaaaaaaa');
    await cache.json('t', 'b', async () => 'bbbbbbbbbb');
    await cache.json('t', 'a', async () => 'reloaded');
    await cache.json('t', 'c', async () => 'cccccccccc');
    expect(String(await cache.json('t', 'a', async () => 'reloaded'))).toBe('"aaaaaaaaaa"');
    expect(String(await cache.json('t', 'b', async () => 'reloaded'))).toBe('"reloaded"');
  });

  it('keys a query the same whatever the order of its parameters', () => {
    expect(canonicalQuery({ b: 1, a: 'x' })).toBe(canonicalQuery({ a: 'x', b: 1 }));
    expect(canonicalQuery({ a: 'x' })).not.toBe(canonicalQuery({ a: 'y' }));
  });
});
