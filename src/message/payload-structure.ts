/**
 * Encryption is proven by structure, not by a label or a first line. A part that looks like an
 * S/MIME or PGP payload from its first bytes (encryption.ts) is read whole here and checked:
 * CMS must hold together to its last byte (cms-structure.ts), PGP armour must hold session-key
 * packets and encrypted data (openpgp.ts). What fails is no encryption: it is `unscannable`
 * and whatever can be read inside (PGP literal data, bytes glued after a CMS structure) is
 * analysed like an archive member, so the markings and executable rules see it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { analyseContent } from './content/analyse.js';
import { memberAttachment } from './content/analysis-work.js';
import { HEAD_BYTES, type PartBlob } from './content/blob.js';
import { cleanFileName } from './content/file-name.js';
import { wholeReads } from './content/whole-read-budget.js';
import { cmsStructure } from './cms-structure.js';
import type { PartRole } from './encryption.js';
import { markingsInText } from './markings.js';
import type { Attachment } from './model.js';
import { isMessageLabel, MAX_PGP_ARMOUR_BYTES, pgpContent, pgpLimitsOf, readArmourText, type PgpLimits } from './openpgp.js';
import type { ParseContext } from './parse-context.js';

/** Readable content found inside a payload. */
export interface InnerContent {
  readonly data: Buffer;
  /** File name the content carries (a PGP literal's name), or null. */
  readonly name: string | null;
  /** How it is shown in a location: 'PGP literal data', 'data after the S/MIME structure'. */
  readonly label: string;
}

export interface PayloadCheck {
  /** The role the structure bears out (null when the part is no encryption or signature at all). */
  readonly role: PartRole;
  /** Why the part cannot count as what it claims, or null. */
  readonly problem: string | null;
  readonly inner: readonly InnerContent[];
  /** True when the part is PGP armour: its own text is not analysed again, only what it holds. */
  readonly armour: boolean;
}

const VERIFIED: ReadonlySet<PartRole> = new Set<PartRole>(['smime-enveloped', 'smime-signed', 'smime-other', 'signature', 'pgp-payload']);

export function needsStructureCheck(role: PartRole): boolean {
  return VERIFIED.has(role);
}

export function pgpLimits(ctx: ParseContext): PgpLimits {
  return pgpLimitsOf(ctx.options.inspection.archive);
}

/** The whole payload, read back under the process-wide whole-read budget; null past the limit. */
async function whole(blob: PartBlob, ctx: ParseContext): Promise<{ bytes: Buffer; release: () => void } | null> {
  if (blob.buffer) return { bytes: blob.buffer, release: () => undefined };
  if (!blob.path || blob.size > MAX_PGP_ARMOUR_BYTES) return null;
  const signal = ctx.options.signal;
  const release = await wholeReads.acquire(blob.size, signal ? { signal } : {});
  try {
    return { bytes: await readFile(blob.path), release };
  } catch (err) {
    release();
    throw err;
  }
}

/** Checks the structure of a part whose first bytes claim `role`. */
export async function checkPayload(blob: PartBlob, role: PartRole, declaredType: string, ctx: ParseContext): Promise<PayloadCheck> {
  const held = await whole(blob, ctx);
  const pgp = role === 'pgp-payload' || declaredType === 'application/pgp-signature';
  if (!held) {
    const what = pgp ? 'PGP data' : 'S/MIME data';
    return { role: null, problem: `${what} larger than ${MAX_PGP_ARMOUR_BYTES} bytes is not inspected`, inner: [], armour: pgp };
  }
  try {
    return pgp ? checkPgpText(held.bytes.toString('latin1'), role, ctx) : checkCms(held.bytes, role);
  } finally {
    held.release();
  }
}

/** Binary OpenPGP (a .gpg file): encrypted data is unscannable, readable data is opened. */
export async function checkBinaryPgp(blob: PartBlob, ctx: ParseContext): Promise<PayloadCheck> {
  const held = await whole(blob, ctx);
  if (!held) return { role: null, problem: `PGP data larger than ${MAX_PGP_ARMOUR_BYTES} bytes is not inspected`, inner: [], armour: false };
  try {
    const content = pgpContent(held.bytes, pgpLimits(ctx));
    if (content.kind === 'encrypted') return { role: null, problem: 'encrypted (PGP)', inner: [], armour: false };
    if (content.kind === 'readable') {
      return { role: null, problem: null, inner: [{ data: Buffer.from(content.data), name: content.fileName, label: `PGP ${content.how}` }], armour: false };
    }
    if (content.kind === 'signature') return { role: null, problem: null, inner: [], armour: false };
    return { role: null, problem: content.reason, inner: [], armour: false };
  } finally {
    held.release();
  }
}

