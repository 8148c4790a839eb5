/**
 * The records of a zip found by scanning its bytes rather than trusting its last end-of-central-directory
 * record: every local file header and every end record, where they really are. yauzl (like most readers)
 * reads the last end record only, so a zip with junk in front, two archives glued together, or local
 * entries the central directory does not list would show us one archive while 7-Zip or WinRAR show the
 * recipient another. The scan is bounded in records; its cost is one pass over the bytes (indexOf).
 */
import type { FileHandle } from 'node:fs/promises';
import yauzl from 'yauzl';

export const LOCAL_HEADER = 0x04034b50;
export const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const END_SIG = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/** More local headers than this, or end records than MAX_ENDS, and the zip is not opened. */
export const MAX_LOCALS = 20_000;
export const MAX_ENDS = 256;
const CHUNK = 1024 * 1024;

/** Random access to the zip's bytes, in memory or in its temp file. */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  /** The bytes themselves when in memory. */
  readonly buffer: Buffer | null;
}

export function bufferSource(buffer: Buffer): ByteSource {
  return { size: buffer.length, buffer, read: async (p, n) => buffer.subarray(p, Math.min(p + n, buffer.length)) };
}

export function fileSource(fh: FileHandle, size: number): ByteSource {
  return {
    size,
    buffer: null,
    async read(position, length) {
      const out = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      const { bytesRead } = await fh.read(out, 0, out.length, position);
      return out.subarray(0, bytesRead);
    },
  };
}

export interface ZipScan {
  /** Offsets of bytes that look like a local file header signature (validated later). */
  readonly locals: readonly number[];
  readonly ends: readonly number[];
}

export class ZipRecordLimit extends Error {}

function collect(chunk: Buffer, base: number, sig: Buffer, out: number[], max: number, what: string): void {
  for (let i = chunk.indexOf(sig); i >= 0; i = chunk.indexOf(sig, i + 1)) {
    out.push(base + i);
    if (out.length > max) throw new ZipRecordLimit(`more than ${max} zip ${what}`);
  }
}

/** Every local header and end record signature in the bytes. Throws ZipRecordLimit past the bounds. */
export async function scanZipRecords(src: ByteSource): Promise<ZipScan> {
  const locals: number[] = [];
  const ends: number[] = [];
  if (src.buffer) {
    collect(src.buffer, 0, LOCAL_SIG, locals, MAX_LOCALS, 'local file headers');
    collect(src.buffer, 0, END_SIG, ends, MAX_ENDS, 'end-of-central-directory records');
    return { locals, ends };
  }
  // Chunks overlap by three bytes so that a signature across a boundary is found once.
  for (let at = 0; at < src.size; at += CHUNK) {
    const start = at === 0 ? 0 : at - 3;
    const chunk = await src.read(start, CHUNK + (at - start));
    const l: number[] = [];
    const e: number[] = [];
    collect(chunk, start, LOCAL_SIG, l, MAX_LOCALS, 'local file headers');
    collect(chunk, start, END_SIG, e, MAX_ENDS, 'end-of-central-directory records');
    for (const p of l) if (p >= at || at === 0) locals.push(p);
    for (const p of e) if (p >= at || at === 0) ends.push(p);
    if (locals.length > MAX_LOCALS) throw new ZipRecordLimit(`more than ${MAX_LOCALS} zip local file headers`);
    if (ends.length > MAX_ENDS) throw new ZipRecordLimit(`more than ${MAX_ENDS} zip end-of-central-directory records`);
  }
  return { locals, ends };
}

/** One local file header, as it stands in the bytes. */
export interface LocalRecord {
  readonly offset: number;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  /** From the header; 0 (unknown) when bit 3 says the sizes follow the data. */
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly name: string;
  readonly dataStart: number;
}

/** Compression methods a real archiver writes (stored, shrunk ... deflate64, bzip2, lzma, zstd, xz, ppmd, AES). */
const PLAUSIBLE_METHODS = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 14, 93, 95, 98, 99]);

/** The local header at `offset`, or null when the bytes there are not a plausible one. */
export async function readLocalRecord(src: ByteSource, offset: number): Promise<LocalRecord | null> {
  const fixed = await src.read(offset, 30);
  if (fixed.length < 30 || fixed.readUInt32LE(0) !== LOCAL_HEADER) return null;
  const version = fixed.readUInt16LE(4);
  const flags = fixed.readUInt16LE(6);
  const method = fixed.readUInt16LE(8);
  const nameLength = fixed.readUInt16LE(26);
  const extraLength = fixed.readUInt16LE(28);
  if ((version & 0xff) > 90 || !PLAUSIBLE_METHODS.has(method) || nameLength === 0 || nameLength > 4096) return null;
  const dataStart = offset + 30 + nameLength + extraLength;
  if (dataStart > src.size) return null;
  const tail = await src.read(offset + 30, nameLength + extraLength);
  let extraFields: yauzl.ExtraField[] = [];
  try {
    extraFields = yauzl.parseExtraFields(tail.subarray(nameLength));
  } catch {
    extraFields = [];
  }
  const name = yauzl.getFileNameLowLevel(flags, tail.subarray(0, nameLength), extraFields, false).replace(/\\/g, '/');
  return {
    offset, flags, method, name, dataStart,
    crc32: fixed.readUInt32LE(14),
    compressedSize: fixed.readUInt32LE(18),
    uncompressedSize: fixed.readUInt32LE(22),
  };
}
