import { describe, expect, it } from 'vitest';
import { perTurn } from '../../src/platform/per-turn.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('perTurn', () => {
  it('hands what one turn of the event loop collected over at once, in order, and a later turn separately', async () => {
    const flushed: number[][] = [];
    const add = perTurn<number>((items) => flushed.push(items));
    add(1);
    add(2);
    add(3);
    expect(flushed).toEqual([]);
    await nextTurn();
    expect(flushed).toEqual([[1, 2, 3]]);
    add(4);
    await nextTurn();
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it('collects what is handed over while it flushes into the next turn', async () => {
    const flushed: number[][] = [];
    const add: (n: number) => void = perTurn<number>((items) => {
      flushed.push(items);
      if (items[0] === 1) add(9);
    });
    add(1);
    await nextTurn();
    await nextTurn();
    expect(flushed).toEqual([[1], [9]]);
  });
});
