/**
 * The lines of a print file and the WinZip AES (AE-2) encryption of its zip entry, done with node:crypto in bulk.
 * Used by the main thread and by the worker threads that make the chunks.
 */
import { type Cipher, createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import type { GtinKeyMaterial } from './keys.ts';
import { GtinCodec, type LineLayout, SERIAL_LENGTH, VERIFICATION_DIGITS, versionChar } from './serials.ts';

export const PRINT_FILE_HEADER = 'uri,serial,verification_code\n';

export interface PrintLayout extends LineLayout {
  /** One line with the constant parts in place. */
  template: string;
}

/**
 * `https://{resolver}/01/{gtin}/21/{serial},{serial},{verification code}\n`. The resolver is a host name with an optional
 * port and path prefix (e.g. `id.example.cn` or `example.cn/dl`); nothing in a line needs CSV quoting.
 */
export function printLayout(resolverHost: string, gtin: string, keyVersion: number): PrintLayout {
  checkResolverHost(resolverHost);
  const prefix = `https://${resolverHost}/01/${gtin}/21/`;
  const v = versionChar(keyVersion);
  const blank = '_'.repeat(SERIAL_LENGTH - 1);
  const template = `${prefix}${v}${blank},${v}${blank},${'_'.repeat(VERIFICATION_DIGITS)}\n`;
  const second = prefix.length + SERIAL_LENGTH + 1;
  return {
    template,
    lineLength: template.length,
    serialAt: [prefix.length + 1, second + 1],
    codeAt: second + SERIAL_LENGTH + 1,
  };
}

export function checkResolverHost(resolverHost: string): void {
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[A-Za-z0-9._~-]+)*$/i.test(resolverHost)) {
    throw new TypeError(`resolverHost must be a host name with optional port and path, got ${JSON.stringify(resolverHost)}`);
  }
}

/** `times` copies of the template line, to be copied into each chunk before the variable parts are written. */
export function templateLines(layout: PrintLayout, times: number): Buffer {
  return Buffer.from(layout.template.repeat(times), 'latin1');
}

/**
 * Lines for indexes start .. start + count - 1, written into `into` when given (its first bytes), else into a buffer of
 * its own (transferable to another thread).
 */
export function fillLines(
  codec: GtinCodec,
  layout: PrintLayout,
  template: Buffer,
  batchNo: number,
  start: number,
  count: number,
  into?: Buffer,
): Buffer {
  const size = count * layout.lineLength;
  if (size > template.length) throw new RangeError('chunk larger than the template');
  if (into && into.length < size) throw new RangeError('output buffer too small');
  const out = into ? into.subarray(0, size) : Buffer.allocUnsafeSlow(size);
  template.copy(out, 0, 0, size);
  codec.writeLines(batchNo, start, count, out, 0, layout);
  return out;
}

/** WinZip AES-256 (AE-2) keys from a password: PBKDF2-HMAC-SHA1, 1000 iterations, 16-byte salt. */
export interface WinZipAesKeys {
  salt: Buffer;
  encryptionKey: Buffer;
  authenticationKey: Buffer;
  passwordVerifier: Buffer;
}

export function winZipAesKeys(password: string, salt: Buffer = randomBytes(16)): WinZipAesKeys {
  const dk = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, 1000, 66, 'sha1');
  return { salt, encryptionKey: dk.subarray(0, 32), authenticationKey: dk.subarray(32, 64), passwordVerifier: dk.subarray(64, 66) };
}

/** Key-stream blocks per AES call (16 KiB, see BULK in serials.ts). */
const CTR_BLOCKS = 1024;

/**
 * AES-256 in WinZip's counter mode (a 128-bit little-endian counter starting at 1), at any byte offset of the entry,
 * so chunks can be encrypted out of order in several threads. OpenSSL's CTR counts big-endian, hence ECB over counters.
 */
export class WinZipAesCtr {
  private readonly ecb: Cipher;
  private readonly counters = Buffer.alloc(CTR_BLOCKS * 16);
  private readonly counters32 = new Int32Array(this.counters.buffer, this.counters.byteOffset, CTR_BLOCKS * 4);
  private readonly stream = Buffer.alloc(CTR_BLOCKS * 16);

  constructor(key: Uint8Array) {
    this.ecb = createCipheriv('aes-256-ecb', key, null);
    this.ecb.setAutoPadding(false);
  }

