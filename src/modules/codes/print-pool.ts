/** A small pool of worker threads that produce print-file chunks, consumed in order. */
import type { Worker } from 'node:worker_threads';
import { startWorker, workerModule } from '../../platform/threads.ts';
import type { ChunkRequest, ChunkResult, ProducerInit } from './print-lines.ts';

export interface PoolRequest extends ChunkRequest {
  seq: number;
  /** Where the worker writes the chunk (transferred there and back). */
  buffer: ArrayBuffer;
}

export type PoolReply =
  | { seq: number; data: ArrayBuffer; byteOffset: number; length: number; crc: number; plainLength: number; error?: undefined }
  | { seq: number; error: string; data?: undefined };

const workerUrl = workerModule(import.meta.url, 'print-worker');

export class PrintPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve(r: ChunkResult): void; reject(e: Error): void }>();
  private next = 0;
  private failed: Error | null = null;

  constructor(size: number, init: ProducerInit) {
    for (let k = 0; k < size; k++) {
      const w = startWorker(workerUrl, init);
      w.on('message', (m: PoolReply) => {
        const p = this.waiting.get(m.seq);
        if (!p) return;
        this.waiting.delete(m.seq);
        if (m.error !== undefined) p.reject(new Error(`print worker: ${m.error}`));
        else p.resolve({ data: Buffer.from(m.data, m.byteOffset, m.length), crc: m.crc, plainLength: m.plainLength });
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`print worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  /** Round-robin: every worker gets every n-th chunk, so in-order consumption keeps them evenly busy. */
  run(req: PoolRequest): Promise<ChunkResult> {
    if (this.failed) return Promise.reject(this.failed);
    const w = this.workers[this.next++ % this.workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.waiting.set(req.seq, { resolve, reject });
      w.postMessage(req, [req.buffer]);
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('print pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
