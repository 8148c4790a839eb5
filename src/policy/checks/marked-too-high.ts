/**
 * GPMS practice: none of the listed secure networks (GSi, CJSM, PNN, NHSmail) is accredited above
 * RESTRICTED. WMP Inf/27 2.8.4, by analogy: "Information at CONFIDENTIAL level or higher ...
 * should only be transmitted over a secure telephone network."
 *
 * Mail marked rules.marked-too-high.minLevel (CONFIDENTIAL) or above to any recipient outside
 * the internal domains, encrypted or not.
 */
import { rankOfLevel } from '../../config/marking-levels.js';
import type { Check } from '../check.js';
import { markingEvidence, markingPlace } from '../describe.js';
import { finding } from '../finding.js';
import { nameRecipients, outsideInternal } from '../recipient-scope.js';

export const markedTooHigh: Check = {
  id: 'marked-too-high',
  policyRef: 'GPMS practice; WMP Inf/27 2.8.4 by analogy',
  run(ctx) {
    const marking = ctx.facts.marking;
    if (!marking) return [];
    const { minLevel } = ctx.policy.rules['marked-too-high'];
    if (marking.rank < rankOfLevel(ctx.policy.markings.levels, minLevel)) return [];
    const outside = outsideInternal(ctx.facts);
    if (outside.length === 0) return [];
    return [
      finding(
        markedTooHigh,
        `Email marked ${marking.level} (${markingPlace(marking)}) is addressed to ${nameRecipients(outside)}, outside the force network: no outside network is accredited for ${minLevel} or above, encrypted or not`,
        [markingEvidence(marking), ...outside.map((r) => `recipient: ${r.address} (${r.class})`)],
      ),
    ];
  },
};
