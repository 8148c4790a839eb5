/**
 * Structurally real S/MIME (CMS, RFC 5652) and OpenPGP (RFC 4880) payloads for fixtures and
 * tests. The ciphertext is pseudo-random (nobody needs to decrypt it), but every element is
 * where a mail client expects it: ContentInfo, EnvelopedData with a recipient info and
 * encrypted content; PGP session-key packets followed by encrypted data. The readable
 * look-alikes (literal and compressed PGP packets, CMS with a file glued after it) are built
 * with the same pieces.
 */
import { deflateRawSync, deflateSync } from 'node:zlib';
import { Prng } from './prng.js';

/** A DER element: tag, definite length, content; or BER indefinite length (0x80 ... 00 00). */
export function tlv(tag: number, content: Buffer, indefinite = false): Buffer {
  if (indefinite) return Buffer.concat([Buffer.from([tag, 0x80]), content, Buffer.from([0, 0])]);
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : n < 0x1000000 ? [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff] : [0x84, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

const oid = (hex: string): Buffer => tlv(0x06, Buffer.from(hex, 'hex'));
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const int = (n: number): Buffer => tlv(0x02, Buffer.from([n]));
const NULL = Buffer.from([0x05, 0x00]);

export const OID = {
  data: '2a864886f70d010701',
  signedData: '2a864886f70d010702',
  envelopedData: '2a864886f70d010703',
  authEnvelopedData: '2a864886f70d0109100117',
  rsaEncryption: '2a864886f70d010101',
  aes256Cbc: '60864801650304012a',
  aes256Gcm: '60864801650304012e',
  sha256: '608648016503040201',
} as const;

/** A KeyTransRecipientInfo: version 0, issuer-and-serial, RSA, an encrypted key. */
function recipientInfo(rng: Prng): Buffer {
  const issuer = seq(tlv(0x31, seq(oid('550403'), tlv(0x0c, Buffer.from('MPS Issuing CA 2')))));
  const serial = tlv(0x02, Buffer.concat([Buffer.from([0x01]), rng.bytes(15)]));
  return seq(int(0), seq(issuer, serial), seq(oid(OID.rsaEncryption), NULL), tlv(0x04, rng.bytes(256)));
}

export interface CmsOptions {
  readonly kind?: 'enveloped' | 'auth-enveloped';
  /** Bytes of ciphertext. */
  readonly size?: number;
  /** BER indefinite lengths and a chunked encrypted content, as streaming encoders write. */
  readonly streamed?: boolean;
}

/** A CMS ContentInfo carrying EnvelopedData (or AuthEnvelopedData) for one recipient. */
export function cmsEnveloped(seed: string, opts: CmsOptions = {}): Buffer {
  const rng = new Prng(seed);
  const auth = opts.kind === 'auth-enveloped';
  const streamed = opts.streamed ?? false;
  const cipher = rng.bytes(opts.size ?? 1400);
  const algorithm = auth ? seq(oid(OID.aes256Gcm), seq(tlv(0x04, rng.bytes(12)))) : seq(oid(OID.aes256Cbc), tlv(0x04, rng.bytes(16)));
  const content = streamed
    ? tlv(0xa0, Buffer.concat([tlv(0x04, cipher.subarray(0, 512)), tlv(0x04, cipher.subarray(512))]), true)
    : tlv(0x80, cipher);
  const encrypted = tlv(0x30, Buffer.concat([oid(OID.data), algorithm, content]), streamed);
  const fields = [int(auth ? 0 : 0), tlv(0x31, recipientInfo(rng)), encrypted];
  if (auth) fields.push(tlv(0x04, rng.bytes(16)));
  const body = tlv(0x30, Buffer.concat(fields), streamed);
  return tlv(0x30, Buffer.concat([oid(auth ? OID.authEnvelopedData : OID.envelopedData), tlv(0xa0, body, streamed)]), streamed);
}

/** A detached CMS SignedData (an smime.p7s): no content, one signer. */
export function cmsDetachedSignature(seed: string): Buffer {
  const rng = new Prng(seed);
  const digests = tlv(0x31, seq(oid(OID.sha256)));
  const encap = seq(oid(OID.data));
  const sid = seq(seq(tlv(0x31, seq(oid('550403'), tlv(0x0c, Buffer.from('MPS Issuing CA 2'))))), tlv(0x02, rng.bytes(16)));
  const signer = seq(int(1), sid, seq(oid(OID.sha256)), seq(oid(OID.rsaEncryption), NULL), tlv(0x04, rng.bytes(256)));
  const body = seq(int(1), digests, encap, tlv(0xa0, rng.bytes(600)), tlv(0x31, signer));
  return seq(oid(OID.signedData), tlv(0xa0, body));
}

/** An OpenPGP packet in the new format with a one-, two- or five-octet length. */
export function pgpPacket(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 192 ? [n] : n < 8384 ? [((n - 192) >> 8) + 192, (n - 192) & 0xff] : [255, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([0xc0 | tag, ...len]), body]);
}

/** An OpenPGP packet in the old format (as GnuPG 1 wrote): tag (0-15) in bits 5-2, two-octet length. */
export function pgpOldPacket(tag: number, body: Buffer): Buffer {
  if (tag > 15) throw new Error(`old-format packets carry tags 0-15, not ${tag}`);
  return Buffer.concat([Buffer.from([0x80 | (tag << 2) | 1, body.length >> 8, body.length & 0xff]), body]);
}

/** Public-key session key (tag 1) and symmetrically encrypted integrity-protected data (tag 18). */
export function pgpEncrypted(seed: string, size = 700): Buffer {
  const rng = new Prng(seed);
  const pkesk = Buffer.concat([Buffer.from([3]), rng.bytes(8), Buffer.from([1, 0x08, 0x00]), rng.bytes(256)]);
  const seipd = Buffer.concat([Buffer.from([1]), rng.bytes(size)]);
  return Buffer.concat([pgpOldPacket(1, pkesk), pgpPacket(18, seipd)]);
}

/** A literal data packet (tag 11): readable by anyone. */
export function pgpLiteral(data: Buffer | string, fileName = ''): Buffer {
  const name = Buffer.from(fileName);
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return pgpPacket(11, Buffer.concat([Buffer.from([bytes === data ? 0x62 : 0x75, name.length]), name, Buffer.from([0x67, 0xc5, 0x8a, 0x00]), bytes]));
}

/** A compressed data packet (tag 8): algorithm 1 = ZIP (raw deflate), 2 = ZLIB. */
export function pgpCompressed(inner: Buffer, algorithm: 1 | 2 = 1): Buffer {
  const packed = algorithm === 1 ? deflateRawSync(inner) : deflateSync(inner);
  return pgpPacket(8, Buffer.concat([Buffer.from([algorithm]), packed]));
}

function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** ASCII armour (radix-64 lines of 64, CRC-24 checksum line) around binary OpenPGP data. */
export function armour(binary: Buffer, label = 'MESSAGE', headers: readonly string[] = []): string {
  const b64 = binary.toString('base64').replace(/(.{64})(?!$)/g, '$1\n');
  const sum = Buffer.from([(crc24(binary) >> 16) & 0xff, (crc24(binary) >> 8) & 0xff, crc24(binary) & 0xff]).toString('base64');
  const head = headers.length ? `${headers.join('\n')}\n` : '';
  return `-----BEGIN PGP ${label}-----\n${head}\n${b64}\n=${sum}\n-----END PGP ${label}-----\n`;
}
