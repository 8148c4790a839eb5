/**
 * Is an S/MIME payload really CMS (RFC 5652)? Its first bytes prove nothing: a ContentInfo
 * header with the enveloped-data OID can be glued in front of a zip. Here the whole DER/BER
 * structure is walked: one ContentInfo whose length covers the whole payload, and inside it an
 * EnvelopedData / AuthEnvelopedData with a version, at least one recipient info and encrypted
 * content, or a SignedData with its digest algorithms, encapsulated content and signer infos.
 *
 * Bounded by the BER reader in cms-signed.ts (nesting depth, element count, lengths checked
 * against the data, indefinite lengths only on constructed encodings).
 */
import { children, isOid, readTlv, type Tlv } from './cms-signed.js';

export type CmsKind = 'enveloped' | 'auth-enveloped' | 'signed' | 'other';

export type CmsStructure =
  | { readonly valid: true; readonly kind: CmsKind; /** Bytes after the ContentInfo (0 for a clean payload). */ readonly trailing: number }
  | { readonly valid: false; readonly problem: string; /** The OID-based kind the first bytes claim, when any. */ readonly claims: CmsKind | null };

const PKCS7 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];
const ENVELOPED = Buffer.from([...PKCS7, 0x03]);
const SIGNED = Buffer.from([...PKCS7, 0x02]);
const AUTH_ENVELOPED = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17]);
/** Other PKCS #7 / CMS content types (data, digested, encrypted, compressed) are "other". */
const PKCS7_PREFIX = Buffer.from(PKCS7);
const SMIME_CT_PREFIX = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01]);

const RECIPIENT_TAGS = new Set([0x30, 0xa1, 0xa2, 0xa3, 0xa4]);

function kindOf(b: Buffer, oid: Tlv | undefined): CmsKind | null {
  if (isOid(b, oid, ENVELOPED)) return 'enveloped';
  if (isOid(b, oid, SIGNED)) return 'signed';
  if (isOid(b, oid, AUTH_ENVELOPED)) return 'auth-enveloped';
  if (!oid || oid.tag !== 0x06) return null;
  const value = b.subarray(oid.start, oid.end);
  if (value.length === PKCS7_PREFIX.length + 1 && value.subarray(0, PKCS7_PREFIX.length).equals(PKCS7_PREFIX)) return 'other';
  if (value.length === SMIME_CT_PREFIX.length + 1 && value.subarray(0, SMIME_CT_PREFIX.length).equals(SMIME_CT_PREFIX)) return 'other';
  return null;
}

/** EnvelopedData / AuthEnvelopedData: version, [0] originatorInfo?, recipientInfos SET (1..), encrypted content info. */
function envelopedProblem(b: Buffer, body: Tlv, auth: boolean): string | null {
  const fields = children(b, body, 2, 8);
  if (!fields) return 'EnvelopedData cannot be read';
  let i = 0;
  if (fields[i]?.tag !== 0x02) return 'EnvelopedData has no version';
  i++;
  if (fields[i]?.tag === 0xa0) i++;
  const recipients = fields[i];
  if (recipients?.tag !== 0x31) return 'EnvelopedData has no recipient infos';
  const infos = children(b, recipients, 3, 10_000);
  if (!infos || infos.length === 0) return 'EnvelopedData has no recipient';
  if (!infos.every((r) => RECIPIENT_TAGS.has(r.tag))) return 'EnvelopedData has a recipient info of an unknown kind';
  i++;
  const encrypted = fields[i];
  if (encrypted?.tag !== 0x30) return 'EnvelopedData has no encrypted content info';
  const [type, algorithm, content] = children(b, encrypted, 3, 3) ?? [];
  if (type?.tag !== 0x06 || algorithm?.tag !== 0x30) return 'encrypted content info cannot be read';
  if (!content || (content.tag !== 0x80 && content.tag !== 0xa0) || content.end === content.start) return 'EnvelopedData carries no encrypted content';
  if (auth && !fields.slice(i + 1).some((f) => f.tag === 0x04)) return 'AuthEnvelopedData has no MAC';
  return null;
}

/** SignedData: version, digestAlgorithms SET, encapContentInfo SEQUENCE, [0] certificates?, [1] crls?, signerInfos SET. */
function signedProblem(b: Buffer, body: Tlv): string | null {
  const fields = children(b, body, 2, 8);
  if (!fields) return 'SignedData cannot be read';
  const [version, digests, encap] = fields;
  if (version?.tag !== 0x02 || digests?.tag !== 0x31 || encap?.tag !== 0x30) return 'SignedData lacks its version, digest algorithms or content';
  const rest = fields.slice(3).filter((f) => f.tag !== 0xa0 && f.tag !== 0xa1);
  if (rest.length !== 1 || rest[0]?.tag !== 0x31) return 'SignedData has no signer infos';
  return null;
}

/** The CMS structure of a whole S/MIME payload. Never throws. */
export function cmsStructure(b: Buffer): CmsStructure {
  try {
    return walk(b);
  } catch (err) {
    return { valid: false, problem: `CMS cannot be read: ${(err as Error)?.message ?? String(err)}`, claims: null };
  }
}

function walk(b: Buffer): CmsStructure {
  const info = readTlv(b, 0, b.length, 0);
  if (!info || info.tag !== 0x30) return { valid: false, problem: claimedProblem(b), claims: claimedKind(b) };
  const [type, explicit, extra] = children(b, info, 0, 3) ?? [];
  const kind = kindOf(b, type);
  if (!kind) return { valid: false, problem: 'not a CMS ContentInfo', claims: null };
  if (!explicit || explicit.tag !== 0xa0 || extra) return { valid: false, problem: 'CMS ContentInfo has no content', claims: kind };
  const [body, more] = children(b, explicit, 1, 2) ?? [];
  if (!body || more) return { valid: false, problem: 'CMS content cannot be read', claims: kind };
  let problem: string | null = null;
  if (kind === 'enveloped' || kind === 'auth-enveloped') problem = body.tag === 0x30 ? envelopedProblem(b, body, kind === 'auth-enveloped') : 'EnvelopedData is not a SEQUENCE';
  else if (kind === 'signed') problem = body.tag === 0x30 ? signedProblem(b, body) : 'SignedData is not a SEQUENCE';
  if (problem) return { valid: false, problem, claims: kind };
  return { valid: true, kind, trailing: b.length - info.next };
}

/** What the first bytes claim, for a payload whose structure does not hold together. */
function claimedKind(b: Buffer): CmsKind | null {
  if (b[0] !== 0x30 || b.length < 4) return null;
  const first = b[1] as number;
  const off = 2 + (first & 0x80 ? first & 0x7f : 0);
  const oid = readTlv(b, off, Math.min(b.length, off + 16), 1);
  return kindOf(b, oid ?? undefined);
}

function claimedProblem(b: Buffer): string {
  return claimedKind(b) ? 'CMS structure is truncated or its lengths do not hold together' : 'not a CMS ContentInfo';
}
