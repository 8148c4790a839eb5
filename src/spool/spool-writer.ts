/**
 * Writes one message's bytes to its file in the spool, hashing as it goes (unless the caller has
 * the hash of the same bytes already: the custody layer takes it from the parse, which reads them
 * too).
 * A Writable, so the SMTP front can pipe DATA into it and get backpressure for free.
 *
 * Small messages (up to `bufferBytes`, the usual case) stay in memory until `persist()`, which
 * Spool.commit calls: one createDurableFile, and nothing touches the disk
 * for a message that is then refused or aborted. File creation is the expensive part of a spool
 * on ext4 (inode allocation scans recently freed inodes), so not creating files for rejected
 * mail matters. Larger messages go to the file as they arrive and are fdatasynced at end(),
 * overlapping the inspection's last step, unless `syncAtEnd` is off: then only persist() syncs,
 * and a message nobody commits (the milter's accepted mail, which Postfix keeps) never costs a
 * disk write (removed from the page cache before writeback, it never reaches the disk at all).
 * Memory per writer is bounded by `bufferBytes` plus the stream's high-water mark.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { createDurableFile } from './durable-file.js';

/** `Hashed`: string for a writer that hashes (the default), null for one made with `hash: false`. */
export interface SpoolWriter<Hashed extends string | null = string> extends Writable {
  /**
   * Size and hex sha256 of every byte written; resolves after end() (and, for a message written
   * to its file as it came and `syncAtEnd`, after that file's fdatasync), rejects if destroyed.
   * The bytes are durable only once Spool.commit resolves.
   */
  done(): Promise<{ size: number; sha256: Hashed }>;
}

export interface FileSpoolWriterOptions {
  /** Messages up to this size stay in memory until commit. */
  readonly bufferBytes?: number;
  /** Blocking small writes at persist() (the worker thread's spool; see durable-file.ts). */
  readonly blocking?: boolean;
  /** fdatasync a large message's file at end() (default), or at persist() only, if someone commits it. */
  readonly syncAtEnd?: boolean;
  /** Hash the bytes (default); false: done() gives sha256 null. */
  readonly hash?: boolean;
}

/** Large enough that a 25 MB message is a few hundred writes, small enough to bound memory per session. */
const HIGH_WATER_MARK = 256 * 1024;
/** Messages up to this size are written in one go at commit. */
export const DEFAULT_BUFFER_BYTES = 128 * 1024;

export class FileSpoolWriter extends Writable implements SpoolWriter<string | null> {
  private fh: FileHandle | null = null;
  private readonly hash: Hash | null;
  private readonly bufferBytes: number;
  private readonly blocking: boolean;
  private readonly syncAtEnd: boolean;
  private size = 0;
  /** Bytes not yet in the file: the whole message while it is small. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True once the file holds every byte and was fdatasynced. */
  private persisted = false;
  /** True once the file holds every byte (closed) but was not fdatasynced (`syncAtEnd` off). */
  private writtenUnsynced = false;
  private persisting: Promise<void> | null = null;
  private created = false;
  private readonly result: Promise<{ size: number; sha256: string | null }>;

  constructor(
    readonly path: string,
    options: FileSpoolWriterOptions = {},
  ) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    this.blocking = options.blocking ?? false;
    this.syncAtEnd = options.syncAtEnd ?? true;
    this.hash = options.hash === false ? null : createHash('sha256');
    this.result = new Promise((resolve, reject) => {
      this.once('finish', () => resolve({ size: this.size, sha256: this.hash?.digest('hex') ?? null }));
      this.once('error', reject);
      this.once('close', () => {
        if (!this.writableFinished) reject(new Error(`spool writer for ${path} closed before end()`));
      });
    });
    // done() may never be called (aborted sessions): do not let that become an unhandled rejection.
    this.result.catch(() => undefined);
  }

  done(): Promise<{ size: number; sha256: string | null }> {
    return this.result;
  }

  /** True when a file was created for this message (it must be removed on abort). */
  get touchedDisk(): boolean {
    return this.created || this.persisting !== null;
  }

  /**
   * Makes the bytes durable in the file (after done()): writes a buffered message in one go and
   * fdatasyncs it. Idempotent.
   */
  persist(): Promise<void> {
    if (this.persisted) return Promise.resolve();
    this.persisting ??= (async () => {
      await this.result;
      if (this.persisted) return;
      if (this.writtenUnsynced) {
        await syncFile(this.path);
        this.writtenUnsynced = false;
        this.persisted = true;
        return;
      }
      this.created = true;
      await createDurableFile(this.path, this.pending, this.blocking);
      this.pending = [];
      this.pendingBytes = 0;
      this.persisted = true;
    })();
    return this.persisting;
  }

  /**
   * After done(): the bytes of a message that is still only in memory, handed to the caller, who
   * creates the file with them (Spool.commit, in one request with the sidecar); null when the
   * bytes are in the file already. Once only: the writer then counts as persisted, and as having
   * touched the disk (abort removes the file).
   */
  takeBuffered(): Buffer[] | null {
    if (!this.writableFinished || this.persisted || this.persisting || this.created) return null;
    this.created = true;
    this.persisted = true;
    const out = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.take(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    if (!fh) return callback(); // small: stays in memory until persist()
    writeFully(fh, this.pending, this.pendingBytes, this.path)
      .then(() => (this.syncAtEnd ? fh.datasync() : undefined))
      .then(() => fh.close())
      .then(() => {
        this.fh = null;
        this.pending = [];
        this.pendingBytes = 0;
        if (this.syncAtEnd) this.persisted = true;
        else this.writtenUnsynced = true;
        callback();
      }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = null;
    // After 'finish' (autoDestroy) a small message still waits in memory for persist().
    if (!this.writableFinished) this.pending = [];
    if (!fh) return callback(error);
    fh.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async take(buffers: Buffer[]): Promise<void> {
    for (const b of buffers) {
      this.hash?.update(b);
      this.size += b.length;
      this.pending.push(b);
      this.pendingBytes += b.length;
    }
    if (!this.fh && this.pendingBytes <= this.bufferBytes) return;
    // 'wx': a leftover file with the same id is a bug, not something to overwrite.
    if (!this.fh) {
      this.created = true;
      this.fh = await open(this.path, 'wx');
    }
    const out = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    await writeFully(this.fh, out, bytes, this.path);
  }
}

/** writev, finishing a short write (a full disk can cause one) or failing loudly. */
async function writeFully(fh: FileHandle, buffers: Buffer[], total: number, path: string): Promise<void> {
  if (total === 0) return;
  let { bytesWritten } = buffers.length === 1 ? await fh.write(buffers[0]!) : await fh.writev(buffers);
  while (bytesWritten < total) {
    const rest = Buffer.concat(buffers).subarray(bytesWritten);
    const r = await fh.write(rest);
    if (r.bytesWritten === 0) throw new Error(`short write to ${path}`);
    bytesWritten += r.bytesWritten;
  }
}

/** fdatasync of a file already written and closed (the data is the inode's: any descriptor will do). */
async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
