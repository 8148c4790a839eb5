/**
 * Turn the bytes of an archive member into a PartBlob: in memory while small, then in a temp file under the
 * inspection's quota. Every byte is counted against the archive limits as it arrives, so a bomb stops at the
 * limit, whatever its headers claim.
 */
import { createHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { TempQuotaExceeded } from '../temp-area.js';
import type { ArchiveBudget } from './archive-limits.js';
import { ArchiveLimitError } from './archive-limits.js';
import { HEAD_BYTES, type PartBlob } from './blob.js';
import type { ContentContext } from './analysis-work.js';

export interface MemberBlob extends PartBlob {
  /** Delete the temp file (if any) and give its bytes back to the quota. */
  dispose(): Promise<void>;
}

export interface CollectOptions {
  readonly ctx: ContentContext;
  readonly budget: ArchiveBudget;
  /** Compressed bytes behind this member, for the ratio test (undefined: not compressed). */
  readonly compressedSize?: number;
  /** Names the member in limit messages. */
  readonly label: string;
}

export async function collectBlob(
  source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>,
  opts: CollectOptions): Promise<MemberBlob> {
  const { ctx, budget } = opts;
  const memoryLimit = ctx.options.inspection.memoryPartBytes;
  const hash = createHash('sha256');
  let chunks: Buffer[] = [];
  const headParts: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  let file: FileHandle | null = null;
  let path: string | null = null;
  let reserved = 0;
  const write = async (fh: FileHandle, chunk: Buffer): Promise<void> => {
    ctx.temp.reserve(chunk.length);
    reserved += chunk.length;
    await fh.write(chunk);
  };
  try {
    for await (const raw of source) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      size += chunk.length;
      budget.addExpanded(chunk.length);
      if (opts.compressedSize !== undefined) budget.checkRatio(size, opts.compressedSize, opts.label);
      hash.update(chunk);
      if (headBytes < HEAD_BYTES) {
        const part = chunk.subarray(0, HEAD_BYTES - headBytes);
        headParts.push(part);
        headBytes += part.length;
      }
      if (!file && size <= memoryLimit) {
        chunks.push(chunk);
        continue;
      }
      if (!file) {
        path = await ctx.temp.newPath('member');
        file = await open(path, 'wx');
        for (const c of chunks) await write(file, c);
        chunks = [];
      }
      await write(file, chunk);
    }
    const sha256 = hash.digest('hex');
    const head = Buffer.concat(headParts);
    if (file && path) {
      await file.close();
      file = null;
      const at = path;
      const held = reserved;
      reserved = 0;
      return {
        size, sha256, head, buffer: null, path: at,
        dispose: async () => {
          await rm(at, { force: true }).catch(() => undefined);
          ctx.temp.release(held);
        },
      };
    }
    const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    return { size, sha256, head: buffer.subarray(0, HEAD_BYTES), buffer, path: null, dispose: async () => undefined };
  } catch (err) {
    const fh = file as FileHandle | null;
    await fh?.close().catch(() => undefined);
    if (path) await rm(path, { force: true }).catch(() => undefined);
    ctx.temp.release(reserved);
    if (err instanceof TempQuotaExceeded) throw new ArchiveLimitError(`temporary space quota of ${err.quota} bytes exceeded`);
    throw err;
  }
}