function checkCms(bytes: Buffer, role: PartRole): PayloadCheck {
  const found = cmsStructure(bytes);
  const signedClaim = role === 'smime-signed' || role === 'signature';
  if (!found.valid) {
    const problem = signedClaim ? `opaque signed-data that is not valid CMS (${found.problem})` : `declared S/MIME but the content is not valid CMS (${found.problem})`;
    return { role: null, problem: role === 'signature' ? `signature part that is not valid CMS (${found.problem})` : problem, inner: [], armour: false };
  }
  const expected = role === 'smime-enveloped' ? ['enveloped', 'auth-enveloped'] : signedClaim ? ['signed'] : ['other'];
  if (!expected.includes(found.kind)) return { role: null, problem: `S/MIME content is ${found.kind} data, not what its first bytes claim`, inner: [], armour: false };
  if (found.trailing > 0) {
    return {
      role: null,
      problem: `S/MIME structure is followed by ${found.trailing} bytes of other data`,
      inner: [{ data: bytes.subarray(bytes.length - found.trailing), name: null, label: 'data after the S/MIME structure' }],
      armour: false,
    };
  }
  return { role, problem: null, inner: [], armour: false };
}

/**
 * PGP armour in a text (a part, or a body): encrypted only when the text is one MESSAGE block
 * (or, for a signature part, one SIGNATURE block) of encrypted packets and nothing else.
 */
export function checkPgpText(text: string, role: PartRole, ctx: ParseContext): PayloadCheck {
  const signature = role === 'signature';
  const read = readArmourText(text, signature ? (label) => label === 'SIGNATURE' : isMessageLabel, pgpLimits(ctx));
  const inner = read.readable.map((r) => ({ data: r.data, name: r.fileName, label: `PGP ${r.how}` }));
  if (signature) {
    if (read.clean && read.signatures === 1) return { role, problem: null, inner: [], armour: true };
    return { role: null, problem: read.problems[0] ?? 'signature part is not a PGP signature', inner, armour: true };
  }
  if (read.clean && read.encrypted === 1) return { role, problem: null, inner: [], armour: true };
  return { role: null, problem: read.problems.length ? read.problems.join('; ') : null, inner, armour: true };
}

/** Where inner content sits: the part it came from. */
export interface InnerPlace {
  readonly id: string;
  readonly location: readonly string[];
  readonly depth: number;
}

/**
 * Inner content analysed like an archive member: true type, containers, and (for text) the
 * markings in it, since a literal's text is what the recipient reads.
 */
export async function analyseInner(inner: readonly InnerContent[], place: InnerPlace, ctx: ParseContext): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const [n, item] of inner.entries()) {
    const clean = item.name ? cleanFileName(item.name) : null;
    const label = clean?.name ? `${clean.name}` : item.label;
    const id = `${place.id}/${inner.length > 1 ? `${n + 1}-` : ''}${label}`;
    const location = [...place.location, label];
    const blob: PartBlob = {
      size: item.data.length,
      sha256: createHash('sha256').update(item.data).digest('hex'),
      head: item.data.subarray(0, HEAD_BYTES),
      buffer: item.data,
      path: null,
    };
    const input = { blob, name: clean?.name || null, declaredType: '', id, location, depth: place.depth + 1 };
    const report = await analyseContent(input, { options: ctx.options, temp: ctx.temp });
    const textMarkings =
      report.detected.family === 'text' ? markingsInText(item.data.toString('utf8', 0, ctx.options.inspection.maxBodyTextChars), ctx.options.markings, `attachment:${location.join(' > ')}`) : [];
    const rawName = clean && item.name && clean.name !== item.name ? item.name : null;
    out.push(memberAttachment(input, { rawName, nameTricks: clean?.tricks ?? [], size: blob.size, sha256: blob.sha256 }, report, [...report.markings, ...textMarkings]));
    out.push(...report.members);
  }
  return out;
}
