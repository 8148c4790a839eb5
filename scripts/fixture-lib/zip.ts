/**
 * Zip, gzip and tar builders (yazl, zlib, tar-stream) with fixed dates and modes,
 * so the same input always gives the same bytes.
 */
import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';
import { crc32, u32le } from './bytes.js';

/** Local-time constructor on purpose: DOS timestamps store local fields, so these are the same in every time zone. */
export const ZIP_DATE = new Date(2025, 1, 27, 14, 32, 10);
/** Tar and gzip store UTC seconds. */
export const TAR_DATE = new Date(Date.UTC(2025, 1, 27, 14, 32, 10));

export interface ZipEntry {
  readonly path: string;
  readonly data: Buffer;
  /** Store without compression (big Office parts we want at their real size). */
  readonly store?: boolean;
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const entryOptions = (store: boolean | undefined) => ({
  mtime: ZIP_DATE,
  mode: 0o100644,
  forceDosTimestamp: true,
  compress: !store,
});

export async function zipBuffer(entries: readonly ZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.path, entryOptions(e.store));
  zip.end();
  return collect(zip.outputStream);
}

/**
 * A zip whose one member expands to `expandedBytes` of zeros (about 1,000:1):
 * a bomb against the ratio and expanded-size limits, small enough to commit.
 */
export async function zipBomb(memberName: string, expandedBytes: number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addReadStream(zeroStream(expandedBytes), memberName, { ...entryOptions(false), size: expandedBytes });
  zip.end();
  return collect(zip.outputStream);
}

/** `total` zero bytes in 1 MiB chunks (one shared buffer: zeros never change). */
export function zeroStream(total: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024);
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

/**
 * Mark every member of a zip as encrypted (general purpose bit 0) in both the local and the
 * central headers, the way a password-protected zip declares itself. The data stays as it was:
 * a scanner must refuse it from the flag, as it cannot know the password anyway.
 */
export function markZipEncrypted(zipBytes: Buffer): Buffer {
  const z = Buffer.from(zipBytes);
  const eocd = z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = z.readUInt16LE(eocd + 10);
  let p = z.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (z.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    z.writeUInt16LE(z.readUInt16LE(p + 8) | 1, p + 8);
    const local = z.readUInt32LE(p + 42);
    if (z.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header');
    z.writeUInt16LE(z.readUInt16LE(local + 6) | 1, local + 6);
    p += 46 + z.readUInt16LE(p + 28) + z.readUInt16LE(p + 30) + z.readUInt16LE(p + 32);
  }
  return z;
}

/** gzip with the original name stored (as the gzip tool does), mtime fixed, OS = Unix. */
export function gzipBuffer(data: Buffer, originalName: string): Buffer {
  const header = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 0x08, 0x08]),
    u32le(Math.floor(TAR_DATE.getTime() / 1000)),
    Buffer.from([0x02, 0x03]),
    Buffer.from(`${originalName}\0`, 'latin1'),
  ]);
  return Buffer.concat([header, deflateRawSync(data, { level: 9 }), u32le(crc32(data)), u32le(data.length)]);
}

export interface TarEntry {
  readonly name: string;
  readonly data: Buffer;
  /** File mode; scripts get 0o755. */
  readonly mode?: number;
}

export async function tarBuffer(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const done = collect(pack);
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        { name: e.name, mode: e.mode ?? 0o644, mtime: TAR_DATE, uid: 1000, gid: 1000, uname: 'aturner', gname: 'staff' },
        e.data,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  pack.finalize();
  return done;
}
