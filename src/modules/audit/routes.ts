import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { Paging, strictObject } from '../../http/schemas.ts';
import { listAudit, verifyAuditChain } from './audit-log.ts';

export async function auditRoutes(api: FastifyInstance, sql: Sql) {
  api.get('/audit', { config: { access: 'audit:read' }, schema: { tags: ['audit'], querystring: strictObject(Paging) } }, async (req) => {
    const q = req.query as { page: number; pageSize: number };
    return listAudit(sql, ctxOf(req, sql).actor.tenantId, q.page, q.pageSize);
  });
  api.post(
    '/audit/verify',
    { config: { access: 'audit:read' }, schema: { tags: ['audit'], summary: "Recompute the tenant's audit hash chain" } },
    async (req) => verifyAuditChain(sql, ctxOf(req, sql).actor.tenantId),
  );
}
