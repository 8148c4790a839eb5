/**
 * Opening a zip (from memory or a temp file) with yauzl: list the central directory, read entries with
 * bounded output. Names are decoded (CP437 / UTF-8 / Info-ZIP Unicode Path) but never validated or used as
 * paths: a zip-slip name like '../../x.exe' is just a name to us.
 *
 * yauzl believes the last end-of-central-directory record. 7-Zip and WinRAR also find archives glued
 * together, junk in front, and local entries no directory lists, so every zip is first scanned for its
 * records (zip-records.ts). When the scan and the central directory agree, yauzl reads it as before;
 * when they do not, the members are read from every local header in the file, the way a permissive
 * extractor salvages them, and `anomalies` says what was odd.
 *
 * Speed: yauzl's own buffer reader pipes every 46-byte header read through three streams (over a
 * millisecond for a small docx). For zips in memory we give yauzl a reader that copies directly, and read
 * small metadata parts (the OOXML XML we look at) with one synchronous, size-capped inflate.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type Options, type ZipFile } from 'yauzl';
import type { PartBlob } from './blob.js';
import { bufferSource, fileSource, readLocalRecord, scanZipRecords, type ByteSource, type LocalRecord, type ZipScan } from './zip-records.js';

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
  /** Why the bytes cannot be had although the entry was found (a salvaged entry without sizes). */
  readonly unreadable?: string;
  /** yauzl's entry, or the span of a salvaged local entry. */
  readonly raw: Entry | LocalSpan;
}

/** A member read from its local header: where its compressed bytes are. */
export interface LocalSpan {
  readonly local: LocalRecord;
  /** End of the compressed bytes (for deflate without sizes: the next record, the stream ends by itself). */
  readonly end: number;
}

export interface ZipHandle {
  readonly entries: readonly ZipEntryInfo[];
  /**
   * What was odd about the zip's structure (several end records, local entries outside the directory,
   * data in front): empty for an ordinary zip. When not empty, `entries` come from the local headers.
   */
  readonly anomalies: readonly string[];
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

/**
 * Open a zip; rejects on a zip with neither a readable central directory nor a local header, or with
 * more records than the scan allows (the caller turns that into a reason).
 */
export async function openZip(blob: PartBlob): Promise<ZipHandle> {
  let fh: FileHandle | null = null;
  if (!blob.buffer) {
    if (!blob.path) throw new Error('content not available');
    fh = await open(blob.path, 'r');
  }
  const src = blob.buffer ? bufferSource(blob.buffer) : fileSource(fh!, blob.size);
  const closeFile = () => void fh?.close().catch(() => undefined);
  try {
    const scan = await scanZipRecords(src);
    let listed: ZipHandle | null = null;
    let listError: unknown = null;
    try {
      listed = await listCentralDirectory(blob);
    } catch (err) {
      listError = err;
    }
    if (listed) {
      const anomalies = await layoutAnomalies(src, scan, listed.entries);
      if (anomalies.length === 0) {
        closeFile();
        return listed;
      }
      listed.close();
      return await salvage(src, scan, anomalies, closeFile);
    }
    if (!scan.locals.length) throw listError;
    const why = listError instanceof Error ? listError.message : String(listError);
    return await salvage(src, scan, [`central directory unreadable (${why.slice(0, 120)})`], closeFile);
  } catch (err) {
    closeFile();
    throw err;
  }
}

async function listCentralDirectory(blob: PartBlob): Promise<ZipHandle> {
  let zip: ZipFile;
  if (blob.buffer) zip = await yauzl.fromRandomAccessReaderPromise(new BufferReader(blob.buffer), blob.buffer.length, OPTIONS);
  else zip = await yauzl.openPromise(blob.path!, OPTIONS);
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
  if (!('relativeOffsetOfLocalHeader' in entry.raw)) return undefined;
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
  const stream = (entry: ZipEntryInfo): Promise<Readable> => zip.openReadStreamPromise(entry.raw as Entry);
  return {
    entries,
    anomalies: [],
    stream,
    read: (entry, cap) => readCapped(entry, cap, buffer, stream),
    close() {
      zip.close();
    },
  };
}

async function readCapped(
  entry: ZipEntryInfo,
  cap: number,
  buffer: Buffer | null,
  stream: (entry: ZipEntryInfo) => Promise<Readable>,
): Promise<Buffer | null> {
  if (entry.encrypted || entry.unreadable) return null;
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
}

/** A local header's data range, from the header at `offset` and the directory's compressed size. */
async function spanEnd(src: ByteSource, offset: number, compressedSize: number): Promise<number | null> {
  const local = await readLocalRecord(src, offset);
  return local ? local.dataStart + compressedSize : null;
}

/** The local entries and end records that lie inside some entry's data belong to that member (a stored zip). */
function inside(ranges: readonly (readonly [number, number])[], at: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  // Ranges are sorted by start; a hostile directory may overlap them, so look back a little too.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![0] <= at) lo = mid + 1;
    else hi = mid - 1;
  }
  for (let i = hi; i >= 0 && i > hi - 8; i -= 1) if (at > ranges[i]![0] && at < ranges[i]![1]) return true;
  return false;
}

