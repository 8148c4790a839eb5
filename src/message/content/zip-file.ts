/**
 * Opening a zip (from memory or a temp file) with yauzl: list the central directory, read entries with
 * bounded output. Names are decoded (CP437 / UTF-8 / Info-ZIP Unicode Path) but never validated or used as
 * paths: a zip-slip name like '../../x.exe' is just a name to us.
 *
 * Speed: yauzl's own buffer reader pipes every 46-byte header read through three streams (over a
 * millisecond for a small docx). For zips in memory we give yauzl a reader that copies directly, and read
 * small metadata parts (the OOXML XML we look at) with one synchronous, size-capped inflate.
 */
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type Options, type ZipFile } from 'yauzl';
import type { PartBlob } from './blob.js';

export interface ZipEntryInfo {
  /** Decoded name, backslashes turned into '/'. */
  readonly name: string;
  readonly isDirectory: boolean;
  /** General-purpose bit 0: traditional or AES encryption. */
  readonly encrypted: boolean;
  readonly compressedSize: number;
  /** As the header claims (not trusted). */
  readonly declaredSize: number;
  readonly compressionMethod: number;
  readonly raw: Entry;
}

export interface ZipHandle {
  readonly entries: readonly ZipEntryInfo[];
  /** Entry contents as a stream (decompressed; yauzl checks the size the header claims). */
  stream(entry: ZipEntryInfo): Promise<Readable>;
  /** Entry contents, at most `cap` bytes (null when unreadable or, for a zip in memory, larger than `cap`). */
  read(entry: ZipEntryInfo, cap: number): Promise<Buffer | null>;
  close(): void;
}

/** Stop listing after this many entries (far more than any member limit). */
const MAX_LISTED = 100_000;
const LOCAL_HEADER = 0x04034b50;

const OPTIONS: Options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true };

/** A yauzl reader over a buffer that copies instead of streaming each small read. */
class BufferReader extends yauzl.RandomAccessReader {
  constructor(private readonly buf: Buffer) {
    super();
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null, bytesRead?: number) => void,
  ): void {
    const n = this.buf.copy(buffer, offset, position, Math.min(position + length, this.buf.length));
    process.nextTick(callback, null, n);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from([this.buf.subarray(start, end)], { objectMode: false });
  }
}

/** Open a zip; rejects on a broken central directory (the caller turns that into a reason). */
export async function openZip(blob: PartBlob): Promise<ZipHandle> {
  let zip: ZipFile;
  if (blob.buffer) zip = await yauzl.fromRandomAccessReaderPromise(new BufferReader(blob.buffer), blob.buffer.length, OPTIONS);
  else if (blob.path) zip = await yauzl.openPromise(blob.path, OPTIONS);
  else throw new Error('content not available');
  try {
    const entries: ZipEntryInfo[] = [];
    for await (const e of zip.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, e.fileNameRaw, e.extraFields, false);
      entries.push({
        name,
        isDirectory: name.endsWith('/'),
        encrypted: (e.generalPurposeBitFlag & 1) !== 0,
        compressedSize: e.compressedSize,
        declaredSize: e.uncompressedSize,
        compressionMethod: e.compressionMethod,
        raw: e,
      });
      if (entries.length >= MAX_LISTED) break;
    }
    return handle(zip, entries, blob.buffer);
  } catch (err) {
    zip.close();
    throw err;
  }
}

/** A small entry of a zip in memory, in one synchronous step: undefined when the fast path does not apply. */
function readInMemory(buf: Buffer, entry: ZipEntryInfo, cap: number): Buffer | null | undefined {
  const at = entry.raw.relativeOffsetOfLocalHeader;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL_HEADER) return null;
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) return null;
  const data = buf.subarray(start, end);
  if (entry.compressionMethod === 0) return data.length <= cap ? data : null;
  if (entry.compressionMethod !== 8) return undefined;
  try {
    return inflateRawSync(data, { maxOutputLength: cap });
  } catch {
    return null; // corrupt, or more than `cap` bytes
  }
}

function handle(zip: ZipFile, entries: ZipEntryInfo[], buffer: Buffer | null): ZipHandle {
  const stream = (entry: ZipEntryInfo): Promise<Readable> => zip.openReadStreamPromise(entry.raw);
  return {
    entries,
    stream,
    async read(entry, cap) {
      if (entry.encrypted) return null;
      if (buffer) {
        const fast = readInMemory(buffer, entry, cap);
        if (fast !== undefined) return fast;
      }
      try {
        const s = await stream(entry);
        const parts: Buffer[] = [];
        let n = 0;
        for await (const chunk of s as AsyncIterable<Buffer>) {
          parts.push(chunk);
          n += chunk.length;
          if (n >= cap) break;
        }
        return Buffer.concat(parts).subarray(0, cap);
      } catch {
        return null;
      }
    },
    close() {
      zip.close();
    },
  };
}
