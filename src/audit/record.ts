/**
 * One line of the audit trail: the event, its place in the chain (seq, prevHash) and its own
 * hash. hash = sha256 of the canonical JSON of the record without `hash`; prevHash is the hash
 * of the record before it (across day files); the first record links to 64 zeros. Changing,
 * removing or reordering any record breaks every link after it.
 *
 * Keyed records (`mac: "hmac-sha256"`, when the service has `audit.hmacKeyFile`) carry an
 * HMAC-SHA256 under a secret key instead: someone who can rewrite both the files and the head in
 * Redis still cannot forge the chain without the key, which lives elsewhere.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AuditEvent } from './events.js';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The only keyed hash there is. */
export const KEYED = 'hmac-sha256' as const;

export type AuditRecord = AuditEvent & {
  /** Global, gap-free, starts at 1. */
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** Present on keyed records: `hash` is an HMAC under the audit key. */
  readonly mac?: typeof KEYED;
};

/** Position of the last record written: what Redis keeps and verify compares with. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export const EMPTY_HEAD: ChainHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

/** sha256 of an unkeyed record (one without `mac`). */
export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _ignored, ...body } = record as AuditRecord;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** HMAC-SHA256 of a keyed record under `key`. */
export function keyedRecordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord, key: Buffer): string {
  const { hash: _ignored, ...body } = record as AuditRecord;
  return createHmac('sha256', key).update(canonicalJson(body)).digest('hex');
}

/** Links an event after `head`, keyed when a key is given. Chain fields win over anything the event carried. */
export function sealRecord(event: AuditEvent, head: ChainHead, key?: Buffer | null): AuditRecord {
  const { seq: _s, prevHash: _p, hash: _h, mac: _m, ...clean } = event as AuditEvent & Partial<AuditRecord>;
  if (key) {
    const body = { ...clean, seq: head.seq + 1, prevHash: head.hash, mac: KEYED as typeof KEYED };
    return { ...body, hash: keyedRecordHash(body, key) };
  }
  const body = { ...clean, seq: head.seq + 1, prevHash: head.hash };
  return { ...body, hash: recordHash(body) };
}

/** Smallest key accepted: 32 bytes, the HMAC-SHA256 block size's half and its output size. */
export const MIN_AUDIT_KEY_BYTES = 32;

/** The key from a key file's bytes (surrounding white space ignored); throws when it is too short. */
export function auditKeyFrom(bytes: Buffer, file: string): Buffer {
  const key = Buffer.from(bytes.toString('latin1').trim(), 'latin1');
  if (key.length < MIN_AUDIT_KEY_BYTES) {
    throw new Error(`${file}: the audit key must be at least ${MIN_AUDIT_KEY_BYTES} bytes (make one with: openssl rand -hex 32 > ${file})`);
  }
  return key;
}

/** The line as written to the file (canonical, so the file itself is stable to re-hash). */
export function recordLine(record: AuditRecord): string {
  return `${canonicalJson(record)}\n`;
}
