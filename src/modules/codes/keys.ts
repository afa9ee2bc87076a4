/**
 * Per-tenant key material for serials and verification codes.
 *
 * A tenant holds a keyring: one entry per key version (0..31), each two random 128-bit keys. The serial key drives the
 * keyed permutation that turns (batch, index) into a serial; the verification key derives the hidden verification code
 * from the serial. They are separate so that a component which only has to decode serials can be given the serial key
 * without being able to mint verification codes. Rotation adds a version for new batches; old versions stay in the
 * keyring as long as their codes are in circulation (the version is the serial's first character).
 *
 * Keys are never used directly: for each GTIN, HKDF-SHA256 derives the round keys of the permutation and the
 * verification key, so that the same (batch, index) under two GTINs gives unrelated serials and codes, and a serial or
 * verification code copied from one product does not validate on another.
 */
import { hkdfSync, randomBytes } from 'node:crypto';

export const MAX_KEY_VERSION = 31;
/** Rounds of the Feistel network that permutes the 80-bit serial block (FF1 uses 10). */
export const FEISTEL_ROUNDS = 10;
const KEY_BYTES = 16;
const KEYRING_FORMAT = 'throughline.codes.keyring/1';

export interface CodeKey {
  /** 0..31: the first character of every serial made with this key (Crockford base32 digit). */
  version: number;
  serialKey: Buffer;
  verificationKey: Buffer;
  /** ISO time the version was created; informational. */
  createdAt: string;
}

export interface CodeKeyring {
  /** The version new batches use. */
  current: number;
  /** Every version that may still appear in printed serials (never drop one while its codes are in circulation). */
  keys: readonly CodeKey[];
}

function newKey(version: number): CodeKey {
  return { version, serialKey: randomBytes(KEY_BYTES), verificationKey: randomBytes(KEY_BYTES), createdAt: new Date().toISOString() };
}

/** A fresh keyring with version 0 current. */
export function generateTenantKeys(): CodeKeyring {
  return { current: 0, keys: [newKey(0)] };
}

/** Adds version max+1 and makes it current; batches created before keep decoding with their own version. */
export function rotateTenantKeys(ring: CodeKeyring): CodeKeyring {
  const next = Math.max(...ring.keys.map((k) => k.version)) + 1;
  if (next > MAX_KEY_VERSION) throw new RangeError(`no key version left (max ${MAX_KEY_VERSION})`);
  return { current: next, keys: [...ring.keys, newKey(next)] };
}

export function keyFor(ring: CodeKeyring, version: number): CodeKey | undefined {
  return ring.keys.find((k) => k.version === version);
}

/** The keyring as JSON text (keys in base64). This text is the secret the integrator stores encrypted per tenant. */
export function exportKeyring(ring: CodeKeyring): string {
  return JSON.stringify({
    format: KEYRING_FORMAT,
    current: ring.current,
    keys: ring.keys.map((k) => ({
      version: k.version,
      serialKey: k.serialKey.toString('base64'),
      verificationKey: k.verificationKey.toString('base64'),
      createdAt: k.createdAt,
    })),
  });
}

/** Parses and validates the text of {@link exportKeyring}. Parse once per tenant and keep the object: derived keys are cached on it. */
export function importKeyring(text: string): CodeKeyring {
  const raw = JSON.parse(text) as { format?: unknown; current?: unknown; keys?: unknown };
  if (raw.format !== KEYRING_FORMAT) throw new Error('codes keyring: unknown format');
  if (!Array.isArray(raw.keys) || raw.keys.length === 0) throw new Error('codes keyring: no keys');
  const keys: CodeKey[] = raw.keys.map((k: Record<string, unknown>) => {
    const version = k.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 0 || version > MAX_KEY_VERSION) {
      throw new Error('codes keyring: bad version');
    }
    const serialKey = Buffer.from(String(k.serialKey), 'base64');
    const verificationKey = Buffer.from(String(k.verificationKey), 'base64');
    if (serialKey.length !== KEY_BYTES || verificationKey.length !== KEY_BYTES) throw new Error('codes keyring: bad key length');
    return { version, serialKey, verificationKey, createdAt: String(k.createdAt ?? '') };
  });
  if (new Set(keys.map((k) => k.version)).size !== keys.length) throw new Error('codes keyring: duplicate version');
  if (!keys.some((k) => k.version === raw.current)) throw new Error('codes keyring: current version missing');
  return { current: raw.current as number, keys };
}

/** The keys for one (key version, GTIN), as plain bytes so they can be handed to a worker thread. */
export interface GtinKeyMaterial {
  keyVersion: number;
  gtin: string;
  /** FEISTEL_ROUNDS x 16 bytes: one AES-128 key per round of the permutation. */
  roundKeys: Uint8Array;
  /** 16 bytes: the AES-128 key of the verification codes. */
  verificationKey: Uint8Array;
}

export function assertGtin14(gtin: string): void {
  if (!/^\d{14}$/.test(gtin)) throw new TypeError(`GTIN must be 14 digits, got ${JSON.stringify(gtin)}`);
}

export function deriveGtinKeys(key: CodeKey, gtin: string): GtinKeyMaterial {
  assertGtin14(gtin);
  const empty = Buffer.alloc(0);
  return {
    keyVersion: key.version,
    gtin,
    roundKeys: new Uint8Array(hkdfSync('sha256', key.serialKey, empty, `throughline/codes/v1/serial/${gtin}`, 16 * FEISTEL_ROUNDS)),
    verificationKey: new Uint8Array(hkdfSync('sha256', key.verificationKey, empty, `throughline/codes/v1/verification/${gtin}`, 16)),
  };
}
