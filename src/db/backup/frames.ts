/**
 * The backup file: a gzip stream holding a magic line and then frames, each a type byte, a 4-byte big-endian
 * length and the payload. `H` the manifest's header (JSON), then per table `T` (JSON: the table), `D` (its rows,
 * COPY text format, up to ~1 MiB a frame) and `E` (JSON: rows, bytes and SHA-256 of the table's data), and last
 * `Z` (JSON: every table's figures). A file that ends before `Z`, or whose gzip checksum or a table's
 * SHA-256 does not match, is refused.
 */
import type { Writable } from 'node:stream';

export const MAGIC = Buffer.from('THROUGHLINE-BACKUP 1\n');
export type FrameType = 'H' | 'T' | 'D' | 'E' | 'Z';
const TYPES = new Set(['H', 'T', 'D', 'E', 'Z']);
/** Larger than any frame the writer makes: a length above it means the file is not what it claims. */
const MAX_FRAME = 64 << 20;

export class BackupFileError extends Error {}

export interface Frame {
  type: FrameType;
  payload: Buffer;
}

/** Writes one frame, waiting while the stream's buffer is full. */
export async function writeFrame(out: Writable, type: FrameType, payload: Buffer | string): Promise<number> {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  out.write(head);
  if (!out.write(body))
    await new Promise<void>((resolve, reject) => {
      const drained = () => {
        out.off('error', failed);
        resolve();
      };
      const failed = (e: Error) => {
        out.off('drain', drained);
        reject(e);
      };
      out.once('drain', drained);
      out.once('error', failed);
    });
  return body.length + 5;
}

/** A queue of chunks from which a reader takes exact lengths without copying the whole buffer each time. */
class ChunkQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(c: Buffer): void {
    this.chunks.push(c);
    this.length += c.length;
  }

  take(n: number): Buffer {
    let first = this.chunks[0] as Buffer;
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.length -= n;
    return out;
  }
}

/** The frames of a decompressed backup stream, in order; throws BackupFileError on anything malformed. */
export async function* readFrames(input: AsyncIterable<Buffer>): AsyncGenerator<Frame> {
  const q = new ChunkQueue();
  let magic = false;
  let want: { type: FrameType; length: number } | null = null;
  for await (const chunk of input) {
    q.push(chunk);
    while (true) {
      if (!magic) {
        if (q.length < MAGIC.length) break;
        if (!q.take(MAGIC.length).equals(MAGIC)) throw new BackupFileError('not a Throughline backup file (wrong magic line)');
        magic = true;
      }
      if (!want) {
        if (q.length < 5) break;
        const head = q.take(5);
        const type = String.fromCharCode(head[0] as number);
        const length = head.readUInt32BE(1);
        if (!TYPES.has(type) || length > MAX_FRAME)
          throw new BackupFileError(`damaged backup file: bad frame header (${type}, ${length} bytes)`);
        want = { type: type as FrameType, length };
      }
      if (q.length < want.length) break;
      const payload = want.length ? q.take(want.length) : Buffer.alloc(0);
      const type = want.type;
      want = null;
      yield { type, payload };
    }
  }
  if (!magic) throw new BackupFileError('empty or not a Throughline backup file');
  if (want || q.length) throw new BackupFileError('truncated backup file: it ends inside a frame');
}

export function json<T>(f: Frame, expected: FrameType): T {
  if (f.type !== expected) throw new BackupFileError(`damaged backup file: expected a ${expected} frame, found ${f.type}`);
  try {
    return JSON.parse(f.payload.toString('utf8')) as T;
  } catch {
    throw new BackupFileError(`damaged backup file: unreadable ${expected} frame`);
  }
}

/** Rows in a chunk of COPY text output: one line each (newlines inside values are escaped as \n). */
export function countLines(chunk: Buffer): number {
  let n = 0;
  let i = chunk.indexOf(10);
  while (i !== -1) {
    n++;
    i = chunk.indexOf(10, i + 1);
  }
  return n;
}
