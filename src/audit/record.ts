/**
 * One line of the audit trail: the event, its place in the chain (seq, prevHash) and its own
 * hash. hash = sha256 of the canonical JSON of the record without `hash`; prevHash is the hash
 * of the record before it (across day files); the first record links to 64 zeros. Changing,
 * removing or reordering any record breaks every link after it.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../queue/jobs.js';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditRecord = AuditEvent & {
  /** Global, gap-free, starts at 1. */
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
};

/** Position of the last record written: what Redis keeps and verify compares with. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export const EMPTY_HEAD: ChainHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _ignored, ...body } = record as AuditRecord;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Links an event after `head`. Chain fields win over anything the event carried. */
export function sealRecord(event: AuditEvent, head: ChainHead): AuditRecord {
  const { seq: _s, prevHash: _p, hash: _h, ...clean } = event as AuditEvent & Partial<AuditRecord>;
  const body = { ...clean, seq: head.seq + 1, prevHash: head.hash };
  return { ...body, hash: recordHash(body) };
}

/** The line as written to the file (canonical, so the file itself is stable to re-hash). */
export function recordLine(record: AuditRecord): string {
  return `${canonicalJson(record)}\n`;
}
