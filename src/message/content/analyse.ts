/**
 * Content analysis of one part or archive member: true type, name tricks, archive and container members,
 * Office labels. Never throws on bad input: what cannot be inspected comes back as `unscannable` with the
 * reason. Only the abort signal (the inspection's time limit) makes it reject.
 */
import { messageOf, type ContentContext, type ContentInput, type ContentReport, type Env, type Work } from './analysis-work.js';
import { ArchiveBudget } from './archive-limits.js';
import { openAppendedZip, openCfbItem, openGzipItem, openRtfItem, openTarItem, openTnefItem, openZipItem } from './containers.js';
import { isExecutableName } from './executable-names.js';
import { extensionOf } from './file-name.js';
import { nameTricks } from './name-tricks.js';
import { inspectEncodedFiles, inspectMarkupFiles, openHiddenMessage } from './embedded-files.js';
import { openPdfItem } from './pdf-item.js';
import { openPgpItem } from './pgp-item.js';
import { sniffContent } from './true-type.js';

export type { ContentContext, ContentInput, ContentReport, OpenedMessage } from './analysis-work.js';

const MESSAGE_DECLARED = /^message\/(?:rfc822|global)$/;
const EML_NAME = /\.eml$/i;

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
  const sniffed = await sniffContent(input.blob, input.name, input.declaredType);
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
    case 'pdf':
      await openPdfItem(input, env, work);
      break;
    case null:
      // RTF is text to the sniffer, but Word opens the OLE objects it embeds.
      if (sniffed.ext === 'rtf') await openRtfItem(input, env, work);
      break;
  }
  // PGP armour is proven, not believed (pgp-item.ts).
  if (sniffed.family === 'encrypted' && (sniffed.ext === 'asc' || sniffed.ext === 'pgp')) await openPgpItem(input, env, work);
  if (sniffed.appendedZip) await openAppendedZip(input, env, work);
  // HTML or SVG that carries script runs code when opened: executable content.
  if (sniffed.script) work.family = 'executable';
  if (sniffed.markup) await inspectMarkupFiles(sniffed.markup, input, env, work);
  if (work.family === 'text' || work.family === 'unknown') await inspectEncodedFiles(input, env, work);
  // The MIME walk opens message/rfc822 parts itself; any other item that is a message (by its bytes, or an
  // .eml name on bytes with no other type) is opened here the same way: a mail client opens it.
  const declaredMessage = !isMember && MESSAGE_DECLARED.test(input.declaredType);
  const isMessage = (work.contentFamily === 'message' && work.ext === 'eml') || (EML_NAME.test(input.name ?? '') && (work.family === 'text' || work.family === 'unknown'));
  if (isMessage && !declaredMessage) await openHiddenMessage(input, env, work);
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
      ...(sniffed.script ? { activeContent: sniffed.script } : {}),
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

