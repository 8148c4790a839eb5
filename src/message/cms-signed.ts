/**
 * Unwraps opaque signed S/MIME (application/pkcs7-mime; smime-type=signed-data): the signed
 * MIME entity sits inside the CMS SignedData as its encapsulated content. Reading it needs only
 * a small BER walk (definite and indefinite lengths, chunked OCTET STRINGs); the signature is
 * not verified, since inspection judges content, not authenticity.
 */

export interface Tlv {
  readonly tag: number;
  /** Content start and end (end excludes an indefinite-length end-of-contents). */
  readonly start: number;
  readonly end: number;
  /** Offset just after the element. */
  readonly next: number;
}

const MAX_DEPTH = 24;
const MAX_CHILDREN = 100_000;
const SIGNED_DATA = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
const ID_DATA = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]);

export function readTlv(b: Buffer, pos: number, limit: number, depth: number): Tlv | null {
  if (depth > MAX_DEPTH || pos + 2 > limit) return null;
  const tag = b[pos] as number;
  if ((tag & 0x1f) === 0x1f) return null; // high tag numbers do not occur on this path
  let p = pos + 1;
  const first = b[p++] as number;
  if (first === 0x80) {
    if (!(tag & 0x20)) return null; // indefinite length is only for constructed encodings
    let q = p;
    for (let n = 0; n < MAX_CHILDREN; n++) {
      if (q + 2 > limit) return null;
      if (b[q] === 0 && b[q + 1] === 0) return { tag, start: p, end: q, next: q + 2 };
      const child = readTlv(b, q, limit, depth + 1);
      if (!child) return null;
      q = child.next;
    }
    return null;
  }
  let length = first;
  if (first & 0x80) {
    const bytes = first & 0x7f;
    if (bytes > 4 || p + bytes > limit) return null;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (b[p++] as number);
  }
  if (p + length > limit) return null;
  return { tag, start: p, end: p + length, next: p + length };
}

export function children(b: Buffer, parent: Tlv, depth: number, max: number): Tlv[] | null {
  const out: Tlv[] = [];
  let q = parent.start;
  while (q < parent.end && out.length < max) {
    const child = readTlv(b, q, parent.end, depth + 1);
    if (!child) return null;
    out.push(child);
    q = child.next;
  }
  return out;
}

export function isOid(b: Buffer, tlv: Tlv | undefined, oid: Buffer): boolean {
  return !!tlv && tlv.tag === 0x06 && tlv.end - tlv.start === oid.length && b.compare(oid, 0, oid.length, tlv.start, tlv.end) === 0;
}

/** The bytes of a (possibly constructed, chunked) OCTET STRING. */
function octets(b: Buffer, tlv: Tlv, depth: number, out: Buffer[]): boolean {
  if (tlv.tag === 0x04) {
    out.push(b.subarray(tlv.start, tlv.end));
    return true;
  }
  if (tlv.tag !== 0x24 || depth > MAX_DEPTH) return false;
  const parts = children(b, tlv, depth, MAX_CHILDREN);
  return !!parts && parts.every((part) => octets(b, part, depth + 1, out));
}

/** The signed MIME entity inside a CMS SignedData with id-data content, or null when it cannot be read. */
export function signedContent(cms: Buffer): Buffer | null {
  const info = readTlv(cms, 0, cms.length, 0);
  if (!info || info.tag !== 0x30) return null;
  const [type, explicit] = children(cms, info, 0, 2) ?? [];
  if (!isOid(cms, type, SIGNED_DATA) || !explicit || explicit.tag !== 0xa0) return null;
  const [signedData] = children(cms, explicit, 1, 1) ?? [];
  if (!signedData || signedData.tag !== 0x30) return null;
  const [version, digests, encap] = children(cms, signedData, 2, 3) ?? [];
  if (version?.tag !== 0x02 || digests?.tag !== 0x31 || encap?.tag !== 0x30) return null;
  const [contentType, content] = children(cms, encap, 3, 2) ?? [];
  if (!isOid(cms, contentType, ID_DATA) || !content || content.tag !== 0xa0) return null;
  const [octetString] = children(cms, content, 4, 1) ?? [];
  const out: Buffer[] = [];
  if (!octetString || !octets(cms, octetString, 5, out)) return null;
  return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
}
