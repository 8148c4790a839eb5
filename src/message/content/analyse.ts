/**
 * Content analysis of one part or archive member: true type, name tricks, archive and container members,
 * Office labels. Never throws on bad input: what cannot be inspected comes back as `unscannable` with the
 * reason. Only the abort signal (the inspection's time limit) makes it reject.
 */
import type { Address, Attachment, DetectedType, MarkingHit, NameTrick } from '../model.js';
import type { ParseOptions } from '../parse-options.js';
import type { TempArea } from '../temp-area.js';
import { messageOf, type Env, type Work } from './analysis-work.js';
import { ArchiveBudget } from './archive-limits.js';
import type { PartBlob } from './blob.js';
import { openCfbItem, openGzipItem, openRtfItem, openTarItem, openTnefItem, openZipItem } from './containers.js';
import { isExecutableName } from './executable-names.js';
import { extensionOf } from './file-name.js';
import { nameTricks } from './name-tricks.js';
import { sniffContent } from './true-type.js';

export interface ContentInput {
  readonly blob: PartBlob;
  /** Cleaned declared name (see file-name.ts), or null. */
  readonly name: string | null;
  /** Declared Content-Type without parameters, lower-case ('' for archive members). */
  readonly declaredType: string;
  /** Id of this item; members get ids `${id}/${memberPath}`. */
  readonly id: string;
  /** Location of this item (the last element names it). */
  readonly location: readonly string[];
  /** Nesting depth of this item (0 for a part of the outer message). */
  readonly depth: number;
}

export interface ContentContext {
  readonly options: ParseOptions;
  readonly temp: TempArea;
}

export interface ContentReport {
  readonly detected: DetectedType;
  /** Name tricks that need the true type (double extension, extension mismatch). */
  readonly nameTricks: readonly NameTrick[];
  readonly unscannable: string | null;
  readonly markings: readonly MarkingHit[];
  /** Members of an archive or container, already analysed (recursively), flat. */
  readonly members: readonly Attachment[];
  /** Set when the item is an Outlook .msg (or TNEF) message: what an AttachedMessageSummary needs. */
  readonly attachedMessage?: { readonly subject: string; readonly from: readonly Address[] };
}

export async function analyseContent(input: ContentInput, ctx: ContentContext): Promise<ContentReport> {
  const env: Env = {
    ctx,
    budget: new ArchiveBudget(ctx.options.inspection.archive),
    analyse: (member, isMember) => analyseItem(member, env, isMember),
    wholeHeld: 0,
  };
  try {
    return await analyseItem(input, env, false);
  } catch (err) {
    if (ctx.options.signal?.aborted) throw err;
    return {
      detected: { mime: 'application/octet-stream', ext: '', family: 'unknown', macros: false, encrypted: false, basis: 'none' },
      nameTricks: [],
      unscannable: `content analysis failed: ${messageOf(err)}`,
      markings: [],
      members: [],
    };
  }
}

async function analyseItem(input: ContentInput, env: Env, isMember: boolean): Promise<ContentReport> {
  env.ctx.options.signal?.throwIfAborted();
  const sniffed = await sniffContent(input.blob, input.name);
  const work: Work = {
    mime: sniffed.mime,
    ext: sniffed.ext,
    family: sniffed.family,
    macros: sniffed.macros ?? false,
    encrypted: false,
    basis: sniffed.basis,
    contentFamily: sniffed.family,
    reasons: sniffed.unscannable ? [sniffed.unscannable] : [],
    markings: [],
    members: [],
  };
  switch (sniffed.container) {
    case 'zip':
      await openZipItem(input, env, work);
      break;
    case 'cfb':
      await openCfbItem(input, env, work);
      break;
    case 'gzip':
      await openGzipItem(input, env, work);
      break;
    case 'tar':
      await openTarItem(input, env, work);
      break;
    case 'tnef':
      await openTnefItem(input, env, work);
      break;
    case null:
      // RTF is text to the sniffer, but Word opens the OLE objects it embeds.
      if (sniffed.ext === 'rtf') await openRtfItem(input, env, work);
      break;
  }
  // HTML or SVG that carries script runs code when opened: executable content.
  if (sniffed.script) work.family = 'executable';
  // The MIME parser opens message/rfc822 parts; a message inside an archive, or a part that hides what it is,
  // is not opened by anyone.
  const hiddenMessage = isMember || !/^(?:message|text)\//.test(input.declaredType);
  if (work.contentFamily === 'message' && work.ext === 'eml' && hiddenMessage) {
    work.reasons.push(
      isMember
        ? 'attached message inside an archive is not inspected'
        : 'attached message not declared as message/rfc822 is not inspected',
    );
  }
  const tricks = nameTricks(input.name, work);
  // Scripts have no magic: text (or bytes we cannot place) under an executable name is executable.
  if ((work.family === 'text' || work.family === 'unknown') && input.name && isExecutableName(input.name)) {
    work.family = 'executable';
    work.basis = 'name';
    work.ext = extensionOf(input.name);
  }
  if (work.encrypted && !work.reasons.some((r) => r.startsWith('password-protected'))) {
    work.reasons.push(work.family === 'archive' ? 'password-protected archive' : 'password-protected Office file');
  }
  return {
    detected: {
      mime: work.mime, ext: work.ext, family: work.family, macros: work.macros, encrypted: work.encrypted, basis: work.basis,
    },
    nameTricks: tricks,
    unscannable: work.reasons.length ? summarise(work.reasons) : null,
    markings: work.markings,
    members: work.members,
    ...(work.attachedMessage ? { attachedMessage: work.attachedMessage } : {}),
  };
}

function summarise(reasons: readonly string[]): string {
  const unique = [...new Set(reasons)];
  const shown = unique.slice(0, 3).join('; ');
  return unique.length > 3 ? `${shown}; and ${unique.length - 3} more` : shown;
}

