/**
 * gzip: one member (the decompressed stream), inflated with zlib as a stream and counted byte by byte, so a
 * bomb stops at the limits. The member is named from the gzip header (FNAME) or from the outer name.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { PartBlob } from './blob.js';
import { baseName } from './file-name.js';
import type { MemberSink } from './members.js';

const FEXTRA = 0x04;
const FNAME = 0x08;

/** The original file name stored in the gzip header, if any. */
export function gzipStoredName(head: Buffer): string | null {
  if (head.length < 10 || head[0] !== 0x1f || head[1] !== 0x8b) return null;
  const flags = head[3]!;
  if (!(flags & FNAME)) return null;
  let at = 10;
  if (flags & FEXTRA) {
    if (at + 2 > head.length) return null;
    at += 2 + head.readUInt16LE(at);
  }
  const end = head.indexOf(0, at);
  if (end < 0 || end - at > 1024) return null;
  return head.toString('latin1', at, end) || null;
}

/** 'logs.tar.gz' -> 'logs.tar', 'a.tgz' -> 'a.tar', 'x.gz' -> 'x'. */
export function gzipMemberName(outer: string | null): string {
  const name = baseName(outer ?? '');
  if (/\.tgz$/i.test(name)) return name.replace(/\.tgz$/i, '.tar');
  const stripped = name.replace(/[.-](?:gz|gzip|z)$/i, '');
  return stripped && stripped !== name ? stripped : 'content';
}

export async function expandGzip(blob: PartBlob, outerName: string | null, sink: MemberSink): Promise<void> {
  const input = blob.buffer ? Readable.from([blob.buffer]) : blob.path ? createReadStream(blob.path) : null;
  if (!input) throw new Error('content not available');
  const gunzip = createGunzip();
  input.on('error', (err: Error) => gunzip.destroy(err));
  gunzip.on('close', () => input.destroy());
  input.pipe(gunzip);
  try {
    const name = baseName(gzipStoredName(blob.head) ?? '') || gzipMemberName(outerName);
    await sink({ path: name, source: gunzip, compressedSize: blob.size });
  } finally {
    gunzip.destroy();
    input.destroy();
  }
}
