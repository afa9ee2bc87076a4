/**
 * The print file of a code batch: a zip with one entry `…csv` holding a header line and one line per code,
 * `https://{resolver}/01/{gtin}/21/{serial},{serial},{verification code}`, streamed as it is generated.
 *
 * Pipeline: chunks of 32,768 lines are made in worker threads (or inline): filled, and either deflated (level 1, each
 * chunk ending on a sync flush so they concatenate) or, for a stored encrypted entry, encrypted at their own offset.
 * This thread only checksums or authenticates them in order and hands them to @zip.js/zip.js as ready-made entry data
 * ("passThrough"): zip.js's own JavaScript CRC-32, deflate and AES would each cost more than generating the lines.
 * - no password: the CRC-32 is combined from the chunks' (zlib.crc32) and patched into the data descriptor and central
 *   directory by the output sink (see zip-sink.ts);
 * - password: WinZip AES-256, AE-2 (no CRC; HMAC-SHA1 authentication), as zip.js and 7-Zip read it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { crc32 } from 'node:zlib';
import { ZipWriter } from '@zip.js/zip.js';
import { assertGtin14, type CodeKeyring, deriveGtinKeys, keyFor } from './keys.ts';
import {
  ChunkProducer,
  type ChunkResult,
  crc32Combine,
  DEFLATE_END,
  deflateChunk,
  PRINT_FILE_HEADER,
  type ProducerInit,
  printLayout,
  WinZipAesCtr,
  winZipAesKeys,
} from './print-lines.ts';
import { PrintPool } from './print-pool.ts';
import { MAX_BATCH_NO, MAX_BATCH_SIZE } from './serials.ts';
import { zipSink } from './zip-sink.ts';

export interface PrintFileOptions {
  keys: CodeKeyring;
  /** GTIN-14. */
  gtin: string;
  /** Host of the Digital Link resolver, optionally with port and path prefix, e.g. `id.example.cn`. */
  resolverHost: string;
  batch: { keyVersion: number; batchNo: number };
  /** Number of codes; with `start`, the file holds indexes start .. start + count - 1. */
  count: number;
  start?: number;
  /** Encrypts the entry with WinZip AES-256 (7-Zip, WinRAR, zip.js; not the zip support built into Windows or macOS). */
  password?: string;
  /** Worker threads making lines; 0 makes them in the calling thread. Default: from 1M codes, CPUs - 1 (1 to 3), else 0. */
  workers?: number;
  /** `store` (default, fastest, 88 bytes a code with a 13-character host) or `deflate` (level 1, ~4.4x smaller, slower). */
  compression?: 'store' | 'deflate';
  /** Name of the entry inside the zip. Default `codes-{gtin}-{keyVersion}-{batchNo}.csv`. */
  fileName?: string;
}

/** Codes per chunk: ~2.9 MB of lines with a 13-character host. */
const CHUNK_CODES = 32_768;
const AUTH_CODE_BYTES = 10;
/** Below this many codes, starting worker threads (about 0.5 s with the TypeScript loader) does not pay. */
const WORKERS_FROM = 1_000_000;

/**
 * From 1M codes, one worker per CPU beyond the one this thread needs (zip.js, CRC-32 or HMAC), 1 to 3. On two cores one
 * worker is as fast as two when the machine is idle and much faster when it is not (3 busy threads on 2 cores).
 */
function defaultWorkers(count: number): number {
  return count < WORKERS_FROM ? 0 : Math.min(3, Math.max(1, availableParallelism() - 1));
}

function checkOptions(o: PrintFileOptions): void {
  assertGtin14(o.gtin);
  const { keyVersion, batchNo } = o.batch;
  if (!keyFor(o.keys, keyVersion)) throw new RangeError(`no key version ${keyVersion} in the keyring`);
  if (!Number.isInteger(batchNo) || batchNo < 0 || batchNo > MAX_BATCH_NO) throw new RangeError(`batchNo must be 0..${MAX_BATCH_NO}`);
  const start = o.start ?? 0;
  if (!Number.isInteger(o.count) || !Number.isInteger(start) || o.count < 0 || start < 0 || start + o.count > MAX_BATCH_SIZE) {
    throw new RangeError(`codes must lie in 0..${MAX_BATCH_SIZE - 1}`);
  }
  if (o.password !== undefined && o.password.length === 0) throw new RangeError('empty password');
  if (o.workers !== undefined && (!Number.isInteger(o.workers) || o.workers < 0 || o.workers > 16)) throw new RangeError('workers: 0..16');
  if (o.compression !== undefined && o.compression !== 'store' && o.compression !== 'deflate')
    throw new RangeError('compression: store or deflate');
}

