/**
 * The single writer of the audit chain. Any number of processes may run one (every worker
 * process can take audit jobs), but they append one at a time: each batch takes a Redis lock,
 * re-reads the chain head, writes, fsyncs, moves the head and releases. So the chain never forks,
 * and no writer needs to be elected.
 *
 * Order of writes per batch, and what a crash at each point leaves:
 *   1. lock + head + which event ids are already written (one script)
 *   2. append lines to the day file, fdatasync    - crash: torn, unfsynced tail; cut at next start
 *   3. head, event ids, stream, unlock (one script) - crash before it: the file is ahead of Redis
 * The next lock holder compares the file's last record with the Redis head; when the file is
 * ahead it takes the file's head and treats the event ids of those records as written, so the
 * retried job writes nothing twice. The remaining duplicate window is Redis losing acknowledged
 * writes (AOF everysec) for events older than the records it re-reads from the file's tail.
 *
 * The audit directory must be the same for every writer (shared storage, or run audit workers
 * on one machine): the chain is checked against the files, not only against Redis.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditEvent } from './events.js';
import { DEFAULT_KEY_PREFIX } from '../config/service-schema.js';
import { fsyncDir } from '../spool/dir-sync.js';
import { auditFileName, AuditFileCorrupt, listAuditFiles, readTail } from './audit-files.js';
import { EMPTY_HEAD, recordLine, sealRecord, type AuditRecord, type ChainHead } from './record.js';
import { AuditLock, auditKeys } from './redis-chain.js';

export interface AuditWriterOptions {
  /** Directory of the day files (created if missing). */
  readonly dir: string;
  readonly redis: Redis;
  /** Key prefix, a Redis Cluster hash tag. Default '{mailwarden}'. */
  readonly prefix?: string;
  /** Approximate length of the dashboard stream (XADD MAXLEN ~). Default 10,000. */
  readonly streamMaxLen?: number;
  /** Lock lease; renewed while a batch runs. Default 10 s. */
  readonly lockTtlMs?: number;
  /** How long append waits for another writer's lock before failing (retryable). Default 5 s. */
  readonly lockWaitMs?: number;
  /**
   * How long written event ids are remembered for retries. Default 24 h, longer than the audit
   * job's retry schedule. Costs about 100 bytes of Redis memory per event.
   */
  readonly dedupeWindowMs?: number;
  /** Most events per batch. Default 500. */
  readonly maxBatch?: number;
  /** HMAC key: records are keyed (see record.ts). Default none: plain sha256 links. */
  readonly hmacKey?: Buffer | null;
  /** Clock choosing the day file (UTC). Default: now. */
  readonly now?: () => Date;
  readonly logger?: Logger;
}

/** Another writer holds the lock: the job should be retried, nothing was written. */
export class AuditLockBusyError extends Error {
  constructor(waitedMs: number) {
    super(`audit: another writer held the audit lock for more than ${waitedMs} ms; retry later`);
    this.name = 'AuditLockBusyError';
  }
}

interface Pending {
  readonly event: AuditEvent;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Where this writer believes the chain ends; any difference from disk or Redis forces a re-read. */
interface ChainEnd {
  readonly file: string | null;
  readonly size: number;
  readonly head: ChainHead;
}

/**
 * Records re-read from the file tail beyond the Redis head, at most: a crashed batch (<= maxBatch)
 * or the last second of commits a Redis restart lost (AOF everysec), with room to spare.
 */
const MAX_RECOVER = 2_000;

export class AuditWriter {
  private readonly dir: string;
  private readonly lock: AuditLock;
  private readonly streamMaxLen: number;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly dedupeWindowMs: number;
  private readonly maxBatch: number;
  private readonly hmacKey: Buffer | null;
  private readonly now: () => Date;
  private readonly logger: Logger | undefined;
  private readonly pending: Pending[] = [];
  private draining: Promise<void> | null = null;
  private known: ChainEnd | null = null;
  private file: { name: string; fh: FileHandle } | null = null;
  private closed = false;
  private dirReady = false;

