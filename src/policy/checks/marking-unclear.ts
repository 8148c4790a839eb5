/**
 * WMP Inf/27 2.10.1 ("Transmitting unencrypted information protectively marked RESTRICTED or
 * above over the Internet"), GPMS practice and MPS Personal Use SOP 4.3, when it is not clear
 * that the mail is marked at all.
 *
 * Fires when the only sign of a marking is doubtful (facts.unclearMarking: a marking only in
 * quoted history or a disclaimer, a bare CONFIDENTIAL line that commercial mail also writes) and,
 * read as a marking, it would make marked-unencrypted, marked-too-high, personal-marked or
 * personal-marked-low fire. Those rules never act on a doubtful hit; this one holds the mail
 * (default action quarantine) for a reviewer to decide. One finding, naming the first rule that
 * would have fired and its clause. A doubt is never stricter than certainty: a rule configured
 * monitor, or one the sender is excepted from, does not count here.
 */
import type { Check } from '../check.js';
import { markingEvidence, markingPlace } from '../describe.js';
import { isExempt } from '../exemptions.js';
import { finding } from '../finding.js';
import type { Finding } from '../verdict.js';
import { markedTooHigh } from './marked-too-high.js';
import { markedUnencrypted } from './marked-unencrypted.js';
import { personalMarked } from './personal-marked.js';
import { personalMarkedLow } from './personal-marked-low.js';

/** The rules a doubtful marking is tried against, most severe breach first. */
const MARKING_RULES: readonly Check[] = [markedTooHigh, markedUnencrypted, personalMarked, personalMarkedLow];

export const markingUnclear: Check = {
  id: 'marking-unclear',
  policyRef: 'WMP Inf/27 2.10.1; GPMS practice; MPS Personal Use SOP 4.3',
  run(ctx) {
    const unclear = ctx.facts.unclearMarking;
    if (!unclear?.doubt) return [];
    const asMarked = { ...ctx, facts: { ...ctx.facts, marking: unclear, unclearMarking: null } };
    const would: Finding[] = [];
    for (const rule of MARKING_RULES) {
      const config = ctx.policy.rules[rule.id];
      if (config.action === 'monitor' || isExempt(config.exempt, ctx.envelope)) continue;
      would.push(...rule.run(asMarked));
    }
    const first = would[0];
    if (!first) return [];
    const clause = ` (${first.policyRef})`;
    const breach = first.reason.endsWith(clause) ? first.reason.slice(0, -clause.length) : first.reason;
    const text = unclear.text.length > 60 ? `${unclear.text.slice(0, 59)}…` : unclear.text;
    return [
      finding(
        { id: markingUnclear.id, policyRef: first.policyRef },
        `Possibly marked ${unclear.level}: '${text}' ${markingPlace(unclear)} is ${unclear.doubt}, so it may not be this email's own marking. If it is: ${breach}. Held for a reviewer to decide`,
        [markingEvidence(unclear), `doubt: ${unclear.doubt}`, ...would.map((f) => `would break: ${f.rule}`), ...first.evidence.slice(1)],
      ),
    ];
  },
};