/** Size in bytes of the entry's uncompressed content: header + count lines. */
export function printFileContentSize(resolverHost: string, gtin: string, count: number): number {
  return PRINT_FILE_HEADER.length + count * printLayout(resolverHost, gtin, 0).lineLength;
}

/**
 * Chunk buffers go round (main thread -> worker -> main thread -> zip.js -> free list) instead of being allocated per
 * chunk: a fresh multi-megabyte buffer per chunk costs page faults and a full garbage collection every 64 MB of them.
 * A buffer is reused once the sink has received the zip bytes that follow the chunk's data, i.e. once zip.js has
 * consumed it (it copies its input into chunks of its own); the sink copies any chunk that still is one of these
 * buffers, so a zip.js that passed data through unchanged would stay correct.
 */
class BufferRecycler {
  private readonly free: ArrayBuffer[] = [];
  private readonly handed: { end: number; buffer: ArrayBuffer }[] = [];
  private readonly ours = new WeakSet<ArrayBufferLike>();
  /** Bytes of zip output received by the sink. */
  written = 0;

  constructor(private readonly size: number) {}

  take(): ArrayBuffer {
    // the local header and anything zip.js writes before the data are far below 64 KiB
    for (let head = this.handed[0]; head && head.end + 65_536 <= this.written; head = this.handed[0]) {
      this.handed.shift();
      this.free.push(head.buffer);
    }
    return this.free.pop() ?? new ArrayBuffer(this.size);
  }

  /** `buffer` holds entry data up to offset `end` of the entry's data. */
  handedToZip(buffer: ArrayBuffer, end: number): void {
    this.ours.add(buffer);
    this.handed.push({ end, buffer });
  }

  isOurs(buffer: ArrayBufferLike): boolean {
    return this.ours.has(buffer);
  }
}

/** The chunks of lines in order, made by a pool of workers or inline. */
async function* chunks(
  o: PrintFileOptions,
  init: ProducerInit,
  workers: number,
  lineLength: number,
  recycler: BufferRecycler,
): AsyncGenerator<ChunkResult> {
  const start = o.start ?? 0;
  const end = start + o.count;
  const offsetOf = (first: number) => PRINT_FILE_HEADER.length + (first - start) * lineLength;
  if (workers === 0) {
    const producer = new ChunkProducer(init);
    for (let first = start; first < end; first += CHUNK_CODES) {
      const req = { start: first, count: Math.min(CHUNK_CODES, end - first), offset: offsetOf(first) };
      yield producer.produce(req, Buffer.from(recycler.take()));
    }
    return;
  }
  const pool = new PrintPool(workers, init);
  try {
    const pending: Promise<ChunkResult>[] = [];
    let seq = 0;
    let first = start;
    const request = () => {
      const count = Math.min(CHUNK_CODES, end - first);
      const p = pool.run({ seq: seq++, start: first, count, offset: offsetOf(first), buffer: recycler.take() });
      p.catch(() => {}); // awaited below in order; this only keeps a rejection after cancellation from going unhandled
      pending.push(p);
      first += count;
    };
    while (first < end && pending.length < workers * 2 + 1) request();
    while (pending.length > 0) {
      const result = await (pending.shift() as Promise<ChunkResult>);
      if (first < end) request();
      yield result;
    }
  } finally {
    await pool.close();
  }
}

interface EntryPlan {
  deflate: boolean;
  recycler: BufferRecycler;
  aes: ReturnType<typeof winZipAesKeys> | null;
  /** Receives the CRC-32 of the whole content when there is no password. */
  onCrc(crc: number): void;
}

