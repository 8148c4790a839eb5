/**
 * Encryption and signature structure, judged from the MIME tree and the payload bytes.
 * A declared type alone is not trusted: an executable labelled smime.p7m must not make a
 * message look encrypted, so S/MIME payloads must be CMS and PGP payloads must be armour.
 */
import type { EncryptionKind } from './model.js';

/** What a leaf part is in the encryption/signature structure. */
export type PartRole =
  | 'smime-enveloped' // CMS enveloped-data or authEnveloped-data
  | 'smime-signed' // opaque CMS signed-data (content inside the signature)
  | 'smime-other' // other CMS content (compressed-data ...)
  | 'pgp-payload' // ASCII-armoured PGP MESSAGE
  | 'pgp-control' // the application/pgp-encrypted "Version: 1" part of PGP/MIME
  | 'signature' // the detached signature of multipart/signed
  | null;

const PKCS7_TYPES = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature']);

// OID 1.2.840.113549.1.7 (PKCS #7 content types) and 1.2.840.113549.1.9.16.1.23 (authEnvelopedData)
const PKCS7_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07]);
const AUTH_ENVELOPED_OID = Buffer.from([0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17]);

/** The CMS content type of a DER/BER ContentInfo, from its first bytes. */
export function cmsContentType(head: Buffer): 'enveloped' | 'signed' | 'other' | null {
  if (head.length < 14 || head[0] !== 0x30) return null;
  const len = head[1] as number;
  const off = 2 + (len & 0x80 ? len & 0x7f : 0);
  if (off + 13 > head.length) return null;
  if (head.compare(AUTH_ENVELOPED_OID, 0, AUTH_ENVELOPED_OID.length, off, off + AUTH_ENVELOPED_OID.length) === 0) return 'enveloped';
  if (head.compare(PKCS7_OID, 0, PKCS7_OID.length, off, off + PKCS7_OID.length) !== 0) return null;
  const kind = head[off + PKCS7_OID.length];
  if (kind === 0x03) return 'enveloped';
  if (kind === 0x02) return 'signed';
  return 'other';
}

function armourBegins(head: Buffer, what: string): boolean {
  const text = head.toString('latin1', 0, Math.min(head.length, 256)).trimStart();
  return text.startsWith(`-----BEGIN PGP ${what}-----`);
}

export interface LeafFacts {
  readonly declaredType: string;
  readonly name: string | null;
  /** Content type of the parent multipart ('' for a root leaf), with its `protocol` parameter. */
  readonly parentType: string;
  /** 1-based position under the parent. */
  readonly index: number;
  readonly head: Buffer;
  readonly size: number;
}

/** The role of a leaf, from its place in the tree and its first bytes. */
export function partRole(leaf: LeafFacts): PartRole {
  const { declaredType, head, parentType } = leaf;
  if (parentType === 'multipart/signed' && leaf.index === 2 && SIGNATURE_TYPES.has(declaredType)) {
    const looksRight = declaredType === 'application/pgp-signature' ? armourBegins(head, 'SIGNATURE') : cmsContentType(head) === 'signed';
    if (looksRight) return 'signature';
  }
  if (parentType === 'multipart/encrypted' && declaredType === 'application/pgp-encrypted' && leaf.size < 1024) {
    if (/^\s*Version:/i.test(head.toString('latin1'))) return 'pgp-control';
  }
  if (PKCS7_TYPES.has(declaredType) || /\.p7m$/i.test(leaf.name ?? '')) {
    const cms = cmsContentType(head);
    if (cms === 'enveloped') return 'smime-enveloped';
    if (cms === 'signed') return 'smime-signed';
    if (cms === 'other') return 'smime-other';
  }
  if (armourBegins(head, 'MESSAGE')) return 'pgp-payload';
  return null;
}

/**
 * A part that claims to be an encryption payload but is not one: an S/MIME type or .p7m name
 * without CMS content, or a PGP/MIME payload without armour. Such a label hides a file from
 * the eye of a reviewer, so the part counts as unscannable even if its content is analysed.
 */
export function disguisedPayload(leaf: LeafFacts, role: PartRole): string | null {
  if (role !== null) return null;
  if (PKCS7_TYPES.has(leaf.declaredType) || /\.p7m$/i.test(leaf.name ?? '')) return 'declared S/MIME but the content is not CMS';
  if (leaf.parentType === 'multipart/encrypted' && leaf.declaredType === 'application/octet-stream') {
    return 'declared PGP/MIME payload is not PGP armour';
  }
  return null;
}

/** Why a part with this role cannot be inspected, or null. */
export function roleUnscannable(role: PartRole): string | null {
  switch (role) {
    case 'smime-enveloped':
      return 'encrypted (S/MIME enveloped-data)';
    case 'smime-signed':
      return 'opaque signed-data (S/MIME content not unwrapped)';
    case 'smime-other':
      return 'S/MIME content of a type we do not open';
    case 'pgp-payload':
      return 'encrypted (PGP)';
    default:
      return null;
  }
}

/** A node of the MIME tree as the encryption decision needs it. */
export interface TreeNode {
  readonly type: string;
  /** Lower-case `protocol` parameter of a multipart, '' when none. */
  readonly protocol: string;
  readonly children: readonly TreeNode[];
  /** Role of a leaf (null for multiparts and ordinary leaves). */
  role: PartRole;
}

/**
 * The node that carries a message's content: through multipart/signed (its first part) and
 * through any multipart with a single part (RFC 8551 'the only part'), down to a leaf or a
 * multipart/encrypted.
 */
export function contentNode(root: TreeNode): TreeNode {
  let node = root;
  for (let guard = 0; guard < 1000; guard++) {
    const child = node.children[0];
    if (!child || node.type === 'multipart/encrypted') return node;
    if (node.type === 'multipart/signed' || node.children.length === 1) node = child;
    else return node;
  }
  return node;
}

/**
 * How the message itself is encrypted, and which leaves are the encryption envelope
 * (they are then not listed as attachments).
 */
export function messageEncryption(root: TreeNode | null): { kind: EncryptionKind | null; envelope: readonly TreeNode[] } {
  if (!root) return { kind: null, envelope: [] };
  const content = contentNode(root);
  if (content.role === 'smime-enveloped') return { kind: 'smime', envelope: [content] };
  if (content.type === 'multipart/encrypted') {
    const payload = content.children.find((c) => c.role === 'pgp-payload');
    if (payload && content.protocol === 'application/pgp-encrypted') {
      return { kind: 'pgp-mime', envelope: content.children.filter((c) => c.role === 'pgp-payload' || c.role === 'pgp-control') };
    }
    const smime = content.children.find((c) => c.role === 'smime-enveloped');
    if (smime) return { kind: 'smime', envelope: [smime] };
  }
  return { kind: null, envelope: [] };
}
