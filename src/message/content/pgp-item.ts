/**
 * PGP armour found by content analysis (an .asc inside a zip, a .msg or TNEF attachment): the
 * same proof as for a MIME part (openpgp.ts). Encrypted data cannot be inspected; a literal or
 * compressed packet is readable by anyone, so it is opened as a member of the armour file.
 */
import { readFile } from 'node:fs/promises';
import { isMessageLabel, MAX_PGP_ARMOUR_BYTES, pgpLimitsOf, readArmourText } from '../openpgp.js';
import type { ContentInput } from './analysis-work.js';
import type { Env, Work } from './analysis-work.js';
import { memberSink } from './member-sink.js';

export async function openPgpItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  const blob = input.blob;
  if (!blob.buffer && (!blob.path || blob.size > MAX_PGP_ARMOUR_BYTES)) {
    work.reasons.push(`PGP data larger than ${MAX_PGP_ARMOUR_BYTES} bytes is not inspected`);
    return;
  }
  // Members arrive in memory or in a temp file already counted against the archive limits.
  const bytes = blob.buffer ?? (await readFile(blob.path as string));
  const read = readArmourText(bytes.toString('latin1'), isMessageLabel, pgpLimitsOf(env.ctx.options.inspection.archive));
  if (read.clean && read.encrypted === 1) {
    work.reasons.push('encrypted (PGP)');
    return;
  }
  work.reasons.push(...read.problems);
  if (read.readable.length && input.depth + 1 > env.budget.maxDepth) {
    work.reasons.push(`nested too deep: containers more than ${env.budget.maxDepth} levels down are not opened`);
    return;
  }
  const sink = memberSink(input, env, work);
  for (const item of read.readable) {
    if ((await sink({ path: item.fileName ?? `PGP ${item.how}`, source: [item.data] })) === 'stop') break;
  }
}
