/**
 * MPS Personal Use SOP 4.3: forbidden, for personal purposes, to "transmit any MPS Information
 * ... other than for official MPS purposes".
 *
 * Personal mail marked at rules.personal-marked-low.minLevel (PROTECT) or above but below
 * rules.personal-marked.minLevel: the lowest protective level, held for a person to judge
 * rather than refused.
 */
import { rankOfLevel } from '../../config/marking-levels.js';
import type { Check } from '../check.js';
import { markingEvidence, markingPlace } from '../describe.js';
import { finding } from '../finding.js';

export const personalMarkedLow: Check = {
  id: 'personal-marked-low',
  policyRef: 'MPS Personal Use SOP 4.3',
  run(ctx) {
    const marking = ctx.facts.marking;
    if (!ctx.facts.personal || !marking) return [];
    const levels = ctx.policy.markings.levels;
    const low = rankOfLevel(levels, ctx.policy.rules['personal-marked-low'].minLevel);
    const high = rankOfLevel(levels, ctx.policy.rules['personal-marked'].minLevel);
    if (marking.rank < low || marking.rank >= high) return [];
    return [
      finding(
        personalMarkedLow,
        `Personal email is marked ${marking.level} (${markingPlace(marking)}): protectively marked MPS information may not be sent for personal purposes`,
        [markingEvidence(marking)],
      ),
    ];
  },
};
