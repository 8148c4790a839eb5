/**
 * MPS Personal Use SOP 3.4: "Any personal email ... must be brief, normally consisting of only a
 * few lines of text."
 *
 * Counts the sender's own text: non-blank lines and their characters, without quoted history and
 * the configured disclaimer (see own-text.ts for exactly what is left out). An encrypted body
 * cannot be read; personal-encrypted deals with that.
 */
import type { Check } from '../check.js';
import { finding } from '../finding.js';
import { measureOwnText } from '../own-text.js';

export const personalBrevity: Check = {
  id: 'personal-brevity',
  policyRef: 'MPS Personal Use SOP 3.4',
  run(ctx) {
    if (!ctx.facts.personal || ctx.facts.encrypted) return [];
    const { maxLines, maxChars, disclaimer } = ctx.policy.rules['personal-brevity'];
    const own = measureOwnText(ctx.message.bodyText, disclaimer);
    if (own.lines <= maxLines && own.chars <= maxChars) return [];
    const n = (x: number) => x.toLocaleString('en-GB');
    return [
      finding(
        personalBrevity,
        `Personal email has ${n(own.lines)} lines and ${n(own.chars)} characters of its own text (quoted history and the disclaimer not counted): personal email must be brief, at most ${n(maxLines)} lines and ${n(maxChars)} characters`,
        [`lines: ${own.lines} (limit ${maxLines})`, `characters: ${own.chars} (limit ${maxChars})`],
      ),
    ];
  },
};
