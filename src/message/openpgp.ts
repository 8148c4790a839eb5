/**
 * OpenPGP structure (RFC 4880 / RFC 9580), read far enough to tell encrypted from readable.
 * An armour block proves nothing: `-----BEGIN PGP MESSAGE-----` around a literal data packet
 * (tag 11) or a compressed packet (tag 8) is readable by anyone with gpg, so it is opened and
 * its content inspected. Encrypted means: session-key packets (tags 1, 3) and then one
 * encrypted data packet (tags 9, 18, 20) that ends the message.
 *
 * Bounded: armour text and decompressed data in bytes, packets in count, compression in depth.
 */
import { inflateRawSync, inflateSync } from 'node:zlib';

export const MAX_PGP_ARMOUR_BYTES = 32 * 1024 * 1024;
const MAX_PACKETS = 10_000;
const MAX_NESTING = 4;
const MAX_ARMOUR_BLOCKS = 8;

/** Data packet tags that carry encrypted content. */
const ENCRYPTED_DATA = new Set([9, 18, 20]);
/** Tags: 1 public-key session key, 3 symmetric session key, 10 marker (ignored by readers). */
const SESSION_KEY = new Set([1, 3]);
const MARKER = 10;

export type PgpContent =
  | { readonly kind: 'encrypted' }
  | { readonly kind: 'readable'; readonly data: Buffer; readonly fileName: string | null; readonly how: string }
  | { readonly kind: 'signature' }
  | { readonly kind: 'unscannable'; readonly reason: string };

export interface PgpLimits {
  /** Most bytes a compressed packet may expand to. */
  readonly maxExpandedBytes: number;
  /** Largest expanded/compressed ratio. */
  readonly maxRatio: number;
}

interface Packet {
  readonly tag: number;
  /** The packet body (partial body chunks joined). */
  readonly body: Buffer;
}

class PgpError extends Error {}

/** One packet at `pos`: its tag, body and where the next packet starts. */
function readPacket(b: Buffer, pos: number): { packet: Packet; next: number } {
  const first = b[pos];
  if (first === undefined || !(first & 0x80)) throw new PgpError(`not an OpenPGP packet at byte ${pos}`);
  let p = pos + 1;
  const need = (n: number) => {
    if (p + n > b.length) throw new PgpError('packet header runs past the end of the data');
  };
  if (!(first & 0x40)) {
    // Old format: tag in bits 5-2, length type in bits 1-0.
    const tag = (first >> 2) & 0x0f;
    const type = first & 0x03;
    let length: number;
    if (type === 3) length = b.length - p; // indeterminate: to the end of the data
    else {
      const bytes = [1, 2, 4][type] as number;
      need(bytes);
      length = bytes === 1 ? (b[p] as number) : bytes === 2 ? b.readUInt16BE(p) : b.readUInt32BE(p);
      p += bytes;
    }
    if (p + length > b.length) throw new PgpError(`packet (tag ${tag}) is longer than the data (${length} bytes declared)`);
    return { packet: { tag, body: b.subarray(p, p + length) }, next: p + length };
  }
  // New format: tag in bits 5-0, then one or more length headers (partial body lengths).
  const tag = first & 0x3f;
  const chunks: Buffer[] = [];
  for (let n = 0; ; n++) {
    if (n > MAX_PACKETS) throw new PgpError('too many partial body chunks');
    need(1);
    const o = b[p++] as number;
    let length: number;
    let partial = false;
    if (o < 192) length = o;
    else if (o < 224) {
      need(1);
      length = ((o - 192) << 8) + (b[p++] as number) + 192;
    } else if (o === 255) {
      need(4);
      length = b.readUInt32BE(p);
      p += 4;
    } else {
      length = 1 << (o & 0x1f);
      partial = true;
    }
    if (p + length > b.length) throw new PgpError(`packet (tag ${tag}) is longer than the data (${length} bytes declared)`);
    chunks.push(b.subarray(p, p + length));
    p += length;
    if (!partial) break;
  }
  return { packet: { tag, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) }, next: p };
}

function readPackets(b: Buffer): Packet[] {
  const out: Packet[] = [];
  let pos = 0;
  while (pos < b.length) {
    if (out.length >= MAX_PACKETS) throw new PgpError(`more than ${MAX_PACKETS} packets`);
    const { packet, next } = readPacket(b, pos);
    out.push(packet);
    pos = next;
  }
  return out;
}

function literalOf(body: Buffer): { data: Buffer; fileName: string | null } {
  // Format octet, file name length, file name, 4-byte date, then the data.
  if (body.length < 6) throw new PgpError('literal data packet too short');
  const nameLength = body[1] as number;
  if (2 + nameLength + 4 > body.length) throw new PgpError('literal data packet too short for its file name');
  const name = body.toString('utf8', 2, 2 + nameLength).replace(/[\0-\x1f]/g, '').trim();
  return { data: body.subarray(2 + nameLength + 4), fileName: name && name !== '_CONSOLE' ? name : null };
}

