/**
 * Hostile messages for robustness tests and the benchmark: deep nesting, thousands of parts,
 * giant header and body lines, a zip bomb, random garbage, and a 25 MB message streamed
 * without ever being held in memory. All deterministic.
 */
import { Readable } from 'node:stream';
import { crc32, deflateRawSync, constants as zc } from 'node:zlib';
import { Prng } from '../../scripts/fixture-lib/prng.js';

const CRLF = '\r\n';
const HEAD = (subject: string, contentType: string) =>
  `From: Alex Turner <alex.turner@met.police.uk>${CRLF}To: Priya Shah <priya.shah@met.police.uk>${CRLF}` +
  `Subject: ${subject}${CRLF}Date: Mon, 3 Mar 2025 09:00:00 +0000${CRLF}Message-ID: <hostile-${subject.length}@met.police.uk>${CRLF}` +
  `MIME-Version: 1.0${CRLF}Content-Type: ${contentType}${CRLF}${CRLF}`;

/** Multipart/mixed nested `depth` levels deep, a text part at the bottom (default 200). */
export function deepNesting(depth = 200): Buffer {
  const b = (i: number) => `nest-${i}`;
  let out = HEAD(`Nested ${depth} deep`, `multipart/mixed; boundary="${b(0)}"`);
  for (let i = 1; i < depth; i++) out += `--${b(i - 1)}${CRLF}Content-Type: multipart/mixed; boundary="${b(i)}"${CRLF}${CRLF}`;
  out += `--${b(depth - 1)}${CRLF}Content-Type: text/plain${CRLF}${CRLF}The bottom.${CRLF}`;
  for (let i = depth - 1; i >= 0; i--) out += `--${b(i)}--${CRLF}`;
  return Buffer.from(out, 'latin1');
}

/** One multipart/mixed with `count` small parts (default 3,000; mailsplit refuses more than 1,000). */
export function manyParts(count = 3000): Buffer {
  const chunks = [HEAD(`${count} parts`, 'multipart/mixed; boundary="many"')];
  for (let i = 0; i < count; i++) {
    chunks.push(`--many${CRLF}Content-Type: text/plain; name="part-${i}.txt"${CRLF}Content-Disposition: attachment; filename="part-${i}.txt"${CRLF}${CRLF}part ${i}${CRLF}`);
  }
  chunks.push(`--many--${CRLF}`);
  return Buffer.from(chunks.join(''), 'latin1');
}

/**
 * A Subject header of `bytes` bytes on one line, unfolded (default 200 KB). The filler repeats
 * marking and tag look-alikes, so subject regexes meet their worst case.
 */
export function longHeaderLine(bytes = 200 * 1024, filler = '[PERSONAL] OFFICIAL-SENSITIVE: RESTRICTED [ '): Buffer {
  const subject = filler.repeat(Math.ceil(bytes / filler.length)).slice(0, bytes);
  return Buffer.from(`${HEAD(subject, 'text/plain; charset=us-ascii')}Body.${CRLF}`, 'latin1');
}

/** A text/plain body that is one line of `bytes` bytes with no line break (default 8 MB). */
export function longBodyLine(bytes = 8 * 1024 * 1024): Buffer {
  const head = Buffer.from(HEAD('One long line', 'text/plain; charset=us-ascii'), 'latin1');
  const body = Buffer.alloc(bytes, 'lorem ipsum dolor sit amet ');
  return Buffer.concat([head, body, Buffer.from(CRLF, 'latin1')]);
}

/** Bombs by size: the CRC of a GiB of zeros takes most of a second, so make each one once. */
const bombCache = new Map<string, Buffer>();

/**
 * A zip whose one member inflates to `expandedBytes` zeros (default 1 GiB, about 1 MB compressed).
 * Built from one full-flushed deflate block repeated, so making it is cheap.
 */
