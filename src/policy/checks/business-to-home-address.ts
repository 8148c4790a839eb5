/**
 * WMP Inf/27 2.5.1: "It is not acceptable to send emails to personal email accounts or home
 * computers that relates to West Midlands Police or criminal investigations."
 *
 * Mail without the [Personal] tag (business mail, MPS Personal Use SOP 3.7) to a staff home
 * address: one registered in staff.homeAddressesFile, or a webmail address that carries the
 * sender's name (see home-heuristic.ts).
 */
import type { Check } from '../check.js';
import { listForReason } from '../describe.js';
import { finding } from '../finding.js';
import { localPartOf } from '../domains.js';
import { carriesSenderName, senderNames } from '../home-heuristic.js';

export const businessToHomeAddress: Check = {
  id: 'business-to-home-address',
  policyRef: 'WMP Inf/27 2.5.1',
  run(ctx) {
    if (ctx.facts.personal) return [];
    const homes = ctx.facts.recipients.filter((r) => r.homeAddress);
    if (homes.length === 0) return [];
    // Say why each counts as home: the same test computeFacts used, so the two agree.
    const names = ctx.policy.staff.guessHomeAddresses ? senderNames(ctx.envelope, ctx.message.from) : [];
    const why = (address: string) =>
      ctx.policy.staff.guessHomeAddresses && carriesSenderName(localPartOf(address), names)
        ? "a webmail address carrying the sender's name"
        : 'a registered staff home address';
    return [
      finding(
        businessToHomeAddress,
        `Business email (no [Personal] tag in the subject) is addressed to ${listForReason(homes.map((r) => `${r.address} (${why(r.address)})`))}: business email may not be sent to personal accounts or home computers`,
        homes.map((r) => `home address: ${r.address} (${why(r.address)})`),
      ),
    ];
  },
};
