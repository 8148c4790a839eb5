/**
 * MPS Personal Use SOP 4.3: forbidden, for personal purposes, to "transmit any MPS Information
 * (including 'personal data' ...) other than for official MPS purposes".
 *
 * Personal mail that carries a protective marking of rules.personal-marked.minLevel or above
 * anywhere (subject, body banner, headers, documents): marked material is MPS information.
 */
import { rankOfLevel } from '../../config/marking-levels.js';
import type { Check } from '../check.js';
import { markingEvidence, markingPlace } from '../describe.js';
import { finding } from '../finding.js';

export const personalMarked: Check = {
  id: 'personal-marked',
  policyRef: 'MPS Personal Use SOP 4.3',
  run(ctx) {
    const marking = ctx.facts.marking;
    if (!ctx.facts.personal || !marking) return [];
    const { minLevel } = ctx.policy.rules['personal-marked'];
    if (marking.rank < rankOfLevel(ctx.policy.markings.levels, minLevel)) return [];
    return [
      finding(
        personalMarked,
        `Personal email is marked ${marking.level} (${markingPlace(marking)}): protectively marked MPS information may not be sent for personal purposes`,
        [markingEvidence(marking)],
      ),
    ];
  },
};
