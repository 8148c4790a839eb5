/**
 * Technical: a message whose structure could not be parsed reliably, or that hit a parse limit
 * (too many parts, nesting too deep, a header too large, time), cannot be judged with confidence.
 * A person looks; it is a policy outcome, not a temporary failure, so a poison message is not
 * retried for days.
 */
import type { Check } from '../check.js';
import { finding } from '../finding.js';
import { listForReason } from '../describe.js';

export const malformed: Check = {
  id: 'malformed',
  policyRef: 'technical',
  run(ctx) {
    const problems = ctx.message.anomalies.filter((a) => a.kind === 'parse-limit' || a.kind === 'malformed');
    if (problems.length === 0) return [];
    return [
      finding(
        malformed,
        `The message structure could not be read reliably: ${listForReason(problems.map((p) => p.detail.slice(0, 120)))}`,
        problems.map((p) => `${p.kind}: ${p.detail}`),
      ),
    ];
  },
};
