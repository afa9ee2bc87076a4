/**
 * The output side of the print-file zip: a WritableStream for @zip.js/zip.js that feeds a ReadableStream with
 * backpressure and, for an entry written as "passThrough" with a placeholder CRC-32, writes the real CRC-32 into the
 * data descriptor and the central directory once it is known (both come after the data, so the stream never waits).
 *
 * The CRC is computed natively (zlib.crc32 in the generating threads, combined here), which is why zip.js gets a
 * placeholder: its JavaScript CRC-32 would cost the main thread more than generating the lines.
 */

const SIG_LOCAL = 0x04034b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64_LOCATOR = 0x07064b50;
const SIG_END64 = 0x06064b50;
/** Bytes always held back: more than descriptor + central directory + end records of one entry with a short name. */
const TAIL = 4096;

export interface ZipSink {
  writable: WritableStream<Uint8Array>;
  readable: ReadableStream<Uint8Array>;
  /** With a placeholder: the real CRC-32, to be set before zip.js closes. */
  setCrc(crc: number): void;
  /** Ends the readable with an error (e.g. generation failed). */
  fail(e: Error): void;
}

export interface SinkHooks {
  /** Called with the size of every write from zip.js. */
  written(bytes: number): void;
  /** True for a chunk whose memory the caller will reuse: the sink then passes on a copy. */
  mustCopy(chunk: Uint8Array): boolean;
}

/** `placeholder`: the CRC-32 passed to zip.js for the single entry, or null to pass the bytes through unchanged. */
export function zipSink(placeholder: number | null, hooks?: SinkHooks): ZipSink {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let resume: (() => void) | null = null;
  let stopped: Error | null = null;
  let crc: number | null = null;
  let held = Buffer.alloc(0);
  let written = 0;
  let checkedHeader = placeholder === null;

  const wake = () => {
    resume?.();
    resume = null;
  };
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull: wake,
      cancel() {
        stopped = new Error('print file cancelled');
        wake();
      },
    },
    { highWaterMark: 4 },
  );

  const emit = async (chunk: Uint8Array) => {
    if (stopped) throw stopped;
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 0) <= 0) await new Promise<void>((r) => (resume = r));
    if (stopped) throw stopped;
  };

  const writable = new WritableStream<Uint8Array>({
    async write(input) {
      const chunk = hooks?.mustCopy(input) ? Uint8Array.prototype.slice.call(input) : input;
      written += chunk.length;
      hooks?.written(chunk.length);
      if (placeholder === null) return emit(chunk);
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      if (!checkedHeader) {
        // the local header must defer the CRC to the data descriptor: general purpose bit 3 set, CRC field 0
        if (bytes.length < 30 || bytes.readUInt32LE(0) !== SIG_LOCAL || (bytes.readUInt16LE(6) & 8) === 0 || bytes.readUInt32LE(14) !== 0) {
          throw new Error('zip: unexpected local header (CRC not deferred to a data descriptor)');
        }
        checkedHeader = true;
      }
      // hold back the last TAIL bytes written, without copying the bulk of the data
      if (bytes.length >= TAIL) {
        if (held.length > 0) await emit(held);
        await emit(bytes.subarray(0, bytes.length - TAIL));
        held = Buffer.from(bytes.subarray(bytes.length - TAIL));
      } else {
        const all = Buffer.concat([held, bytes]);
        if (all.length > TAIL) await emit(all.subarray(0, all.length - TAIL));
        held = all.length > TAIL ? all.subarray(all.length - TAIL) : all;
      }
    },
    async close() {
      if (placeholder !== null) {
        if (crc === null) throw new Error('zip: CRC-32 not set');
        patchCrc(held, written - held.length, placeholder, crc);
        await emit(held);
      }
      if (!stopped) controller.close();
    },
  });

  return {
    writable,
    readable,
    setCrc(value) {
      crc = value >>> 0;
    },
    fail(e) {
      stopped ??= e;
      wake();
      try {
        controller.error(e);
      } catch {}
    },
  };
}

/**
 * Writes `crc` over `placeholder` in the data descriptor and the central directory of a one-entry zip whose last
 * bytes are `tail` (starting at absolute offset `tailStart`). Throws unless both are found where the format puts them.
 */
export function patchCrc(tail: Buffer, tailStart: number, placeholder: number, crc: number): void {
  const end = tail.length - 22;
  if (end < 0 || tail.readUInt32LE(end) !== SIG_END) throw new Error('zip: no end of central directory record');
  let centralOffset = tail.readUInt32LE(end + 16);
  if (centralOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== SIG_END64_LOCATOR) throw new Error('zip: no zip64 locator');
    const end64 = Number(tail.readBigUInt64LE(locator + 8)) - tailStart;
    if (end64 < 0 || tail.readUInt32LE(end64) !== SIG_END64) throw new Error('zip: no zip64 end record');
    centralOffset = Number(tail.readBigUInt64LE(end64 + 48));
  }
  const central = centralOffset - tailStart;
  if (central < 0 || tail.readUInt32LE(central) !== SIG_CENTRAL || tail.readUInt32LE(central + 16) !== placeholder >>> 0) {
    throw new Error('zip: central directory entry not found');
  }
  const descriptor = [central - 24, central - 16].find(
    (d) => d >= 0 && tail.readUInt32LE(d) === SIG_DESCRIPTOR && tail.readUInt32LE(d + 4) === placeholder >>> 0,
  );
  if (descriptor === undefined) throw new Error('zip: data descriptor not found');
  tail.writeUInt32LE(crc >>> 0, central + 16);
  tail.writeUInt32LE(crc >>> 0, descriptor + 4);
}
