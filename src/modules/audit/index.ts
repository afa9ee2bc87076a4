export { appendAudit, listAudit, verifyAuditChain, type AuditWho, type AuditWhat, type VerifyResult } from './audit-log.ts';