/** The entry's data as stored in the zip (compressed and/or encrypted); with AES: salt, verifier, data, authentication code. */
async function* entryData(o: PrintFileOptions, plan: EntryPlan): AsyncGenerator<Uint8Array> {
  const { deflate, aes, recycler } = plan;
  const key = keyFor(o.keys, o.batch.keyVersion);
  if (!key) throw new RangeError('no key');
  const layout = printLayout(o.resolverHost, o.gtin, o.batch.keyVersion);
  const workers = o.workers ?? defaultWorkers(o.count);
  const init: ProducerInit = {
    material: deriveGtinKeys(key, o.gtin),
    resolverHost: o.resolverHost,
    batchNo: o.batch.batchNo,
    chunkCodes: Math.max(1, Math.min(CHUNK_CODES, o.count)),
    deflate,
    crc: aes === null,
    // stored, with 2+ workers: each chunk is encrypted where it is made. Deflated (offsets are only known here, in
    // order) or with 1 worker (which then does the lines and this thread the rest, about the same work): encrypted here.
    encryptionKey: aes && !deflate && workers >= 2 ? aes.encryptionKey : null,
  };
  const hmac = aes ? createHmac('sha1', aes.authenticationKey) : null;
  const ctr = aes ? new WinZipAesCtr(aes.encryptionKey) : null;
  let offset = 0; // of the next byte of entry data, after compression, before encryption
  /** Encrypts here when the producer did not, authenticates, counts. */
  const seal = (data: Buffer, encrypted: boolean): Buffer => {
    if (ctr && !encrypted) ctr.xorAt(data, offset);
    hmac?.update(data);
    offset += data.length;
    return data;
  };

  // entry data before the lines' data: the AES salt and password verifier
  const dataOffset = aes ? aes.salt.length + aes.passwordVerifier.length : 0;
  if (aes) yield Buffer.concat([aes.salt, aes.passwordVerifier]);
  const header = Buffer.from(PRINT_FILE_HEADER, 'latin1');
  let crc = crc32(header);
  yield seal(deflate ? deflateChunk(header) : header, false);
  for await (const chunk of chunks(o, init, workers, layout.lineLength, recycler)) {
    if (!aes) crc = crc32Combine(crc, chunk.crc, chunk.plainLength);
    const data = seal(chunk.data, init.encryptionKey !== null);
    recycler.handedToZip(data.buffer as ArrayBuffer, dataOffset + offset);
    yield data;
  }
  if (deflate) yield seal(Buffer.from(DEFLATE_END), false);
  if (hmac) yield hmac.digest().subarray(0, AUTH_CODE_BYTES);
  plan.onCrc(crc);
}

function toWeb(source: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await source.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await source.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

/** The zipped print file as a web stream (see {@link generatePrintFile}). */
export function printFileWebStream(o: PrintFileOptions): ReadableStream<Uint8Array> {
  checkOptions(o);
  const deflate = o.compression === 'deflate';
  const size = printFileContentSize(o.resolverHost, o.gtin, o.count);
  const fileName = o.fileName ?? `codes-${o.gtin}-${o.batch.keyVersion}-${o.batch.batchNo}.csv`;
  const aes = o.password ? winZipAesKeys(o.password) : null;
  // without a password zip.js gets a placeholder CRC-32, replaced by the sink once the real one is known
  const placeholder = aes ? null : (randomBytes(4).readUInt32LE(0) | 1) >>> 0;
  const recycler = new BufferRecycler(Math.min(CHUNK_CODES, Math.max(1, o.count)) * printLayout(o.resolverHost, o.gtin, 0).lineLength);
  const sink = zipSink(placeholder, {
    written: (n) => {
      recycler.written += n;
    },
    mustCopy: (chunk) => recycler.isOurs(chunk.buffer),
  });
  const source = entryData(o, { deflate, aes, recycler, onCrc: (crc) => sink.setCrc(crc) });
  const zip = new ZipWriter(sink.writable, { useWebWorkers: false, keepOrder: true });
  const entry = {
    passThrough: true,
    compressionMethod: deflate ? 8 : 0,
    uncompressedSize: size,
    ...(aes ? { encrypted: true, encryptionStrength: 3 as const } : { crc32: placeholder as number }),
  };
  (async () => {
    try {
      await zip.add(fileName, toWeb(source), entry);
      await zip.close();
    } catch (e) {
      await source.return(undefined).catch(() => {});
      sink.fail(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  return sink.readable;
}

/**
 * Streams the zipped print file of a batch: 3 to 5 million codes a second stored on two cores, 2.5 to 4 million with
 * a password, ~1.3 million deflated (codes-generate benchmark; ~330 ns of CPU a code stored, ~450 with AES). Pipe it
 * to the HTTP response or a file; destroying the stream stops generation and the worker threads.
 */
export function generatePrintFile(o: PrintFileOptions): Readable {
  return Readable.fromWeb(printFileWebStream(o) as NodeWebReadableStream<Uint8Array>);
}
