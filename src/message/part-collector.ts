/**
 * Collects the decoded bytes of one part into a PartBlob: size as they stream, kept in memory up
 * to inspection.memoryPartBytes, else spilled to a file in the TempArea. Past the temp quota the
 * bytes are still counted and hashed, but not kept.
 *
 * The sha256 of a part kept in memory is computed when first asked for: most parts kept in memory
 * are body text whose hash nobody reads (a body that carries nothing is not an attachment). A part
 * that goes to a file, or is not kept, is hashed as it streams (its bytes are not all at hand later).
 */
import { createHash, type Hash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { HEAD_BYTES, type PartBlob } from './content/blob.js';
import { TempQuotaExceeded, type TempArea } from './temp-area.js';

export type CollectedPart =
  | { readonly kind: 'blob'; readonly blob: PartBlob; release(): Promise<void> }
  | { readonly kind: 'not-kept'; readonly size: number; readonly sha256: string; readonly head: Buffer; readonly reason: string };

export class PartCollector {
  private readonly hash: Hash = createHash('sha256');
  /** True once the bytes are hashed as they come (from the first spill on); before, they are all in `chunks`. */
  private hashing = false;
  private size = 0;
  private chunks: Buffer[] = [];
  private held = 0;
  private headChunks: Buffer[] = [];
  private headBytes = 0;
  private file: FileHandle | null = null;
  private path: string | null = null;
  private reserved = 0;
  private notKept: string | null = null;

  constructor(
    private readonly temp: TempArea,
    private readonly memoryBytes: number,
    private readonly hint: string,
  ) {}

  /** Returns a promise only when the bytes went to disk (callers await it for backpressure). */
  write(chunk: Buffer): Promise<void> | void {
    if (!chunk.length) return;
    if (this.hashing) this.hash.update(chunk);
    this.size += chunk.length;
    if (this.headBytes < HEAD_BYTES) {
      const take = chunk.subarray(0, HEAD_BYTES - this.headBytes);
      this.headChunks.push(take);
      this.headBytes += take.length;
    }
    if (this.notKept) return;
    if (!this.file && this.held + chunk.length <= this.memoryBytes) {
      this.chunks.push(chunk);
      this.held += chunk.length;
      return;
    }
    return this.spill(chunk);
  }

  async finish(): Promise<CollectedPart> {
    const head = this.headChunks.length === 1 ? (this.headChunks[0] as Buffer) : Buffer.concat(this.headChunks);
    this.headChunks = [];
    if (this.notKept) {
      await this.discardFile();
      return { kind: 'not-kept', size: this.size, sha256: this.hash.digest('hex'), head, reason: this.notKept };
    }
    if (this.file) {
      const path = this.path as string;
      await this.file.close();
      this.file = null;
      const reserved = this.reserved;
      const blob: PartBlob = { size: this.size, sha256: this.hash.digest('hex'), head, buffer: null, path };
      return {
        kind: 'blob',
        blob,
        release: async () => {
          await unlink(path).catch(() => undefined);
          this.temp.release(reserved);
        },
      };
    }
    const buffer = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.held);
    this.chunks = [];
    let sha256: string | null = null;
    const blob: PartBlob = {
      size: this.size,
      get sha256(): string {
        return (sha256 ??= createHash('sha256').update(buffer).digest('hex'));
      },
      head: buffer.subarray(0, HEAD_BYTES),
      buffer,
      path: null,
    };
    return { kind: 'blob', blob, release: async () => undefined };
  }

  /** Drops whatever was written (the walk stopped before the part ended). */
  async abandon(): Promise<void> {
    this.chunks = [];
    this.headChunks = [];
    await this.discardFile();
  }

  private async spill(chunk: Buffer): Promise<void> {
    if (!this.hashing) {
      // From here on the bytes are not all at hand at the end: hash what came so far, then each chunk.
      for (const c of this.chunks) this.hash.update(c);
      this.hash.update(chunk);
      this.hashing = true;
    }
    try {
      if (!this.file) {
        this.temp.reserve(this.held + chunk.length);
        this.reserved += this.held + chunk.length;
        this.path = await this.temp.newPath(this.hint);
        this.file = await open(this.path, 'wx', 0o600);
        const pending = this.chunks;
        this.chunks = [];
        this.held = 0;
        for (const c of pending) await this.file.write(c);
      } else {
        this.temp.reserve(chunk.length);
        this.reserved += chunk.length;
      }
      await this.file.write(chunk);
    } catch (err) {
      this.notKept =
        err instanceof TempQuotaExceeded
          ? `temporary space quota of ${err.quota} bytes exceeded`
          : `could not write temporary file: ${(err as Error).message}`;
      this.chunks = [];
      this.held = 0;
      await this.discardFile();
    }
  }

  private async discardFile(): Promise<void> {
    const file = this.file;
    const path = this.path;
    this.file = null;
    this.path = null;
    if (file) await file.close().catch(() => undefined);
    if (path) await unlink(path).catch(() => undefined);
    if (this.reserved) this.temp.release(this.reserved);
    this.reserved = 0;
  }
}