function decompress(body: Buffer, limits: PgpLimits): Buffer {
  const algorithm = body[0];
  const data = body.subarray(1);
  const cap = Math.min(limits.maxExpandedBytes, Math.max(1024 * 1024, data.length * limits.maxRatio));
  const options = { maxOutputLength: cap };
  try {
    if (algorithm === 0) return data;
    if (algorithm === 1) return inflateRawSync(data, options);
    if (algorithm === 2) return inflateSync(data, options);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || /buffer|larger/i.test(e.message)) throw new PgpError(`compressed data expands past ${cap} bytes`);
    throw new PgpError(`compressed data cannot be decompressed (${e.message})`);
  }
  if (algorithm === 3) throw new PgpError('bzip2-compressed data is not opened');
  throw new PgpError(`unknown compression algorithm ${String(algorithm)}`);
}

function judge(packets: readonly Packet[], limits: PgpLimits, depth: number): PgpContent {
  const tags = packets.map((p) => p.tag).filter((t) => t !== MARKER);
  const sessionKeys = tags.findIndex((t) => !SESSION_KEY.has(t));
  if (sessionKeys > 0 && ENCRYPTED_DATA.has(tags[sessionKeys] as number)) {
    if (sessionKeys !== tags.length - 1) return { kind: 'unscannable', reason: 'PGP packets follow the encrypted data' };
    return { kind: 'encrypted' };
  }
  if (tags.length > 0 && tags.every((t) => t === 2)) return { kind: 'signature' };
  // Readable: a literal (possibly with one-pass signature / signature packets around it) or compressed data.
  const content = packets.filter((p) => p.tag === 11 || p.tag === 8);
  const others = packets.filter((p) => ![11, 8, 4, 2, MARKER].includes(p.tag));
  if (content.length === 1 && others.length === 0) {
    const only = content[0] as Packet;
    if (only.tag === 11) return { kind: 'readable', ...literalOf(only.body), how: depth ? 'compressed literal data' : 'literal data' };
    if (depth >= MAX_NESTING) return { kind: 'unscannable', reason: `PGP compressed data nested more than ${MAX_NESTING} deep` };
    const inner = judge(readPackets(decompress(only.body, limits)), limits, depth + 1);
    return inner.kind === 'encrypted' ? { kind: 'unscannable', reason: 'PGP encrypted data inside compressed data' } : inner;
  }
  const list = [...new Set(tags)].slice(0, 8).join(', ');
  return { kind: 'unscannable', reason: `PGP data is neither encrypted nor readable (packet tags ${list || 'none'})` };
}

/** What OpenPGP binary data is. Never throws. */
export function pgpContent(binary: Buffer, limits: PgpLimits): PgpContent {
  if (binary.length === 0) return { kind: 'unscannable', reason: 'PGP armour holds no data' };
  try {
    return judge(readPackets(binary), limits, 0);
  } catch (err) {
    if (err instanceof PgpError) return { kind: 'unscannable', reason: `PGP data cannot be read: ${err.message}` };
    return { kind: 'unscannable', reason: `PGP data cannot be read: ${(err as Error)?.message ?? String(err)}` };
  }
}

export interface ArmourBlock {
  /** 'MESSAGE', 'SIGNATURE', 'PUBLIC KEY BLOCK' ... */
  readonly label: string;
  /** Offsets of the block in the text (from the BEGIN line to the end of the END line). */
  readonly start: number;
  readonly end: number;
  /** The radix-64 data, or null with the reason it could not be decoded. */
  readonly binary: Buffer | null;
  readonly problem: string | null;
}

/** Labels of armour that carries a message (RFC 4880 6.2; 'MESSAGE, PART 1/2' is a split one). */
export const isMessageLabel = (label: string): boolean => label === 'MESSAGE' || label.startsWith('MESSAGE, PART');

const BEGIN = /^-----BEGIN PGP ([A-Z ,/0-9]{1,40})-----[ \t]*\r?$/gm;
/** Radix-64 characters and line breaks (white space at line ends is tolerated, as mail adds it). */
const RADIX64_DATA = /^[A-Za-z0-9+/=\s]*$/;

const CRC24_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
    table[n] = crc & 0xffffff;
  }
  return table;
})();

function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (let i = 0; i < data.length; i++) crc = ((crc << 8) & 0xffffff) ^ (CRC24_TABLE[((crc >> 16) ^ (data[i] as number)) & 0xff] as number);
  return crc;
}

/**
 * The armour blocks in a text, in order (at most a few). Armour headers end at the first blank
 * line; a checksum line ('=XXXX') is optional (RFC 9580) but must match when present.
 */
