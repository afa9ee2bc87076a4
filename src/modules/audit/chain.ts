import { createHash } from 'node:crypto';

/** The fields of an audit entry that its hash covers, in a fixed order. */
export interface AuditEntryFields {
  tenantId: number;
  seq: number;
  at: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  ip: string | null;
  details: unknown;
}

export const GENESIS_HASH = Buffer.alloc(32);

/** hash = SHA-256(prev_hash || canonical JSON of the entry): changing or removing any entry breaks every later hash. */
export function entryHash(prev: Buffer, e: AuditEntryFields): Buffer {
  const canonical = JSON.stringify([
    e.tenantId,
    e.seq,
    e.at,
    e.actorKind,
    e.actorId,
    e.actorName,
    e.action,
    e.entityType,
    e.entityId,
    e.ip,
    canonicalize(e.details),
  ]);
  return createHash('sha256').update(prev).update(canonical).digest();
}

/** JSON with object keys sorted, so jsonb's reordering of keys does not change the hash. */
function canonicalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonicalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonicalize((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
