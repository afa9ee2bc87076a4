import { randomBytes, randomInt } from 'node:crypto';
import { Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { BlobReader, TextWriter, ZipReader } from '@zip.js/zip.js';
import { describe, expect, it } from 'vitest';
import {
  canonicalSerial,
  checkDecodedVerificationCode,
  checkVerificationCode,
  codesFor,
  decodeSerial,
  decodeSerials,
  encodeSerial,
  exportKeyring,
  generatePrintFile,
  generateTenantKeys,
  importKeyring,
  labelSheetCapacity,
  labelSheetSvg,
  MAX_BATCH_NO,
  MAX_BATCH_SIZE,
  PRINT_FILE_HEADER,
  type PrintFileOptions,
  printFileContentSize,
  rotateTenantKeys,
  SERIAL_ALPHABET,
  SERIAL_LENGTH,
  serialKeyVersion,
  serialsFor,
  verificationCodeFor,
} from '../../src/modules/codes/index.ts';
import { crc32Combine, WinZipAesCtr } from '../../src/modules/codes/print-lines.ts';
import { patchCrc } from '../../src/modules/codes/zip-sink.ts';

const GTIN = '06901234567892';
const OTHER_GTIN = '06901234567885';
const HOST = 'id.example.cn';
const keys = rotateTenantKeys(generateTenantKeys()); // versions 0 and 1, current 1
const batch = { gtin: GTIN, keyVersion: 0, batchNo: 1 };

/** The 80 permuted bits of a serial as two 40-bit numbers. */
function bits(serial: string): [number, number] {
  let a = 0;
  let b = 0;
  for (let k = 0; k < 8; k++) a = a * 32 + SERIAL_ALPHABET.indexOf(serial[1 + k] as string);
  for (let k = 0; k < 8; k++) b = b * 32 + SERIAL_ALPHABET.indexOf(serial[9 + k] as string);
  return [a, b];
}

function popcount40(x: number): number {
  let n = 0;
  for (let v = x; v > 0; v = Math.floor(v / 2)) n += v % 2;
  return n;
}

function randomSerial(version: string): string {
  const r = randomBytes(16);
  let s = version;
  for (let k = 0; k < 16; k++) s += SERIAL_ALPHABET[(r[k] as number) & 31];
  return s;
}

describe('keys', () => {
  it('round-trips through the stored text and rotates versions', () => {
    const text = exportKeyring(keys);
    const back = importKeyring(text);
    expect(back.current).toBe(1);
    expect(back.keys.map((k) => k.version)).toEqual([0, 1]);
    expect(serialsFor(back, batch, 0, 5)).toEqual(serialsFor(keys, batch, 0, 5));
    expect(() => importKeyring(text.replace('"current":1', '"current":7'))).toThrow(/current/);
    expect(() => importKeyring('{"format":"x"}')).toThrow(/format/);
    const k0 = keys.keys[0];
    expect(k0?.serialKey.length).toBe(16);
    expect(k0?.verificationKey.length).toBe(16);
    expect(k0?.serialKey.equals(k0.verificationKey)).toBe(false);
  });

  it('gives unrelated serials to two tenants and to two GTINs', () => {
    const other = generateTenantKeys();
    const a = serialsFor(keys, batch, 0, 1000);
    const b = serialsFor(other, batch, 0, 1000);
    const c = serialsFor(keys, { ...batch, gtin: OTHER_GTIN }, 0, 1000);
    expect(a.filter((s, i) => s === b[i] || s === c[i])).toEqual([]);
    // a serial of one GTIN does not decode under another one
    expect(decodeSerials(keys, OTHER_GTIN, a).filter((d) => d !== null)).toEqual([]);
  });
});

describe('serials', () => {
  it('have the documented format', () => {
    const [s0] = serialsFor(keys, batch, 0, 1);
    const [s1] = serialsFor(keys, { ...batch, keyVersion: 1 }, 0, 1);
    expect(s0).toMatch(/^0[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(s1).toMatch(/^1[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(s0?.length).toBe(SERIAL_LENGTH);
    expect(encodeSerial(keys, batch, 0)).toBe(s0);
    expect(serialKeyVersion(s1 as string)).toBe(1);
    expect(serialKeyVersion(`v${(s1 as string).slice(1)}`)).toBe(27);
    expect(serialKeyVersion('0ABC')).toBeNull();
  });

  it('are unique over 2M codes of a batch, across batches and across key versions', () => {
    const seen = new Set(serialsFor(keys, batch, 0, 2_000_000));
    expect(seen.size).toBe(2_000_000);
    for (const s of serialsFor(keys, { ...batch, batchNo: 2 }, 0, 200_000)) seen.add(s);
    for (const s of serialsFor(keys, { ...batch, keyVersion: 1 }, 0, 200_000)) seen.add(s);
    for (const s of serialsFor(keys, { ...batch, batchNo: MAX_BATCH_NO }, MAX_BATCH_SIZE - 100_000, 100_000)) seen.add(s);
    expect(seen.size).toBe(2_500_000);
  });

  it('decode back to their batch and index, edges included', () => {
    const cases: [number, number, number][] = [
      [0, 0, 0],
      [0, 0, MAX_BATCH_SIZE - 1],
      [0, MAX_BATCH_NO, 0],
      [1, MAX_BATCH_NO, MAX_BATCH_SIZE - 1],
      [1, 1, 1023],
      [1, 1, 1024],
    ];
    for (let k = 0; k < 2000; k++) cases.push([randomInt(2), randomInt(MAX_BATCH_NO + 1), randomInt(MAX_BATCH_SIZE)]);
    for (const [keyVersion, batchNo, index] of cases) {
      const serial = encodeSerial(keys, { gtin: GTIN, keyVersion, batchNo }, index);
      expect(decodeSerial(keys, GTIN, serial)).toEqual({ keyVersion, batchNo, index, serial });
    }
    // bulk decoding of a whole range
    const start = 5_000;
    const serials = serialsFor(keys, batch, start, 10_000);
    decodeSerials(keys, GTIN, serials).forEach((d, k) => {
      expect(d?.index).toBe(start + k);
    });
  });

  it('read lower case and Crockford look-alikes as the canonical serial', () => {
    const serial = encodeSerial(keys, batch, 42);
    const typed = serial.toLowerCase().replace(/1/g, 'l').replace(/0/g, 'o');
    expect(canonicalSerial(typed)).toBe(serial);
    expect(decodeSerial(keys, GTIN, typed)).toEqual({ keyVersion: 0, batchNo: 1, index: 42, serial });
  });

  it('are not sequential: consecutive indexes give unrelated serials', () => {
    const n = 100_000;
    const serials = serialsFor(keys, batch, 0, n);
    let distance = 0;
    let worst = 0;
    const ones = new Array<number>(80).fill(0);
    for (let i = 0; i < n; i++) {
      const [a, b] = bits(serials[i] as string);
      for (let k = 0; k < 40; k++) {
        if (Math.floor(a / 2 ** k) % 2 === 1) ones[k] = (ones[k] as number) + 1;
        if (Math.floor(b / 2 ** k) % 2 === 1) ones[40 + k] = (ones[40 + k] as number) + 1;
      }
      if (i === 0) continue;
      const [pa, pb] = bits(serials[i - 1] as string);
      // bits that differ between neighbours (XOR of 40-bit halves, by halves of 20 bits to stay in int32)
      const x = (u: number, v: number) => ((u % 2 ** 20) ^ (v % 2 ** 20)) + (Math.floor(u / 2 ** 20) ^ Math.floor(v / 2 ** 20)) * 2 ** 20;
      distance += popcount40(x(a, pa)) + popcount40(x(b, pb));
      let same = 0;
      for (let k = 1; k < SERIAL_LENGTH; k++) if (serials[i]?.[k] === serials[i - 1]?.[k]) same++;
      worst = Math.max(worst, same);
    }
    // a random 80-bit value differs in 40 bits on average (standard deviation of the mean here ~0.015)
    expect(distance / (n - 1)).toBeGreaterThan(39.8);
    expect(distance / (n - 1)).toBeLessThan(40.2);
    // neighbours share about 0.5 of 16 characters; 8 or more would happen once in ~1e8 random pairs
    expect(worst).toBeLessThan(8);
    // every bit is set in about half of the serials (batch and index bits do not show through)
    for (const c of ones) expect(Math.abs(c / n - 0.5)).toBeLessThan(0.01);
  });

  it('reject guesses: 1M random strings and 100k one-character changes decode to nothing', () => {
    const guesses = Array.from({ length: 1_000_000 }, (_, k) => randomSerial(k % 2 === 0 ? '0' : '1'));
    const accepted = decodeSerials(keys, GTIN, guesses).filter((d) => d !== null).length;
    // false-accept rate 2^-30 per guess: the expected count over 1M guesses is 0.001
    expect(accepted).toBe(0);

    const genuine = serialsFor(keys, batch, 0, 100_000);
    const changed = genuine.map((s, k) => {
      const at = 1 + (k % 16);
      const old = SERIAL_ALPHABET.indexOf(s[at] as string);
      const replacement = SERIAL_ALPHABET[(old + 1 + randomInt(31)) % 32] as string;
      return s.slice(0, at) + replacement + s.slice(at + 1);
    });
    expect(decodeSerials(keys, GTIN, changed).filter((d) => d !== null).length).toBe(0);
    // a changed key-version character points at another key: also rejected
    expect(
      decodeSerials(
        keys,
        GTIN,
        genuine.slice(0, 10_000).map((s) => `1${s.slice(1)}`),
      ).filter((d) => d !== null).length,
    ).toBe(0);
    // wrong length, characters outside the alphabet, unknown key version
    for (const bad of [
      '',
      'U'.repeat(17),
      `${genuine[0]}0`,
      `${(genuine[0] as string).slice(0, 16)}U`,
      `V${(genuine[0] as string).slice(1)}`,
    ]) {
      expect(decodeSerial(keys, GTIN, bad)).toBeNull();
    }
  });

  it('refuse out-of-range batches and indexes', () => {
    expect(() => serialsFor(keys, { ...batch, batchNo: MAX_BATCH_NO + 1 }, 0, 1)).toThrow(RangeError);
    expect(() => serialsFor(keys, batch, MAX_BATCH_SIZE - 1, 2)).toThrow(RangeError);
    expect(() => serialsFor(keys, { ...batch, keyVersion: 5 }, 0, 1)).toThrow(/key version/);
    expect(() => serialsFor(keys, { ...batch, gtin: '123' }, 0, 1)).toThrow(/GTIN/);
  });
});

describe('verification codes', () => {
  it('check true for the right code and false otherwise', () => {
    const codes = codesFor(keys, batch, 1000, 2000);
    for (const { serial, verificationCode } of codes) {
      expect(verificationCode).toMatch(/^\d{8}$/);
      expect(checkVerificationCode(keys, GTIN, serial, verificationCode)).toBe(true);
      expect(verificationCodeFor(keys, GTIN, serial)).toBe(verificationCode);
    }
    const [a, b] = codes as [{ serial: string; verificationCode: string }, { serial: string; verificationCode: string }];
    const wrong = String((Number(a.verificationCode) + 1) % 100_000_000).padStart(8, '0');
    expect(checkVerificationCode(keys, GTIN, a.serial, wrong)).toBe(false);
    expect(checkVerificationCode(keys, GTIN, a.serial, b.verificationCode)).toBe(false);
    expect(checkVerificationCode(keys, OTHER_GTIN, a.serial, a.verificationCode)).toBe(false);
    expect(checkVerificationCode(keys, GTIN, a.serial, a.verificationCode.slice(1))).toBe(false);
    expect(checkVerificationCode(keys, GTIN, a.serial, `${a.verificationCode}0`)).toBe(false);
    expect(checkVerificationCode(keys, GTIN, randomSerial('0'), a.verificationCode)).toBe(false);
    expect(checkVerificationCode(keys, GTIN, a.serial.toLowerCase(), ` ${a.verificationCode} `)).toBe(true);
    // the same check for a serial decoded already (the claim route's): the same answers, under the key it decoded with
    const version = decodeSerial(keys, GTIN, a.serial)?.keyVersion as number;
    expect(checkDecodedVerificationCode(keys, version, GTIN, a.serial, a.verificationCode)).toBe(true);
    expect(checkDecodedVerificationCode(keys, version, GTIN, a.serial, wrong)).toBe(false);
    expect(checkDecodedVerificationCode(keys, version, GTIN, a.serial, b.verificationCode)).toBe(false);
    expect(checkDecodedVerificationCode(keys, version, OTHER_GTIN, a.serial, a.verificationCode)).toBe(false);
    expect(checkDecodedVerificationCode(keys, version + 1, GTIN, a.serial, a.verificationCode)).toBe(false);
    // codes are spread over the 8 digits (no constant prefix)
    const firstDigits = new Set(codes.map((c) => c.verificationCode[0]));
    expect(firstDigits.size).toBe(10);
  });
});

describe('print file', () => {
  async function readZip(zip: Buffer, password?: string): Promise<{ name: string; text: string; method: number }> {
    const reader = new ZipReader(new BlobReader(new Blob([new Uint8Array(zip)])));
    const entries = await reader.getEntries();
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    if (!entry || entry.directory) throw new Error('no file entry');
    const text = await entry.getData(new TextWriter(), { password, checkSignature: true });
    await reader.close();
    return { name: entry.filename, text, method: entry.compressionMethod };
  }

  async function collect(stream: NodeJS.ReadableStream, slow = false): Promise<Buffer> {
    const parts: Buffer[] = [];
    let n = 0;
    const source = slow
      ? stream.pipe(
          new Transform({
            transform(chunk, _enc, done) {
              if (++n % 5 === 0) setTimeout(() => done(null, chunk), 5);
              else done(null, chunk);
            },
          }),
        )
      : stream;
    for await (const part of source as AsyncIterable<Buffer>) parts.push(part);
    return Buffer.concat(parts);
  }

  function expectedText(start: number, count: number, b = batch): string {
    const lines = codesFor(keys, b, start, count).map(
      (c) => `https://${HOST}/01/${b.gtin}/21/${c.serial},${c.serial},${c.verificationCode}\n`,
    );
    return PRINT_FILE_HEADER + lines.join('');
  }

  const base: PrintFileOptions = { keys, gtin: GTIN, resolverHost: HOST, batch, count: 0 };

  it.each([
    { workers: 0, compression: 'store' as const, password: undefined },
    { workers: 0, compression: 'deflate' as const, password: undefined },
    { workers: 0, compression: 'store' as const, password: 'geheim-42' },
    { workers: 0, compression: 'deflate' as const, password: 'geheim-42' },
    { workers: 2, compression: 'store' as const, password: undefined },
    { workers: 2, compression: 'deflate' as const, password: 'geheim-42' },
  ])('unzips to the expected lines (%o)', async ({ workers, compression, password }) => {
    const count = 100_003;
    const start = 17;
    const zip = await collect(generatePrintFile({ ...base, count, start, workers, compression, password }));
    const { name, text, method } = await readZip(zip, password);
    expect(name).toBe(`codes-${GTIN}-0-1.csv`);
    expect(method).toBe(compression === 'deflate' ? 8 : 0);
    expect(text.length).toBe(printFileContentSize(HOST, GTIN, count));
    expect(text === expectedText(start, count)).toBe(true);
    if (compression === 'deflate') expect(zip.length).toBeLessThan(text.length / 3);
    // a stored entry without password is plain text inside the zip; with a password it is not
    expect(zip.includes(`,${codesFor(keys, batch, start, 1)[0]?.verificationCode}\n`)).toBe(
      password === undefined && compression === 'store',
    );
  });

  it('refuses a wrong or missing password', async () => {
    const zip = await collect(generatePrintFile({ ...base, count: 1000, password: 'right-password' }));
    await expect(readZip(zip, 'wrong-password')).rejects.toThrow(/password/i);
    await expect(readZip(zip)).rejects.toThrow();
    expect((await readZip(zip, 'right-password')).text).toBe(expectedText(0, 1000));
  });

  it('stays correct over many chunks with two workers and a slow reader', async () => {
    const count = 700_000; // 22 chunks: chunk buffers are reused many times
    for (const password of [undefined, 'pw-for-the-printer']) {
      const zip = await collect(generatePrintFile({ ...base, count, workers: 2, password }), true);
      const { text } = await readZip(zip, password);
      expect(text === expectedText(0, count)).toBe(true);
    }
  });

  it('handles an empty batch range and checks its options', async () => {
    const { text } = await readZip(await collect(generatePrintFile({ ...base, count: 0 })));
    expect(text).toBe(PRINT_FILE_HEADER);
    expect(() => generatePrintFile({ ...base, count: 1, resolverHost: 'x.cn/a,b' })).toThrow(/resolverHost/);
    expect(() => generatePrintFile({ ...base, count: MAX_BATCH_SIZE + 1 })).toThrow(RangeError);
    expect(() => generatePrintFile({ ...base, count: 1, password: '' })).toThrow(/password/);
  });

  it('stops its workers when the reader gives up', async () => {
    const stream = generatePrintFile({ ...base, count: 5_000_000, workers: 2 });
    let bytes = 0;
    for await (const part of stream as AsyncIterable<Buffer>) {
      bytes += part.length;
      if (bytes > 10_000_000) break; // destroys the stream
    }
    expect(stream.destroyed).toBe(true);
    // nothing left running: the test process would otherwise hang on the worker threads
  });
});

describe('print file internals', () => {
  it('combines CRC-32s of chunks like zlib computes the whole', () => {
    const a = randomBytes(100_001);
    const b = randomBytes(3_000_000);
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
    expect(crc32Combine(crc32(a), crc32(Buffer.alloc(0)), 0)).toBe(crc32(a));
  });

  it('encrypts at any offset exactly as in one piece', () => {
    const key = randomBytes(32);
    const plain = randomBytes(200_003);
    const whole = Buffer.from(plain);
    new WinZipAesCtr(key).xorAt(whole, 0);
    const pieces = Buffer.from(plain);
    const ctr = new WinZipAesCtr(key);
    for (const [from, to] of [
      [0, 5],
      [5, 70_001],
      [70_001, 70_002],
      [70_002, 200_003],
    ] as const) {
      ctr.xorAt(pieces.subarray(from, to), from);
    }
    expect(pieces.equals(whole)).toBe(true);
    new WinZipAesCtr(key).xorAt(whole, 0);
    expect(whole.equals(plain)).toBe(true);
  });

  it('refuses to patch a zip whose structure it does not recognise', () => {
    expect(() => patchCrc(Buffer.alloc(100), 0, 1, 2)).toThrow(/end of central directory/);
  });
});

describe('label sheet', () => {
  it('holds one QR code and one GS1 DataMatrix per code, with the serial in clear', async () => {
    const codes = serialsFor(keys, batch, 0, 10);
    const svg = labelSheetSvg({ gtin: GTIN, resolverHost: HOST, codes, title: 'Sample <batch 1>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm"')).toBe(true);
    expect(svg.match(/<svg class="qr"/g)).toHaveLength(10);
    expect(svg.match(/<svg class="datamatrix"/g)).toHaveLength(10);
    for (const serial of codes) {
      expect(svg).toContain(`class="qr" data-serial="${serial}"`);
      expect(svg).toContain(`class="datamatrix" data-serial="${serial}"`);
      expect(svg.split(`>${serial}</text>`)).toHaveLength(3);
    }
    expect(svg).toContain('Sample &lt;batch 1&gt;');
    expect(svg.match(/<svg/g)).toHaveLength(21);
  });

  it('fits a page and refuses more', () => {
    const capacity = labelSheetCapacity();
    expect(capacity).toBeGreaterThanOrEqual(30);
    const codes = serialsFor(keys, batch, 0, capacity + 1);
    expect(() => labelSheetSvg({ gtin: GTIN, resolverHost: HOST, codes })).toThrow(/do not fit/);
    expect(() => labelSheetSvg({ gtin: '06901234567891', resolverHost: HOST, codes: codes.slice(0, 1) })).toThrow(/check digit/);
    expect(labelSheetCapacity({ columns: 2 })).toBeLessThan(capacity);
  });
});
