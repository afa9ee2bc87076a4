import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/platform/coalescer.ts';

/** A batch runner that records each batch and answers when the test says so. */
function recorder() {
  const batches: number[][] = [];
  const open: (() => void)[] = [];
  const run = (batch: number[]) =>
    new Promise<number[]>((resolve) => {
      batches.push(batch);
      open.push(() => resolve(batch.map((n) => n * 10)));
    });
  const finishOne = async () => {
    open.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, run, finishOne, running: () => open.length };
}

describe('the coalescer (group commit in the application)', () => {
  it('runs a lone request at once, without waiting for company', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, { maxBatch: 10, maxInFlight: 2 });
    const answer = c.submit(7);
    await Promise.resolve();
    expect(r.batches).toEqual([[7]]);
    await r.finishOne();
    await expect(answer).resolves.toBe(70);
  });

  it('puts the requests submitted together in one batch, not the first alone and the rest in the next', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, { maxBatch: 10, maxInFlight: 2 });
    // as the claim thread submits the claims of one message from the HTTP thread
    const answers = [1, 2, 3, 4].map((n) => c.submit(n));
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([[1, 2, 3, 4]]);
    await r.finishOne();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40]);
  });

  it('keeps at most maxInFlight batches running; what arrives meanwhile waits and goes in the next one', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, { maxBatch: 10, maxInFlight: 2 });
    c.submit(1);
    await Promise.resolve();
    c.submit(2);
    await Promise.resolve();
    c.submit(3);
    c.submit(4);
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([[1], [2]]);
    expect(c.waiting).toBe(2);
    await r.finishOne();
    expect(r.batches).toEqual([[1], [2], [3, 4]]);
    expect(c.stats).toEqual({ batches: 3, requests: 4 });
  });

  it('never puts more than maxBatch requests in one batch', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, { maxBatch: 3, maxInFlight: 1 });
    for (let n = 0; n < 7; n++) c.submit(n);
    await new Promise((res) => setImmediate(res));
    await r.finishOne();
    await r.finishOne();
    expect(r.batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('rejects every request of a batch whose run fails, and goes on with the next batch', async () => {
    let calls = 0;
    const c = new Coalescer<number, number>(
      async (batch) => {
        calls++;
        if (calls === 1) throw new Error('deadlock');
        return batch.map((n) => n + 1);
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const failed = [c.submit(1), c.submit(2)];
    await expect(Promise.allSettled(failed)).resolves.toEqual([
      { status: 'rejected', reason: new Error('deadlock') },
      { status: 'rejected', reason: new Error('deadlock') },
    ]);
    await expect(c.submit(3)).resolves.toBe(4);
  });
});
