/**
 * The audit trail on disk: one JSON Lines file per UTC day, `audit-YYYY-MM-DD.jsonl`, so that
 * file names sort in chain order. The chain runs on across files.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from './record.js';

const FILE_PATTERN = /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/;
const CHUNK = 64 * 1024;

export function auditFileName(at: Date): string {
  return `audit-${at.toISOString().slice(0, 10)}.jsonl`;
}

/** Audit file names in chain (date) order; [] when the directory does not exist yet. */
export async function listAuditFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => FILE_PATTERN.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export class AuditFileCorrupt extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`audit file ${file}: ${detail}`);
    this.name = 'AuditFileCorrupt';
  }
}

export interface TailRead {
  /** Records read from the end, in file order (oldest first). */
  readonly records: AuditRecord[];
  /** File size after any torn tail was cut. */
  readonly size: number;
  /** Bytes of an unterminated last line that were cut (a write torn by a crash). */
  readonly cut: number;
}

/**
 * Reads records backwards from the end of `path` while `more(record)` says so (the record that
 * stops it is included). With `cutTorn`, an unterminated last line - a batch torn by a crash,
 * never fsynced, never acknowledged - is truncated away; only the lock holder may do that.
 */
export async function readTail(path: string, more: (r: AuditRecord) => boolean, cutTorn: boolean): Promise<TailRead> {
  const fh = await open(path, cutTorn ? 'r+' : 'r');
  try {
    let size = (await fh.stat()).size;
    let cut = 0;
    const records: AuditRecord[] = [];
    if (size === 0) return { records, size, cut };
    const last = await readAt(fh, size - 1, 1);
    if (last[0] !== 0x0a) {
      const keep = await endOfLastCompleteLine(fh, size);
      if (!cutTorn) throw new AuditFileCorrupt(path, 'last line is not terminated');
      await fh.truncate(keep);
      await fh.sync();
      cut = size - keep;
      size = keep;
    }
    for await (const line of linesBackward(fh, size)) {
      let record: AuditRecord;
      try {
        record = JSON.parse(line.toString('utf8')) as AuditRecord;
      } catch {
        throw new AuditFileCorrupt(path, 'a line near the end is not JSON');
      }
      if (typeof record?.seq !== 'number' || typeof record.hash !== 'string') {
        throw new AuditFileCorrupt(path, 'a line near the end is not an audit record');
      }
      records.unshift(record);
      if (!more(record)) break;
    }
    return { records, size, cut };
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Offset just after the last '\n' before `size` (0 when there is none). */
async function endOfLastCompleteLine(fh: FileHandle, size: number): Promise<number> {
  let pos = size;
  while (pos > 0) {
    const n = Math.min(CHUNK, pos);
    pos -= n;
    const idx = (await readAt(fh, pos, n)).lastIndexOf(0x0a);
    if (idx >= 0) return pos + idx + 1;
  }
  return 0;
}

/** Lines of [0, size) from last to first, without their '\n'; `size` must end just after a '\n'. */
async function* linesBackward(fh: FileHandle, size: number): AsyncGenerator<Buffer> {
  let pos = size - 1; // drop the final '\n'
  let rest: Buffer = Buffer.alloc(0);
  while (pos > 0) {
    const n = Math.min(CHUNK, pos);
    pos -= n;
    const buf = rest.length ? Buffer.concat([await readAt(fh, pos, n), rest]) : await readAt(fh, pos, n);
    let end = buf.length;
    let idx = buf.lastIndexOf(0x0a, end - 1);
    while (idx >= 0) {
      yield buf.subarray(idx + 1, end);
      end = idx;
      idx = idx === 0 ? -1 : buf.lastIndexOf(0x0a, idx - 1);
    }
    rest = buf.subarray(0, end);
  }
  if (size > 0) yield rest;
}

export function auditFilePath(dir: string, name: string): string {
  return join(dir, name);
}