  constructor(opts: AuditWriterOptions) {
    this.dir = opts.dir;
    this.lockTtlMs = opts.lockTtlMs ?? 10_000;
    this.lock = new AuditLock(opts.redis, auditKeys(opts.prefix ?? DEFAULT_KEY_PREFIX), this.lockTtlMs);
    this.streamMaxLen = opts.streamMaxLen ?? 10_000;
    this.lockWaitMs = opts.lockWaitMs ?? 5_000;
    this.dedupeWindowMs = opts.dedupeWindowMs ?? 24 * 3_600_000;
    this.maxBatch = opts.maxBatch ?? 500;
    this.hmacKey = opts.hmacKey ?? null;
    this.now = opts.now ?? (() => new Date());
    this.logger = opts.logger;
  }

  /**
   * Appends one event; resolves once it is fsynced in the day file (or was already written).
   * Concurrent calls are written together in one batch. Throws AuditLockBusyError (retry) when
   * another writer kept the lock too long, and whatever Redis or the disk threw otherwise.
   */
  append(event: AuditEvent): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit: writer is closed'));
    if (!event || typeof event.eventId !== 'string' || event.eventId === '') {
      return Promise.reject(new Error('audit: an event needs an eventId'));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = (async () => {
      try {
        await this.drain();
      } finally {
        this.draining = null;
        // An append that arrived as the last batch settled must not wait for the next one.
        if (this.pending.length > 0) this.kick();
      }
    })();
  }

  /** Waits for appends in flight, then closes the day file. The lock is never held between batches. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await this.draining;
    await this.file?.fh.close();
    this.file = null;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.writeBatch(batch.map((p) => p.event));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  private async writeBatch(events: AuditEvent[]): Promise<void> {
    if (!this.dirReady) {
      await mkdir(this.dir, { recursive: true });
      this.dirReady = true;
    }
    const ids = [...new Set(events.map((e) => e.eventId))];
    const acquired = await this.acquire(ids);
    let lost = false;
    const renewal = setInterval(() => {
      this.lock.renew().then(
        (ok) => (lost ||= !ok),
        () => undefined,
      );
    }, Math.max(50, Math.floor(this.lockTtlMs / 3)));
    let committed = false;
    try {
      const { head, recovered, files } = await this.chainEnd(acquired.head);
      const written = new Set([...acquired.seen, ...recovered.map((r) => r.eventId)]);
      const records: AuditRecord[] = [];
      let last = head;
      for (const event of events) {
        if (written.has(event.eventId)) continue;
        written.add(event.eventId);
        const record = sealRecord(event, last, this.hmacKey);
        records.push(record);
        last = record;
      }
      if (records.length > 0) {
        if (lost) throw new Error('audit: lost the writer lock before writing; retry');
        await this.appendLines(files, records);
      }
      if (records.length === 0 && recovered.length === 0 && sameHead(acquired.head, last)) return;
      const result = await this.lock.commit({
        head: { seq: last.seq, hash: last.hash },
        windowMs: this.dedupeWindowMs,
        streamMaxLen: this.streamMaxLen,
        eventIds: [...recovered, ...records].map((r) => r.eventId),
        records: [...recovered, ...records],
      });
      committed = true;
      // The records are durable in the file either way; the next lock holder repairs Redis from it.
      if (result !== 'ok') {
        this.logger?.error({ result, seq: last.seq, dir: this.dir }, 'audit: chain head not stored in Redis (lock expired mid-batch); the next writer re-reads it from the file, run `mailwarden audit verify`');
      }
    } finally {
      clearInterval(renewal);
      if (!committed) await this.lock.release().catch(() => undefined);
    }
  }

  /** Takes the lock, polling while another writer holds it, up to lockWaitMs. */
  private async acquire(ids: string[]) {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const got = await this.lock.tryAcquire(ids);
      if (got) return got;
      if (Date.now() - started >= this.lockWaitMs) throw new AuditLockBusyError(this.lockWaitMs);
      await sleep(Math.min(100, 5 + attempt * 5) + Math.random() * 10);
    }
  }

