/**
 * PGP armour written into the body text (inline PGP). The body counts as encrypted only when it
 * is one armour block of encrypted packets; a block of literal or compressed data is readable by
 * anyone, so what it holds is analysed as a file of the message (markings, true type). A block
 * that cannot be read, or encrypted data beside readable text, is unscannable.
 */
import { createHash } from 'node:crypto';
import type { Attachment } from './model.js';
import type { ParseContext } from './parse-context.js';
import { analyseInner, checkPgpText } from './payload-structure.js';
import type { AttachmentEntry, WalkScope } from './walked-message.js';

export interface BodyArmour {
  readonly encrypted: boolean;
  readonly entries: readonly AttachmentEntry[];
}

const NONE: BodyArmour = { encrypted: false, entries: [] };

export async function bodyArmour(bodyText: string, scope: WalkScope, ctx: ParseContext): Promise<BodyArmour> {
  if (!bodyText.includes('-----BEGIN PGP MESSAGE')) return NONE; // the common path: one search
  const check = checkPgpText(bodyText, 'pgp-payload', ctx);
  if (check.role === 'pgp-payload') return { encrypted: true, entries: [] };
  const place = { id: `${scope.idPrefix}body`, location: [...scope.location, 'PGP armour in the body text'], depth: scope.attachmentDepth };
  const entries: AttachmentEntry[] = [];
  if (check.inner.length) {
    const [first, ...rest] = await analyseInner(check.inner, place, ctx);
    if (first) entries.push({ attachment: first, members: rest, child: null });
  }
  if (check.problem) entries.push({ attachment: unreadableBlock(place, check.problem), members: [], child: null });
  return { encrypted: false, entries };
}

function unreadableBlock(place: { id: string; location: readonly string[]; depth: number }, problem: string): Attachment {
  return {
    id: place.id,
    location: place.location,
    origin: 'member',
    depth: place.depth + 1,
    name: null,
    rawName: null,
    nameTricks: [],
    declaredType: '',
    disposition: null,
    contentId: null,
    size: 0,
    sha256: createHash('sha256').digest('hex'),
    detected: { mime: 'application/pgp-encrypted', ext: 'asc', family: 'unknown', macros: false, encrypted: false, basis: 'text' },
    unscannable: problem,
    markings: [],
  };
}
