/**
 * Phone numbers at rest: a keyed hash for lookups (identity.ts) and AES-256-GCM ciphertext for display, under a key
 * derived from the master key and bound to the tenant as associated data (a sealed number copied into another
 * brand's row does not open). Staff see a number masked; its owner sees it in full.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Mainland China mobile numbers, 11 digits. */
export const PHONE_PATTERN = '^1[3-9][0-9]{9}$';

function phoneKey(masterKey: Buffer): Buffer {
  return createHmac('sha256', masterKey).update('throughline consumer phone encryption v1').digest();
}

function aad(tenantId: number): Buffer {
  return Buffer.from(`throughline:consumer-phone:${tenantId}`);
}

export function sealPhone(masterKey: Buffer, tenantId: number, phone: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', phoneKey(masterKey), iv);
  cipher.setAAD(aad(tenantId));
  const ciphertext = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function openPhone(masterKey: Buffer, tenantId: number, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', phoneKey(masterKey), sealed.subarray(0, 12));
  decipher.setAAD(aad(tenantId));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

/** 13800000000 -> 138****0000 (the first three and last four digits). */
export function maskPhone(phone: string): string {
  return phone.length < 8 ? '****' : `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** An opaque identifier (openid, unionid) shown as its first and last four characters. */
export function maskOpaque(value: string): string {
  return value.length <= 8 ? '****' : `${value.slice(0, 4)}…${value.slice(-4)}`;
}
