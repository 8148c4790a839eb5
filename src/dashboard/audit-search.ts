/**
 * Searching the audit trail: the Redis stream first (the last 10,000 records, newest first),
 * then the daily files for anything older than the stream holds, newest day first, only the
 * days the date range covers. Bounded by `limit` (results) and by the bytes of files read.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { listAuditFiles } from '../audit/audit-files.js';
import type { AuditRecord } from '../audit/record.js';
import { auditKeys } from '../audit/redis-chain.js';

export interface AuditQuery {
  readonly ref?: string;
  readonly messageId?: string;
  /** Substring of the envelope sender (case-insensitive). */
  readonly sender?: string;
  /** Substring of any recipient (case-insensitive). */
  readonly recipient?: string;
  readonly rule?: string;
  readonly decision?: string;
  readonly type?: string;
  /** Actor (reviewer or user) substring. */
  readonly actor?: string;
  /** At or after (ms). */
  readonly from?: number;
  /** Before (ms). */
  readonly to?: number;
}

export interface AuditSearchResult {
  /** Newest first (or oldest first with `ascending`). */
  readonly records: AuditRecord[];
  /** True when `limit` cut the result. */
  readonly more: boolean;
  /** Where they came from. */
  readonly sources: { readonly stream: number; readonly files: readonly string[] };
}

export interface AuditSearchOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly dir: string;
  readonly limit?: number;
  /** Most file bytes one search reads. Default 512 MiB. */
  readonly maxFileBytes?: number;
}

export function matches(r: AuditRecord, q: AuditQuery): boolean {
  if (q.ref && r.ref !== q.ref) return false;
  if (q.messageId && !(r.messageId ?? '').toLowerCase().includes(q.messageId.toLowerCase())) return false;
  if (q.sender && !(r.envelope?.mailFrom ?? '').toLowerCase().includes(q.sender.toLowerCase())) return false;
  if (q.recipient) {
    const want = q.recipient.toLowerCase();
    if (!(r.envelope?.rcptTo ?? []).some((x) => x.toLowerCase().includes(want))) return false;
  }
  if (q.rule && !(r.findings ?? []).some((f) => f.rule === q.rule)) return false;
  if (q.decision && r.decision !== q.decision) return false;
  if (q.type && r.type !== q.type) return false;
  if (q.actor && !(r.actor ?? '').toLowerCase().includes(q.actor.toLowerCase())) return false;
  const at = Date.parse(r.at);
  if (q.from !== undefined && !(at >= q.from)) return false;
  if (q.to !== undefined && !(at < q.to)) return false;
  return true;
}

/** Stream entries newest first, as records (entries that are not records are skipped). */
async function streamRecords(redis: Redis, prefix: string): Promise<AuditRecord[]> {
  const entries = (await redis.xrevrange(auditKeys(prefix).stream, '+', '-', 'COUNT', 20_000)) as [string, string[]][];
  const out: AuditRecord[] = [];
  for (const [, fields] of entries) {
    const i = fields.indexOf('record');
    if (i < 0 || i % 2 !== 0) continue;
    try {
      out.push(JSON.parse(fields[i + 1] ?? '') as AuditRecord);
    } catch {
      // not ours
    }
  }
  return out;
}

function fileDay(name: string): number {
  return Date.parse(`${name.slice(6, 16)}T00:00:00Z`);
}

export async function searchAudit(q: AuditQuery, opts: AuditSearchOptions): Promise<AuditSearchResult> {
  const limit = opts.limit ?? 200;
  const found: AuditRecord[] = [];
  let stream: AuditRecord[] = [];
  try {
    stream = await streamRecords(opts.redis, opts.prefix);
  } catch {
    // Redis down: the files alone
  }
  for (const r of stream) {
    if (!matches(r, q)) continue;
    if (found.length >= limit) return { records: found, more: true, sources: { stream: stream.length, files: [] } };
    found.push(r);
  }
  // The stream holds everything from its oldest record on; older ones are only in the files.
  const oldestInStream = stream.length ? Math.min(...stream.map((r) => r.seq)) : Number.POSITIVE_INFINITY;
  const streamFrom = stream.length ? Math.min(...stream.map((r) => Date.parse(r.at) || Number.POSITIVE_INFINITY)) : Number.POSITIVE_INFINITY;
  if (q.from !== undefined && q.from >= streamFrom && stream.length > 0) return { records: found, more: false, sources: { stream: stream.length, files: [] } };

  const day = 24 * 3600_000;
  const files = (await listAuditFiles(opts.dir))
    .filter((f) => (q.from === undefined || fileDay(f) + day > q.from) && (q.to === undefined || fileDay(f) < q.to))
    .reverse();
  const read: string[] = [];
  let bytes = 0;
  const maxBytes = opts.maxFileBytes ?? 512 * 1024 * 1024;
  for (const f of files) {
    if (bytes > maxBytes) return { records: found, more: true, sources: { stream: stream.length, files: read } };
    read.push(f);
    const inFile: AuditRecord[] = [];
    const rl = createInterface({ input: createReadStream(join(opts.dir, f)), crlfDelay: Infinity });
    for await (const line of rl) {
      bytes += line.length + 1;
      if (!line) continue;
      let r: AuditRecord;
      try {
        r = JSON.parse(line) as AuditRecord;
      } catch {
        continue; // a torn tail: verify reports it
      }
      if (r.seq >= oldestInStream) continue;
      if (matches(r, q)) inFile.push(r);
    }
    for (const r of inFile.reverse()) {
      if (found.length >= limit) return { records: found, more: true, sources: { stream: stream.length, files: read } };
      found.push(r);
    }
  }
  return { records: found, more: false, sources: { stream: stream.length, files: read } };
}

/** Every event for one message, oldest first. The spool id tells the day it arrived. */
export async function messageTimeline(ref: string, opts: AuditSearchOptions, receivedAt?: number): Promise<AuditRecord[]> {
  const from = receivedAt !== undefined ? receivedAt - 24 * 3600_000 : undefined;
  const result = await searchAudit({ ref, ...(from !== undefined ? { from } : {}) }, { ...opts, limit: opts.limit ?? 1000 });
  return result.records.sort((a, b) => a.seq - b.seq);
}

const CSV_COLUMNS = ['seq', 'at', 'type', 'ref', 'messageId', 'sender', 'recipients', 'subject', 'decision', 'rules', 'actor', 'reason', 'sha256'] as const;

function csvCell(v: string): string {
  // Quote always; a leading = + - @ would be a formula to a spreadsheet: prefix it.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvRow(r: AuditRecord): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    seq: String(r.seq),
    at: r.at,
    type: r.type,
    ref: r.ref,
    messageId: r.messageId ?? '',
    sender: r.envelope?.mailFrom ?? '',
    recipients: (r.envelope?.rcptTo ?? []).join(' '),
    subject: r.subject ?? '',
    decision: r.decision ?? '',
    rules: [...new Set((r.findings ?? []).map((f) => f.rule))].join(' '),
    actor: r.actor ?? '',
    reason: r.reason ?? '',
    sha256: r.sha256 ?? '',
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',') + '\r\n';
}

/** Milliseconds encoded in a spool id's first 10 base32 digits, or undefined. */
export function spoolIdTime(id: string): number | undefined {
  const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
  if (!/^[0-9a-hjkmnp-tv-z]{10}[a-z]/.test(id)) return undefined;
  let t = 0;
  for (const c of id.slice(0, 10)) t = t * 32 + ALPHABET.indexOf(c);
  return t;
}
