export { type AuditWhat, type AuditWho, appendAudit, appendAudits, listAudit, type VerifyResult, verifyAuditChain } from './audit-log.ts';
