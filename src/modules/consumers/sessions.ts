/**
 * Consumer sessions: after a phone code, the device gets a session cookie (`tl_consumer`) that unlocks personal data.
 * The token is random; the database keeps its keyed hash, bound to the device cookie it was given with: the
 * session counts only together with that device, and only while the device still belongs to the session's consumer.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../../context.ts';
import { standingConsumer } from './merge.ts';

export const CONSUMER_SESSION_COOKIE = 'tl_consumer';

export function sessionHasher(masterKey: Buffer): (token: string) => Buffer {
  const key = createHmac('sha256', masterKey).update('throughline consumer session v1').digest();
  return (token) => createHmac('sha256', key).update(token).digest();
}

export async function openSession(
  db: Db,
  hash: (t: string) => Buffer,
  tenantId: number,
  consumerId: number,
  deviceHash: Buffer,
  days: number,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db`insert into consumer_sessions (tenant_id, token_hash, consumer_id, device_hash, expires_at)
    values (${tenantId}, ${hash(token)}, ${consumerId}, ${deviceHash}, now() + make_interval(days => ${days}))`;
  return token;
}

/** The consumer of a live session on this device, or null. */
export async function sessionConsumer(
  db: Db,
  hash: (t: string) => Buffer,
  tenantId: number,
  token: string,
  deviceHash: Buffer,
  deviceConsumer: number | null,
): Promise<number | null> {
  if (deviceConsumer === null) return null;
  const [row] = await db<{ consumer_id: string; device_hash: Buffer }[]>`
    select consumer_id::text, device_hash from consumer_sessions
    where tenant_id = ${tenantId} and token_hash = ${hash(token)} and expires_at > now()`;
  if (!row?.device_hash.equals(deviceHash)) return null;
  const consumer = await standingConsumer(db, tenantId, Number(row.consumer_id));
  return consumer === deviceConsumer ? consumer : null;
}

export async function closeSession(db: Db, hash: (t: string) => Buffer, tenantId: number, token: string): Promise<void> {
  await db`delete from consumer_sessions where tenant_id = ${tenantId} and token_hash = ${hash(token)}`;
}
