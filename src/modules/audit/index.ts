export { type AuditWhat, type AuditWho, appendAudit, listAudit, type VerifyResult, verifyAuditChain } from './audit-log.ts';