export function zipBombBytes(expandedBytes = 1024 * 1024 * 1024, memberName = 'records.csv'): Buffer {
  const key = `${expandedBytes}/${memberName}`;
  const cached = bombCache.get(key);
  if (cached) return cached;
  const unit = 1024 * 1024;
  if (expandedBytes % unit !== 0) throw new Error('expandedBytes must be a whole number of MiB');
  const zeros = Buffer.alloc(unit);
  // Full flush: byte-aligned, no back-references into the previous block, so copies chain.
  const block = deflateRawSync(zeros, { level: 9, finishFlush: zc.Z_FULL_FLUSH });
  const copies = expandedBytes / unit;
  const finalEmptyBlock = Buffer.from([0x03, 0x00]);
  let crc = 0;
  for (let i = 0; i < copies; i++) crc = crc32(zeros, crc);
  const data = Buffer.concat([...Array.from({ length: copies }, () => block), finalEmptyBlock]);
  const name = Buffer.from(memberName, 'latin1');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(0x5a5b, 12); // DOS date 2025-02-27
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(expandedBytes >>> 0, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x031e, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(0x5a5b, 14);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(expandedBytes >>> 0, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42); // local header offset
  const cdOffset = local.length + name.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + name.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  const zip = Buffer.concat([local, name, data, central, name, eocd]);
  bombCache.set(key, zip);
  return zip;
}


/** A business message carrying the zip bomb as an attachment. */
export function zipBombMessage(expandedBytes = 1024 * 1024 * 1024): Buffer {
  const b64 = zipBombBytes(expandedBytes).toString('base64').replace(/.{76}/g, `$&${CRLF}`);
  return Buffer.from(
    `${HEAD('ANPR export (full)', 'multipart/mixed; boundary="bomb"')}--bomb${CRLF}Content-Type: text/plain${CRLF}${CRLF}The full export.${CRLF}` +
      `--bomb${CRLF}Content-Type: application/zip; name="anpr-full.zip"${CRLF}Content-Disposition: attachment; filename="anpr-full.zip"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}` +
      `${b64}${CRLF}--bomb--${CRLF}`,
    'latin1',
  );
}

/** Random bytes: not a message at all (default 1 MiB). */
export function garbage(bytes = 1024 * 1024, seed = 'garbage'): Buffer {
  return new Prng(seed).bytes(bytes);
}

/** A buffer as a stream of `chunkSize` chunks, as a socket would deliver it. */
export function toStream(data: Buffer, chunkSize = 64 * 1024): Readable {
  let off = 0;
  return new Readable({
    read() {
      if (off >= data.length) return void this.push(null);
      this.push(data.subarray(off, off + chunkSize));
      off += chunkSize;
    },
  });
}

export interface LargeMessage {
  /** Exact size in bytes of what `stream()` produces. */
  readonly size: number;
  /** Raw bytes of the attachment (before base64). */
  readonly attachmentBytes: number;
  /** A fresh stream of the message; memory stays at one chunk (about 80 KB). */
  stream(): Readable;
}

const LINE_RAW = 57; // 57 raw bytes -> one 76-character base64 line
const LINES_PER_CHUNK = 1024;

/**
 * A business message of about `totalBytes` (default just under 25 MiB, so the size rule does
 * not stop inspection) with one large MP4 attachment, generated as it is read.
 */
export function largeMessage(totalBytes = 25 * 1024 * 1024 - 4096): LargeMessage {
  const boundary = '_000_LARGE_MESSAGE_';
  const prefix = Buffer.from(
    `${HEAD('Body-worn video export - Op LARCH', `multipart/mixed; boundary="${boundary}"`)}--${boundary}${CRLF}` +
      `Content-Type: text/plain; charset=us-ascii${CRLF}${CRLF}Alex,${CRLF}${CRLF}The body-worn video export is attached.${CRLF}${CRLF}Priya${CRLF}` +
      `--${boundary}${CRLF}Content-Type: video/mp4; name="bwv-export.mp4"${CRLF}Content-Disposition: attachment; filename="bwv-export.mp4"${CRLF}` +
      `Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
    'latin1',
  );
  const suffix = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1');
  const lines = Math.floor((totalBytes - prefix.length - suffix.length + 2) / 78);
  if (lines < 1) throw new Error('totalBytes too small');
  const size = prefix.length + lines * 78 - 2 + suffix.length;
  return {
    size,
    attachmentBytes: lines * LINE_RAW,
    stream() {
      let line = 0;
      let state = 0x9e3779b9;
      let stage: 'prefix' | 'body' | 'done' = 'prefix';
      return new Readable({
        read() {
          if (stage === 'prefix') {
            stage = 'body';
            return void this.push(prefix);
          }
          if (stage === 'done') return void this.push(null);
          const n = Math.min(LINES_PER_CHUNK, lines - line);
          const words = new Uint32Array(Math.ceil((n * LINE_RAW) / 4));
          for (let i = 0; i < words.length; i++) {
            state ^= state << 13;
            state >>>= 0;
            state ^= state >>> 17;
            state ^= state << 5;
            state >>>= 0;
            words[i] = state;
          }
          const raw = Buffer.from(words.buffer, 0, n * LINE_RAW);
          // The file opens like a real MP4 (ftyp box), so type detection has something to find.
          if (line === 0) Buffer.from('0000001c6674797069736f6d0000020069736f6d69736f326d703431', 'hex').copy(raw, 0);
          const b64 = raw.toString('base64');
          let out = '';
          for (let i = 0; i < n; i++) out += (line + i === 0 ? '' : CRLF) + b64.slice(i * 76, i * 76 + 76);
          line += n;
          if (line >= lines) {
            stage = 'done';
            this.push(Buffer.concat([Buffer.from(out, 'latin1'), suffix]));
          } else this.push(Buffer.from(out, 'latin1'));
        },
      });
    },
  };
}