export function armourBlocks(text: string, wanted: (label: string) => boolean = () => true): ArmourBlock[] {
  const blocks: ArmourBlock[] = [];
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m && blocks.length < MAX_ARMOUR_BLOCKS; m = BEGIN.exec(text)) {
    const label = m[1] as string;
    if (!wanted(label)) continue;
    const start = m.index;
    const endLine = `-----END PGP ${label}-----`;
    const endAt = text.indexOf(endLine, start + m[0].length);
    if (endAt < 0) {
      blocks.push({ label, start, end: text.length, binary: null, problem: 'PGP armour has no END line (truncated or too large)' });
      break;
    }
    const end = endAt + endLine.length;
    blocks.push({ label, start, end, ...decodeArmourBody(text.slice(start + m[0].length, endAt)) });
    BEGIN.lastIndex = end;
  }
  return blocks;
}

/**
 * The radix-64 data of one block. Only the few lines at the top (armour headers) and at the
 * bottom (checksum) are looked at one by one; the data itself is checked with one regular
 * expression and decoded in one call, so a 20 MB block costs little more than its copy.
 */
function decodeArmourBody(inner: string): { binary: Buffer | null; problem: string | null } {
  let at = 0;
  const nextLine = (): string | null => {
    if (at >= inner.length) return null;
    const nl = inner.indexOf('\n', at);
    const line = inner.slice(at, nl < 0 ? inner.length : nl).trim();
    at = nl < 0 ? inner.length : nl + 1;
    return line;
  };
  // The BEGIN line's own line end, then armour headers ('Version: ...') up to a blank line.
  const start = at;
  let line = nextLine();
  if (line === '') line = nextLine();
  if (line !== null && /^[A-Za-z0-9-]+: /.test(line)) {
    while (line !== null && line !== '') {
      if (!/^[A-Za-z0-9-]+: ?/.test(line)) return { binary: null, problem: 'PGP armour headers are not followed by a blank line' };
      line = nextLine();
    }
    if (line === null) return { binary: null, problem: 'PGP armour headers are not followed by a blank line' };
  } else {
    at = start; // no headers: the data starts here
  }
  let data = inner.slice(at).trimEnd();
  let checksum: string | null = null;
  const lastBreak = data.lastIndexOf('\n');
  const lastLine = data.slice(lastBreak + 1).trim();
  if (/^=[A-Za-z0-9+/]{4}$/.test(lastLine)) {
    checksum = lastLine.slice(1);
    data = lastBreak < 0 ? '' : data.slice(0, lastBreak);
  }
  if (!RADIX64_DATA.test(data)) return { binary: null, problem: 'PGP armour holds characters outside radix-64' };
  // '=' only as padding at the very end (a checksum line in the middle ends up here too).
  if (/=[^=\s]|=\s+[^=\s]/.test(data)) return { binary: null, problem: 'PGP armour radix-64 is malformed' };
  const binary = Buffer.from(data, 'base64');
  if (checksum !== null) {
    const sum = Buffer.from(checksum, 'base64');
    if (sum.length !== 3 || sum.readUIntBE(0, 3) !== crc24(binary)) return { binary: null, problem: 'PGP armour checksum does not match its data' };
  }
  return { binary, problem: null };
}

/** Decompression limits from the archive limits (the same budget a zip member gets). */
export function pgpLimitsOf(archive: { readonly maxExpandedBytes: number; readonly maxRatio: number }): PgpLimits {
  return { maxExpandedBytes: Math.min(archive.maxExpandedBytes, MAX_PGP_ARMOUR_BYTES * 2), maxRatio: archive.maxRatio };
}

export interface ArmourReading {
  /** One wanted block and nothing but white space around it, every block decoded. */
  readonly clean: boolean;
  readonly encrypted: number;
  readonly signatures: number;
  readonly readable: readonly { readonly data: Buffer; readonly fileName: string | null; readonly how: string }[];
  /** Why the text is not simply encrypted (empty when it is, or when all of it was readable). */
  readonly problems: readonly string[];
}

/** What the wanted armour blocks of a text hold. */
export function readArmourText(text: string, wanted: (label: string) => boolean, limits: PgpLimits): ArmourReading {
  const blocks = armourBlocks(text, wanted);
  const problems: string[] = [];
  const readable: { data: Buffer; fileName: string | null; how: string }[] = [];
  let encrypted = 0;
  let signatures = 0;
  for (const block of blocks) {
    if (!block.binary) {
      problems.push(block.problem ?? 'PGP armour cannot be decoded');
      continue;
    }
    const content = pgpContent(block.binary, limits);
    if (content.kind === 'encrypted') encrypted++;
    else if (content.kind === 'signature') signatures++;
    else if (content.kind === 'readable') readable.push({ data: content.data, fileName: content.fileName, how: content.how });
    else problems.push(content.reason);
  }
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  const outside = first && last ? text.slice(0, first.start).trim() + text.slice(last.end).trim() : text.trim();
  const clean = blocks.length === 1 && problems.length === 0 && !outside;
  if (!(clean && encrypted + signatures === 1)) {
    if (encrypted > 0) problems.push(encrypted === blocks.length ? 'PGP encrypted data beside other content' : 'PGP encrypted block beside readable content');
    if (blocks.length === 0) problems.push('PGP armour cannot be found');
  }
  return { clean, encrypted, signatures, readable, problems: [...new Set(problems)] };
}
