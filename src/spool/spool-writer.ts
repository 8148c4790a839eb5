/**
 * Writes one message's bytes to its temp file in the spool, hashing as it goes.
 * A Writable, so the SMTP front can pipe DATA into it and get backpressure for free;
 * `done()` resolves only after end() and an fsync of the file.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

export interface SpoolWriter extends Writable {
  /** Size and hex sha256 of every byte written; resolves after end() and fsync, rejects if destroyed. */
  done(): Promise<{ size: number; sha256: string }>;
}

/** Large enough that a 25 MB message is a few hundred writes, small enough to bound memory per session. */
const HIGH_WATER_MARK = 256 * 1024;

export class FileSpoolWriter extends Writable implements SpoolWriter {
  private fh: FileHandle | null = null;
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private readonly result: Promise<{ size: number; sha256: string }>;

  constructor(readonly path: string) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.result = new Promise((resolve, reject) => {
      this.once('finish', () => resolve({ size: this.size, sha256: this.hash.digest('hex') }));
      this.once('error', reject);
      this.once('close', () => {
        if (!this.writableFinished) reject(new Error(`spool writer for ${path} closed before end()`));
      });
    });
    // done() may never be called (aborted sessions): do not let that become an unhandled rejection.
    this.result.catch(() => undefined);
  }

  done(): Promise<{ size: number; sha256: string }> {
    return this.result;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // 'wx': a leftover file with the same id is a bug, not something to overwrite.
    open(this.path, 'wx').then(
      (fh) => {
        this.fh = fh;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    if (!fh) return callback(new Error('spool writer has no open file'));
    fh.sync()
      .then(() => fh.close())
      .then(() => {
        this.fh = null;
        callback();
      }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = null;
    if (!fh) return callback(error);
    fh.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new Error('spool writer has no open file');
    let total = 0;
    for (const b of buffers) {
      this.hash.update(b);
      total += b.length;
    }
    let { bytesWritten } = buffers.length === 1 ? await fh.write(buffers[0]!) : await fh.writev(buffers);
    // Regular files rarely write short, but a full disk can: finish the rest or fail loudly.
    while (bytesWritten < total) {
      const rest = Buffer.concat(buffers).subarray(bytesWritten);
      const r = await fh.write(rest);
      if (r.bytesWritten === 0) throw new Error(`short write to ${this.path}`);
      bytesWritten += r.bytesWritten;
    }
    this.size += total;
  }
}
