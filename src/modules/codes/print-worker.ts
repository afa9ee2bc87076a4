/** Worker thread of {@link generatePrintFile}: makes chunks of print-file lines (filled, deflated or encrypted). */
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkProducer, type ProducerInit } from './print-lines.ts';
import type { PoolReply, PoolRequest } from './print-pool.ts';

const producer = new ChunkProducer(workerData as ProducerInit);
const port = parentPort;
if (!port) throw new Error('print-worker must run in a worker thread');

port.on('message', (m: PoolRequest) => {
  try {
    // the lines go into the buffer the main thread sent: memory allocated (and recycled) there, not here
    const { data, crc, plainLength } = producer.produce(m, Buffer.from(m.buffer));
    const ab = data.buffer as ArrayBuffer;
    port.postMessage({ seq: m.seq, data: ab, byteOffset: data.byteOffset, length: data.length, crc, plainLength } satisfies PoolReply, [
      ab,
    ]);
  } catch (e) {
    port.postMessage({ seq: m.seq, error: e instanceof Error ? e.message : String(e) } satisfies PoolReply);
  }
});
