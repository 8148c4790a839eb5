/**
 * Content analysis of one part or archive member: true type, name tricks, archive and container members,
 * Office labels. Never throws on bad input: what cannot be inspected comes back as `unscannable` with the
 * reason. Only the abort signal (the inspection's time limit) makes it reject.
 */
import { messageOf, type ContentContext, type ContentInput, type ContentReport, type Env, type Work } from './analysis-work.js';
import { ArchiveBudget } from './archive-limits.js';
import { openAppendedZip, openCfbItem, openGzipItem, openTarItem, openTnefItem, openZipItem } from './containers.js';
import { isExecutableName } from './executable-names.js';
import { extensionOf } from './file-name.js';
import { nameTricks } from './name-tricks.js';
import { openPdfItem } from './pdf-item.js';
import { openPgpItem } from './pgp-item.js';
import { sniffContent } from './true-type.js';

export type { ContentContext, ContentInput, ContentReport } from './analysis-work.js';

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
    case 'pdf':
      await openPdfItem(input, env, work);
      break;
    case null:
      break;
  }
  // PGP armour is proven, not believed (pgp-item.ts).
  if (sniffed.family === 'encrypted' && (sniffed.ext === 'asc' || sniffed.ext === 'pgp')) await openPgpItem(input, env, work);
  if (sniffed.appendedZip) await openAppendedZip(input, env, work);
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

