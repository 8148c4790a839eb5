/**
 * Checks the audit trail: every record's hash, its link to the record before (across day files),
 * gap-free sequence numbers, and - given the head stored in Redis - that no records were removed
 * from the end. Streams the files; memory does not grow with the trail.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { listAuditFiles } from './audit-files.js';
import { EMPTY_HEAD, recordHash, type AuditRecord, type ChainHead } from './record.js';

export interface VerifyOptions {
  /** The head kept in Redis: catches a truncated tail, which the files alone cannot show. */
  readonly expectedHead?: ChainHead | null;
  /** Where the chain starts when older files were archived away. Default: seq 0, 64 zeros. */
  readonly start?: ChainHead;
}

export interface BrokenRecord {
  /** File name within the audit directory. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The sequence number found, or expected when the record is unreadable or missing. */
  readonly seq: number;
  readonly problem: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Records checked (up to the first broken one). */
  readonly records: number;
  /** The last good record's position. */
  readonly head: ChainHead;
  readonly files: readonly string[];
  readonly firstBroken?: BrokenRecord;
  /** Records past the stored head: a writer stopped before updating Redis; it repairs that itself. */
  readonly aheadOfStoredHead?: number;
}

export async function verifyAuditDir(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const files = await listAuditFiles(dir);
  let head: ChainHead = options.start ?? EMPTY_HEAD;
  let records = 0;
  const expected = options.expectedHead ?? null;
  const broken = (file: string, line: number, seq: number, problem: string): VerifyResult => ({
    ok: false,
    records,
    head,
    files,
    firstBroken: { file, line, seq, problem },
  });
  let lastFile = files.at(-1) ?? '';
  let lastLine = 0;

  for (const file of files) {
    for await (const { text, line, terminated } of readLines(join(dir, file))) {
      lastFile = file;
      lastLine = line;
      const next = head.seq + 1;
      if (!terminated) return broken(file, line, next, 'last line is not terminated (a torn write, or bytes added by hand)');
      if (text.trim() === '') return broken(file, line, next, 'empty line where a record should be');
      let record: AuditRecord;
      try {
        record = JSON.parse(text) as AuditRecord;
      } catch {
        return broken(file, line, next, 'not valid JSON (the record was altered)');
      }
      if (typeof record !== 'object' || record === null || typeof record.seq !== 'number' || typeof record.hash !== 'string' || typeof record.prevHash !== 'string') {
        return broken(file, line, next, 'not an audit record (seq, prevHash or hash missing)');
      }
      if (recordHash(record) !== record.hash) return broken(file, line, record.seq, 'hash does not match the record content (the record was altered)');
      if (record.seq !== next) {
        const why = record.seq > next ? `records ${next}..${record.seq - 1} are missing` : 'out of order or repeated';
        return broken(file, line, record.seq, `sequence ${record.seq} where ${next} was expected (${why})`);
      }
      if (record.prevHash !== head.hash) return broken(file, line, record.seq, 'prevHash does not match the hash of the record before it');
      if (expected && record.seq === expected.seq && record.hash !== expected.hash) {
        return broken(file, line, record.seq, 'differs from the chain head stored in Redis');
      }
      head = { seq: record.seq, hash: record.hash };
      records++;
    }
  }

  if (expected && head.seq < expected.seq) {
    return broken(
      lastFile || '(no audit files)',
      lastLine + 1,
      head.seq + 1,
      `the files end at sequence ${head.seq} but the stored head is ${expected.seq}: records were removed from the end`,
    );
  }
  const ahead = expected && head.seq > expected.seq ? head.seq - expected.seq : 0;
  return { ok: true, records, head, files, ...(ahead > 0 ? { aheadOfStoredHead: ahead } : {}) };
}

/** Lines of a file in order, streamed; `terminated` is false only for a last line without '\n'. */
async function* readLines(path: string): AsyncGenerator<{ text: string; line: number; terminated: boolean }> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const buf: Buffer = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    let idx = buf.indexOf(0x0a, start);
    while (idx >= 0) {
      yield { text: buf.toString('utf8', start, idx), line: ++line, terminated: true };
      start = idx + 1;
      idx = buf.indexOf(0x0a, start);
    }
    carry = buf.subarray(start);
  }
  if (carry.length > 0) yield { text: carry.toString('utf8'), line: ++line, terminated: false };
}