  /** XORs the key stream for entry bytes offset .. offset + data.length - 1 into data. */
  xorAt(data: Uint8Array, offset: number): void {
    const c32 = this.counters32;
    const aligned = data.byteOffset % 4 === 0;
    const data32 = aligned ? new Int32Array(data.buffer, data.byteOffset, data.length >>> 2) : null;
    const s32 = new Int32Array(this.stream.buffer, this.stream.byteOffset, CTR_BLOCKS * 4);
    // pieces of a multiple of 4 bytes keep data32 usable; at most CTR_BLOCKS blocks of key stream each
    const piece = (CTR_BLOCKS - 1) * 16;
    for (let pos = 0; pos < data.length; ) {
      const abs = offset + pos;
      const skip = abs % 16;
      const take = Math.min(data.length - pos, piece);
      const blocks = Math.ceil((skip + take) / 16);
      const first = (abs - skip) / 16 + 1;
      let cLow = (first % 4294967296) | 0;
      let cHigh = Math.floor(first / 4294967296) | 0;
      for (let w = 0; w < blocks * 4; w += 4) {
        c32[w] = cLow;
        c32[w + 1] = cHigh;
        cLow = (cLow + 1) | 0;
        if (cLow === 0) cHigh = (cHigh + 1) | 0;
      }
      const ks = this.ecb.update(this.counters.subarray(0, blocks * 16));
      ks.copy(this.stream, 0, skip, skip + take);
      if (data32) {
        const w0 = pos >>> 2;
        const words = take >>> 2;
        for (let w = 0; w < words; w++) data32[w0 + w] = (data32[w0 + w] as number) ^ (s32[w] as number);
        for (let b = words * 4; b < take; b++) data[pos + b] = (data[pos + b] as number) ^ (this.stream[b] as number);
      } else {
        for (let b = 0; b < take; b++) data[pos + b] = (data[pos + b] as number) ^ (this.stream[b] as number);
      }
      pos += take;
    }
  }
}

/**
 * CRC-32 of A followed by B from crc(A), crc(B) and B's length (zlib's crc32_combine, GF(2) matrix powers), so
 * chunks can be checksummed in the threads that make them.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const times = (mat: Int32Array, vec: number): number => {
    let sum = 0;
    for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i] as number;
    return sum;
  };
  const square = (out: Int32Array, mat: Int32Array): void => {
    for (let n = 0; n < 32; n++) out[n] = times(mat, mat[n] as number);
  };
  const even = new Int32Array(32);
  const odd = new Int32Array(32);
  odd[0] = 0xedb88320 | 0; // the CRC-32 polynomial: operator for one zero bit
  for (let n = 1; n < 32; n++) odd[n] = 1 << (n - 1);
  square(even, odd); // two zero bits
  square(odd, even); // four zero bits
  let crc = crcA | 0;
  let len = lengthB;
  do {
    square(even, odd);
    if (len % 2 === 1) crc = times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len % 2 === 1) crc = times(odd, crc);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (crc ^ crcB) >>> 0;
}

/** A final empty fixed-Huffman block: ends a deflate stream made of chunks that each end with a sync flush. */
export const DEFLATE_END = Buffer.from([0x03, 0x00]);

/** Deflate (level 1) of one chunk, ending on a byte boundary so compressed chunks can simply be concatenated. */
export function deflateChunk(plain: Buffer): Buffer {
  return deflateRawSync(plain, { level: 1, memLevel: 9, finishFlush: constants.Z_SYNC_FLUSH });
}

export interface ProducerInit {
  material: GtinKeyMaterial;
  resolverHost: string;
  batchNo: number;
  /** Lines per chunk at most (the template size). */
  chunkCodes: number;
  /** Deflate each chunk. */
  deflate: boolean;
  /** CRC-32 of each chunk's lines (the zip entry is not AES-encrypted). */
  crc: boolean;
  /** Encrypt each chunk's lines at its offset with this WinZip AES-256 key (stored, encrypted entries), else null. */
  encryptionKey: Uint8Array | null;
}

export interface ChunkRequest {
  start: number;
  count: number;
  /** Byte offset of the chunk's lines in the entry's uncompressed content. */
  offset: number;
}

export interface ChunkResult {
  data: Buffer;
  /** CRC-32 of the chunk's lines, 0 unless asked for. */
  crc: number;
  /** Bytes of lines before compression. */
  plainLength: number;
}

/** Makes the chunks of one print file: in a worker thread or, with no workers, in the calling thread. */
export class ChunkProducer {
  private readonly codec: GtinCodec;
  private readonly layout: PrintLayout;
  private readonly template: Buffer;
  private readonly ctr: WinZipAesCtr | null;

  constructor(private readonly init: ProducerInit) {
    this.codec = new GtinCodec(init.material);
    this.layout = printLayout(init.resolverHost, init.material.gtin, init.material.keyVersion);
    this.template = templateLines(this.layout, init.chunkCodes);
    this.ctr = init.encryptionKey ? new WinZipAesCtr(init.encryptionKey) : null;
  }

  /** `into`: a buffer of at least count x line length bytes to write the lines into (and return a view of). */
  produce(req: ChunkRequest, into?: Buffer): ChunkResult {
    const plain = fillLines(this.codec, this.layout, this.template, this.init.batchNo, req.start, req.count, into);
    const crc = this.init.crc ? crc32(plain) : 0;
    if (this.init.deflate) {
      const packed = deflateChunk(plain);
      if (into && packed.length <= into.length) return { data: into.subarray(0, packed.copy(into)), crc, plainLength: plain.length };
      return { data: ownBuffer(packed), crc, plainLength: plain.length };
    }
    this.ctr?.xorAt(plain, req.offset);
    return { data: plain, crc, plainLength: plain.length };
  }
}

/** The buffer alone on its ArrayBuffer, so that transferring it moves nothing else. */
function ownBuffer(b: Buffer): Buffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b;
  const out = Buffer.allocUnsafeSlow(b.length);
  b.copy(out);
  return out;
}
