/**
 * The scanning page's offline queue (web/src/scan/queue.ts), on its localStorage store (what a browser without
 * IndexedDB uses; the same code paths decide what is written and shown). The send is stubbed so a test can hold it
 * in flight.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScanBody } from '../../web/src/scan/types.ts';

const sends: { resolve: (r: unknown) => void }[] = [];
vi.mock('../../web/src/scan/submit.ts', () => ({
  sendScan: () => new Promise((resolve) => sends.push({ resolve })),
  storedBefore: async () => false,
}));

class MemoryStorage {
  private readonly m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

const body = (scanId: string): ScanBody => ({
  scanId,
  kind: 'commission',
  at: '2026-12-05T08:00:00.000Z',
  codes: ['https://id.gs1.org/01/09506000134352/21/A1'],
  lot: 'L1',
});

beforeEach(() => {
  vi.resetModules();
  sends.length = 0;
  vi.stubGlobal('localStorage', new MemoryStorage());
  vi.stubGlobal('navigator', { onLine: true });
});
afterEach(() => vi.unstubAllGlobals());

describe('the offline queue', () => {
  it('keeps a scan the user discarded gone, though a send of it still in flight is refused afterwards', async () => {
    const q = await import('../../web/src/scan/queue.ts');
    await q.enqueue('clerk', body('s-1'));
    const flushing = q.flushQueue('clerk');
    await vi.waitFor(() => expect(sends).toHaveLength(1));
    // the user gives up on it while it is being sent; then the server's refusal arrives
    await q.discard('s-1');
    sends[0]?.resolve({ type: 'rejected', status: 422, problem: { detail: 'already commissioned' } });
    await flushing;
    expect(q.queueSnapshot().items).toEqual([]);
    expect(await q.loadQueue()).toEqual([]);
  });

  it('keeps a scan the user discarded gone, though a read of the queue begun before the discard ends after it', async () => {
    const q = await import('../../web/src/scan/queue.ts');
    await q.enqueue('clerk', body('s-2'));
    const reading = q.loadQueue();
    await q.discard('s-2');
    await reading;
    expect(q.queueSnapshot().items).toEqual([]);
  });

  it('keeps a refused scan for the user to read, and a waiting one for the next try', async () => {
    const q = await import('../../web/src/scan/queue.ts');
    await q.enqueue('clerk', body('s-3'));
    await q.enqueue('clerk', body('s-4'));
    const first = q.flushQueue('clerk');
    await vi.waitFor(() => expect(sends).toHaveLength(1));
    sends[0]?.resolve({ type: 'rejected', status: 422, problem: { detail: 'already commissioned' } });
    await vi.waitFor(() => expect(sends).toHaveLength(2));
    sends[1]?.resolve({ type: 'retry', detail: 'network' });
    const report = await first;
    expect(report.failed.map((i) => i.scanId)).toEqual(['s-3']);
    expect(report.stopped).toBe('retry');
    expect((await q.loadQueue()).map((i) => [i.scanId, i.status])).toEqual([
      ['s-3', 'failed'],
      ['s-4', 'pending'],
    ]);
  });

  it('sends again when asked while a flush runs: the network came back while the running flush was failing', async () => {
    const q = await import('../../web/src/scan/queue.ts');
    await q.enqueue('clerk', body('s-5'));
    const failing = q.flushQueue('clerk');
    await vi.waitFor(() => expect(sends).toHaveLength(1));
    // the 'online' event (or the retry timer) asks for a flush while the first try is still out
    const online = q.flushQueue('clerk');
    sends[0]?.resolve({ type: 'retry', detail: 'offline' });
    expect((await failing).stopped).toBe('retry');
    await vi.waitFor(() => expect(sends).toHaveLength(2));
    sends[1]?.resolve({ type: 'ok', outcome: { scanId: 's-5' } });
    const report = await online;
    expect([report.sent.map((s) => s.item.scanId), report.stopped]).toEqual([['s-5'], null]);
    expect(q.queueSnapshot().items).toEqual([]);
  });
});
