/**
 * The integrity check after a restore: every table holds the rows the backup recorded, the audit log's hash
 * chain verifies, and every projection rebuilt from the restored ledger equals the restored projection.
 */
import { type VerifyResult, verifyAuditChain } from '../../modules/audit/index.ts';
import { type RebuildResult, rebuildProjections } from '../../modules/trace/rebuild.ts';
import type { Sql } from '../connection.ts';
import type { BackupTrailer } from './backup.ts';
import { ident } from './catalog.ts';

export interface IntegrityReport {
  ok: boolean;
  counts: { table: string; expected: number; actual: number }[];
  countMismatches: number;
  audit: VerifyResult;
  projections: RebuildResult;
}

export async function integrityCheck(sql: Sql, url: string, trailer: BackupTrailer): Promise<IntegrityReport> {
  const counts: IntegrityReport['counts'] = [];
  for (const t of trailer.tables) {
    const [r] = await sql.unsafe<{ n: number }[]>(`select count(*)::float8 as n from public.${ident(t.name)}`);
    counts.push({ table: t.name, expected: t.rows, actual: Number(r?.n ?? 0) });
  }
  const countMismatches = counts.filter((c) => c.expected !== c.actual).length;
  const audit = await verifyAuditChain(sql);
  const projections = await rebuildProjections(url);
  return {
    ok: countMismatches === 0 && audit.ok && projections.projections.every((p) => p.differing === 0),
    counts,
    countMismatches,
    audit,
    projections,
  };
}
