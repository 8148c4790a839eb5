/**
 * Checks the audit trail: every record's hash, its link to the record before (across day files),
 * gap-free sequence numbers, and - given the head stored in Redis - that no records were removed
 * from the end. Streams the files; memory does not grow with the trail.
 *
 * Keyed records (HMAC) need the key. Given it, the check also refuses a downgrade: once the chain
 * is keyed every later record must be, and a chain with no keyed record at all fails (someone
 * without the key could only have rewritten it whole, unkeyed). Unkeyed records before the first
 * keyed one (a trail that was keyed later) stay protected by that record's link to them.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { listAuditFiles } from './audit-files.js';
import { EMPTY_HEAD, KEYED, keyedRecordHash, recordHash, type AuditRecord, type ChainHead } from './record.js';

export interface VerifyOptions {
  /** The head kept in Redis: catches a truncated tail, which the files alone cannot show. */
  readonly expectedHead?: ChainHead | null;
  /** Where the chain starts when older files were archived away. Default: seq 0, 64 zeros. */
  readonly start?: ChainHead;
  /** The audit HMAC key: needed for keyed records, and makes keying required (see above). */
  readonly key?: Buffer | null;
  /** Go on from where an earlier check stopped (its `position`): an incremental check reads only what is new. */
  readonly resume?: VerifyPosition;
  /** An unterminated last line (a batch being appended right now) ends the check quietly instead of breaking it. */
  readonly stopAtTornTail?: boolean;
}

/** Where a check stopped: after the last good record. */
export interface VerifyPosition {
  readonly file: string;
  /** Byte offset just after that record's line. */
  readonly offset: number;
  readonly line: number;
  readonly head: ChainHead;
  readonly records: number;
  readonly keyed: number;
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
  /** Of those, the keyed ones (HMAC). */
  readonly keyed: number;
  /** The last good record's position. */
  readonly head: ChainHead;
  readonly files: readonly string[];
  readonly firstBroken?: BrokenRecord;
  /** Records past the stored head: a writer stopped before updating Redis; it repairs that itself. */
  readonly aheadOfStoredHead?: number;
  /** Where the check stopped: give it back as `resume` to check only what comes after. */
  readonly position: VerifyPosition;
}

export async function verifyAuditDir(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const resume = options.resume;
  const files = await listAuditFiles(dir);
  let head: ChainHead = resume?.head ?? options.start ?? EMPTY_HEAD;
  let records = resume?.records ?? 0;
  let keyed = resume?.keyed ?? 0;
  let position: VerifyPosition = resume ?? { file: '', offset: 0, line: 0, head, records, keyed };
  const key = options.key ?? null;
  const expected = options.expectedHead ?? null;
  const broken = (file: string, line: number, seq: number, problem: string): VerifyResult => ({
    ok: false,
    records,
    keyed,
    head,
    files,
    firstBroken: { file, line, seq, problem },
    position,
  });
  let lastFile = files.at(-1) ?? '';
  let lastLine = 0;

  for (const file of files) {
    if (resume && file < resume.file) continue;
    const from = resume && file === resume.file ? { offset: resume.offset, line: resume.line } : { offset: 0, line: 0 };
    for await (const { text, line, terminated, end } of readLines(join(dir, file), from.offset, from.line)) {
      lastFile = file;
      lastLine = line;
      const next = head.seq + 1;
      if (!terminated && options.stopAtTornTail) break;
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
      if (record.mac !== undefined) {
        if (record.mac !== KEYED) return broken(file, line, record.seq, `unknown mac '${String(record.mac)}'`);
        if (!key) return broken(file, line, record.seq, 'the record is keyed (HMAC): give the audit key to verify it');
        if (keyedRecordHash(record, key) !== record.hash) {
          return broken(file, line, record.seq, 'HMAC does not match the record content (altered, or another key)');
        }
      } else {
        if (keyed > 0) return broken(file, line, record.seq, 'an unkeyed record after keyed ones (the chain was rewritten without the key)');
        if (recordHash(record) !== record.hash) return broken(file, line, record.seq, 'hash does not match the record content (the record was altered)');
      }
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
      if (record.mac !== undefined) keyed++;
      position = { file, offset: end, line, head, records, keyed };
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
  if (key && records > 0 && keyed === 0) {
    return broken(
      lastFile,
      lastLine,
      head.seq,
      'a key was given but no record is keyed: the whole chain may have been rewritten without the key',
    );
  }
  const ahead = expected && head.seq > expected.seq ? head.seq - expected.seq : 0;
  return { ok: true, records, keyed, head, files, position, ...(ahead > 0 ? { aheadOfStoredHead: ahead } : {}) };
}

/**
 * Lines of a file in order from byte `offset` (line number `line` before it), streamed;
 * `terminated` is false only for a last line without '\n'; `end` is the offset after the line.
 */
async function* readLines(path: string, offset = 0, line = 0): AsyncGenerator<{ text: string; line: number; terminated: boolean; end: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let base = offset; // file offset of carry[0]
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024, start: offset })) {
    const buf: Buffer = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    let idx = buf.indexOf(0x0a, start);
    while (idx >= 0) {
      yield { text: buf.toString('utf8', start, idx), line: ++line, terminated: true, end: base + idx + 1 };
      start = idx + 1;
      idx = buf.indexOf(0x0a, start);
    }
    carry = buf.subarray(start);
    base += start;
  }
  if (carry.length > 0) yield { text: carry.toString('utf8'), line: ++line, terminated: false, end: base + carry.length };
}
