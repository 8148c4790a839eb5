/**
 * WMP Inf/27 2.10.1: Internet access and e-mail will not be used for "Transmitting unencrypted
 * information protectively marked RESTRICTED or above over the Internet."
 *
 * Mail marked rules.marked-unencrypted.minLevel (RESTRICTED / OFFICIAL-SENSITIVE) or above, not
 * encrypted, to any recipient outside the internal and accredited secure domains. It fires for
 * CONFIDENTIAL and above too, beside marked-too-high: each states a separate breach, and an
 * exception or monitor setting on one rule must never open the other.
 */
import { rankOfLevel } from '../../config/marking-levels.js';
import type { Check } from '../check.js';
import { markingEvidence, markingPlace } from '../describe.js';
import { finding } from '../finding.js';
import { nameRecipients, outsideInternalAndSecure } from '../recipient-scope.js';

export const markedUnencrypted: Check = {
  id: 'marked-unencrypted',
  policyRef: 'WMP Inf/27 2.10.1',
  run(ctx) {
    const marking = ctx.facts.marking;
    if (!marking || ctx.facts.encrypted) return [];
    const { minLevel } = ctx.policy.rules['marked-unencrypted'];
    if (marking.rank < rankOfLevel(ctx.policy.markings.levels, minLevel)) return [];
    const outside = outsideInternalAndSecure(ctx.facts);
    if (outside.length === 0) return [];
    return [
      finding(
        markedUnencrypted,
        `Email marked ${marking.level} (${markingPlace(marking)}) is going unencrypted to ${nameRecipients(outside)}, outside the force and the secure government networks: information marked ${minLevel} or above may not cross the Internet unencrypted`,
        [markingEvidence(marking), ...outside.map((r) => `recipient: ${r.address} (${r.class})`)],
      ),
    ];
  },
};