  /**
   * Where the chain really ends, checked against the newest day file. Cheap (one readdir and
   * stat) when nothing changed since our last batch; otherwise re-reads the file's tail.
   */
  private async chainEnd(redisHead: ChainHead | null): Promise<{ head: ChainHead; recovered: AuditRecord[]; files: string[] }> {
    const files = await listAuditFiles(this.dir);
    const newest = files.at(-1) ?? null;
    const size = newest ? (await stat(join(this.dir, newest))).size : 0;
    const k = this.known;
    if (k && k.file === newest && k.size === size && redisHead && sameHead(k.head, redisHead)) {
      return { head: k.head, recovered: [], files };
    }
    const stored = redisHead ?? EMPTY_HEAD;
    let fileEnd: { head: ChainHead; beyond: AuditRecord[]; size: number };
    try {
      fileEnd = await this.readFileEnd(files, stored);
    } catch (err) {
      if (!(err instanceof AuditFileCorrupt)) throw err;
      this.logger?.error({ err: err.message, head: stored }, 'audit: the end of the audit file is damaged; continuing after the Redis head, verify will name the record');
      this.known = { file: newest, size, head: stored };
      return { head: stored, recovered: [], files };
    }
    let head = fileEnd.head;
    let recovered: AuditRecord[] = [];
    if (fileEnd.head.seq > stored.seq) {
      recovered = fileEnd.beyond;
      this.logger?.warn({ fileSeq: fileEnd.head.seq, redisSeq: stored.seq }, 'audit: the files are ahead of the Redis head (a writer stopped between fsync and head update); taking the files\' head');
    } else if (fileEnd.head.seq < stored.seq) {
      head = stored;
      this.logger?.error({ fileSeq: fileEnd.head.seq, redisSeq: stored.seq, dir: this.dir }, 'audit: records are missing from the audit files (Redis head is ahead); continuing after the Redis head so the gap stays visible to `mailwarden audit verify`');
    } else if (fileEnd.head.hash !== stored.hash && redisHead) {
      this.logger?.error({ seq: stored.seq }, 'audit: the last record in the files differs from the Redis head; continuing from the files');
    }
    this.known = { file: newest, size: fileEnd.size, head };
    return { head, recovered, files };
  }

  /** Last record of the newest non-empty file, plus the records after `stored` (bounded). */
  private async readFileEnd(files: string[], stored: ChainHead): Promise<{ head: ChainHead; beyond: AuditRecord[]; size: number }> {
    const beyond: AuditRecord[] = [];
    let head: ChainHead | null = null;
    let newestSize = 0;
    let budget = MAX_RECOVER;
    for (let i = files.length - 1; i >= 0; i--) {
      const name = files[i]!;
      // Only the newest file can hold a torn line we may cut; in an older one it is damage.
      const newestFile = i === files.length - 1;
      const tail = await readTail(join(this.dir, name), (r) => r.seq > stored.seq && --budget > 0, newestFile);
      if (newestFile) newestSize = tail.size;
      if (tail.cut > 0) this.logger?.warn({ file: name, bytes: tail.cut }, 'audit: cut a torn, unacknowledged last line (crash mid-write)');
      const last = tail.records.at(-1);
      if (last && !head) head = { seq: last.seq, hash: last.hash };
      beyond.unshift(...tail.records.filter((r) => r.seq > stored.seq));
      const first = tail.records[0];
      if (first && (first.seq <= stored.seq || budget <= 0)) break;
    }
    return { head: head ?? EMPTY_HEAD, beyond, size: newestSize };
  }

  private async appendLines(files: string[], records: AuditRecord[]): Promise<void> {
    // Never write to a day older than the newest file (a writer with a slow clock), so that
    // file names stay in chain order.
    const today = auditFileName(this.now());
    const newest = files.at(-1);
    const name = newest && newest > today ? newest : today;
    if (this.file?.name !== name) {
      await this.file?.fh.close();
      this.file = null;
      this.file = { name, fh: await open(join(this.dir, name), 'a') };
    }
    const fh = this.file.fh;
    const data = Buffer.from(records.map(recordLine).join(''), 'utf8');
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await fh.write(data, written);
      if (bytesWritten === 0) throw new Error(`audit: short write to ${name}`);
      written += bytesWritten;
    }
    await fh.datasync();
    // A new day file is durable only once the directory entry is.
    if (!files.includes(name)) await fsyncDir(this.dir);
    const lastRecord = records.at(-1)!;
    this.known = { file: name, size: (await fh.stat()).size, head: { seq: lastRecord.seq, hash: lastRecord.hash } };
  }
}

function sameHead(a: ChainHead | null, b: ChainHead | null): boolean {
  const x = a ?? EMPTY_HEAD;
  const y = b ?? EMPTY_HEAD;
  return x.seq === y.seq && x.hash === y.hash;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
