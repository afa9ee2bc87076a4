/**
 * Hidden verification codes (隐形码): 8 digits from AES-128 of the serial's 80 permuted bits under a per-GTIN key
 * derived from the tenant's verification key. Nothing is stored: checking recomputes the code and compares in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { CodeKeyring } from './keys.ts';
import { codecFor, decodeSerial, SERIAL_LENGTH, VERIFICATION_DIGITS } from './serials.ts';

/** The verification code printed with a serial, or null when the serial does not decode for this tenant and GTIN. */
export function verificationCodeFor(keys: CodeKeyring, gtin: string, serial: string): string | null {
  const decoded = decodeSerial(keys, gtin, serial);
  if (!decoded) return null;
  return codecFor(keys, decoded.keyVersion, gtin)?.verificationCodeOfDecoded(serial) ?? null;
}

/** True when `code` is the verification code of `serial` (a serial of this tenant and GTIN). */
export function checkVerificationCode(keys: CodeKeyring, gtin: string, serial: string, code: string): boolean {
  if (typeof serial !== 'string' || serial.length !== SERIAL_LENGTH || typeof code !== 'string') return false;
  return matches(verificationCodeFor(keys, gtin, serial), code);
}

/**
 * checkVerificationCode for a serial the caller has just decoded under `keyVersion` (the resolver's identify): the
 * permutation is not inverted a second time.
 */
export function checkDecodedVerificationCode(keys: CodeKeyring, keyVersion: number, gtin: string, serial: string, code: string): boolean {
  if (typeof serial !== 'string' || serial.length !== SERIAL_LENGTH || typeof code !== 'string') return false;
  return matches(codecFor(keys, keyVersion, gtin)?.verificationCodeOfDecoded(serial) ?? null, code);
}

/** Compared in constant time. */
function matches(expected: string | null, code: string): boolean {
  const given = Buffer.from(code.trim(), 'latin1');
  if (expected === null || given.length !== VERIFICATION_DIGITS) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), given);
}
