/** The audit trail: event builders, the single chain writer and the verifier. */
export { auditAttachments, auditEventId, decisionEvent, lifecycleEvent, type DecisionSummary, type LifecycleDetails } from './build-event.js';
export { AuditLockBusyError, AuditWriter, type AuditWriterOptions } from './audit-writer.js';
export { auditFileName, listAuditFiles } from './audit-files.js';
export { canonicalJson } from './canonical-json.js';
export { EMPTY_HEAD, GENESIS_HASH, recordHash, sealRecord, type AuditRecord, type ChainHead } from './record.js';
export { auditKeys, readAuditHead, type AuditKeys } from './redis-chain.js';
export { verifyAuditDir, type BrokenRecord, type VerifyOptions, type VerifyResult } from './verify.js';
