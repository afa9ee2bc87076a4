/**
 * Signing secrets at rest: the server must be able to sign with them, so they cannot be hashed; they are sealed
 * with AES-256-GCM under the server's master key (the one that seals code keyrings), bound to their tenant as
 * associated data so a sealed secret copied into another tenant's row does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

function aad(tenantId: number): Buffer {
  return Buffer.from(`throughline:webhook-secret:${tenantId}`);
}

export function sealSecret(masterKey: Buffer, tenantId: number, secret: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(aad(tenantId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function openSecret(masterKey: Buffer, tenantId: number, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', masterKey, sealed.subarray(0, 12));
  decipher.setAAD(aad(tenantId));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}
