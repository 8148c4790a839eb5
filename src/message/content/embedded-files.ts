/**
 * Files an item carries without being a container: files in data: URIs of markup, uuencoded and yEnc files
 * in text, and a whole email message in an attachment that does not say it is one. Each is inspected like an
 * archive member (the same limits, the same analysis), so a program is found wherever it sits.
 */
import type { ContentInput } from './analysis-work.js';
import { messageOf, type Env, type Work } from './analysis-work.js';
import { ArchiveLimitError } from './archive-limits.js';
import type { MarkupScan } from './html-active.js';
import { memberSink } from './member-sink.js';
import { findEncodedFiles, mayHoldEncodedFile } from './text-encoded-files.js';
import { prefixOf, SCRIPT_SCAN_BYTES } from './true-type.js';

function nestable(input: ContentInput, env: Env, work: Work): boolean {
  if (input.depth + 1 <= env.budget.maxDepth) return true;
  work.reasons.push(`nested too deep: containers more than ${env.budget.maxDepth} levels down are not opened`);
  return false;
}

/** Files in data: URIs of HTML or SVG: members named 'data URI 1 (type)'. */
export async function inspectMarkupFiles(markup: MarkupScan, input: ContentInput, env: Env, work: Work): Promise<void> {
  work.reasons.push(...markup.reasons);
  if (markup.dataFiles.length === 0 || !nestable(input, env, work)) return;
  const sink = memberSink(input, env, work);
  for (const [i, file] of markup.dataFiles.entries()) {
    const type = file.mediaType ? ` (${file.mediaType.slice(0, 60).replace(/[/\\]/g, '-')})` : '';
    if ((await sink({ path: `data URI ${i + 1}${type}`, source: [file.bytes] })) === 'stop') return;
  }
}

/** uuencoded and yEnc files in text: members under the name the block gives. */
export async function inspectEncodedFiles(input: ContentInput, env: Env, work: Work): Promise<void> {
  const blob = input.blob;
  // Cheap gate on bytes at hand; a spilled file is only read when its first bytes hint at a block.
  if (!mayHoldEncodedFile(blob.buffer ?? blob.head)) return;
  const sample = await prefixOf(blob, SCRIPT_SCAN_BYTES);
  const found = findEncodedFiles(sample.toString('latin1'));
  work.reasons.push(...found.reasons);
  if (found.files.length && blob.size > sample.length) work.reasons.push(`text over ${SCRIPT_SCAN_BYTES} bytes not fully scanned for uuencoded or yEnc files`);
  if (found.files.length === 0 || !nestable(input, env, work)) return;
  const sink = memberSink(input, env, work);
  for (const file of found.files) {
    if ((await sink({ path: file.name, source: [file.bytes] })) === 'stop') return;
  }
}

/** A message in an attachment or member that is not declared message/rfc822: walked as one. */
export async function openHiddenMessage(input: ContentInput, env: Env, work: Work): Promise<void> {
  Object.assign(work, { mime: 'message/rfc822', ext: 'eml', family: 'message', contentFamily: 'message', basis: 'container' });
  const open = env.ctx.openMessage;
  if (!open) {
    work.reasons.push('attached message not declared as message/rfc822 is not inspected');
    return;
  }
  if (!nestable(input, env, work)) return;
  try {
    env.budget.addMember();
    const opened = await open(input);
    work.attachedMessage = { subject: opened.subject, from: opened.from };
    work.members.push(...opened.members);
    work.markings.push(...opened.markings);
    if (opened.unscannable) work.reasons.push(opened.unscannable);
  } catch (err) {
    if (env.ctx.options.signal?.aborted) throw err;
    work.reasons.push(err instanceof ArchiveLimitError ? err.reason : `cannot read attached message: ${messageOf(err)}`);
  }
}