/** What a permissive extractor would see that the central directory does not say. */
async function layoutAnomalies(src: ByteSource, scan: ZipScan, entries: readonly ZipEntryInfo[]): Promise<string[]> {
  const anomalies: string[] = [];
  const ranges: [number, number][] = [];
  const listedAt = new Set<number>();
  let dangling = 0;
  for (const e of entries) {
    const at = (e.raw as Entry).relativeOffsetOfLocalHeader;
    listedAt.add(at);
    const end = await spanEnd(src, at, e.compressedSize);
    if (end === null) dangling += 1;
    else ranges.push([at, end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  if (dangling) anomalies.push(`${dangling} central directory entries point where no local header is`);
  let stray = 0;
  for (const at of scan.locals) {
    if (listedAt.has(at) || inside(ranges, at)) continue;
    if (await readLocalRecord(src, at)) stray += 1;
  }
  if (stray) anomalies.push(`${stray} local entries outside the central directory`);
  const ends = scan.ends.filter((at) => !inside(ranges, at));
  if (ends.length > 1) anomalies.push(`${ends.length} end-of-central-directory records`);
  const first = ranges[0]?.[0] ?? 0;
  if (first > 0 && !dangling) anomalies.push(`${first} bytes before the first local header`);
  return anomalies;
}

/** Sizes that say 'see the ZIP64 extra field': salvage does not follow them. */
const ZIP64 = 0xffffffff;
const DATA_DESCRIPTOR = 8;

/**
 * Every member a permissive extractor would find: each plausible local header in file order, its data
 * where the header says (or, for deflate with sizes after the data, until the stream ends). A header
 * inside the data of the member before it belongs to that member (a stored archive), not to this zip.
 */
async function salvage(src: ByteSource, scan: ZipScan, anomalies: string[], closeFile: () => void): Promise<ZipHandle> {
  const entries: ZipEntryInfo[] = [];
  let coveredUntil = 0;
  for (const [i, at] of scan.locals.entries()) {
    if (at < coveredUntil) continue;
    const local = await readLocalRecord(src, at);
    if (!local) continue;
    let j = i + 1;
    while (j < scan.locals.length && scan.locals[j]! < local.dataStart) j += 1;
    const next = scan.locals[j] ?? src.size;
    const sizesAfter = (local.flags & DATA_DESCRIPTOR) !== 0 && local.compressedSize === 0;
    let unreadable: string | undefined;
    let end: number;
    if (local.compressedSize === ZIP64 || local.uncompressedSize === ZIP64) {
      unreadable = 'ZIP64 member outside the central directory not read';
      end = local.dataStart;
    } else if (sizesAfter) {
      if (local.method !== 8) unreadable = 'member without sizes outside the central directory not read';
      end = next;
    } else {
      end = Math.min(local.dataStart + local.compressedSize, src.size);
      coveredUntil = end;
    }
    const name = local.name;
    entries.push({
      name,
      isDirectory: name.endsWith('/'),
      encrypted: (local.flags & 1) !== 0,
      compressedSize: end - local.dataStart,
      declaredSize: local.uncompressedSize,
      compressionMethod: local.method,
      ...(unreadable ? { unreadable } : {}),
      raw: { local, end },
    });
    if (entries.length >= MAX_LISTED) break;
  }
  if (!entries.length) throw new Error(`no readable local header (${anomalies.join('; ')})`);
  const stream = async (entry: ZipEntryInfo): Promise<Readable> => {
    const span = entry.raw as LocalSpan;
    const bytes = src.buffer
      ? Readable.from([src.buffer.subarray(span.local.dataStart, span.end)], { objectMode: false })
      : rangeStream(src, span.local.dataStart, span.end);
    if (span.local.method === 0) return bytes;
    if (span.local.method !== 8) throw new Error(`zip compression method ${span.local.method} not supported`);
    const inflate = createInflateRaw();
    bytes.on('error', (err) => inflate.destroy(err));
    return bytes.pipe(inflate);
  };
  return {
    entries,
    anomalies,
    stream,
    read: (entry, cap) => readCapped(entry, cap, src.buffer, stream),
    close: closeFile,
  };
}

/** The bytes [start, end) of a file source, in chunks. */
function rangeStream(src: ByteSource, start: number, end: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = start; at < end; at += 256 * 1024) {
      const chunk = await src.read(at, Math.min(256 * 1024, end - at));
      if (!chunk.length) return;
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
