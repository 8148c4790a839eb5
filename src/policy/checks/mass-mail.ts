/**
 * WMP Inf/27 2.10.1: e-mail will not be used for "The sending of whole force email unless
 * approved by an authorised person".
 *
 * Mail to more than rules.mass-mail.maxRecipients recipients (envelope and To/Cc together, each
 * address once). Authorised mass mailers go in rules.mass-mail.exempt.
 */
import type { Check } from '../check.js';
import { finding } from '../finding.js';

export const massMail: Check = {
  id: 'mass-mail',
  policyRef: 'WMP Inf/27 2.10.1',
  run(ctx) {
    const { maxRecipients } = ctx.policy.rules['mass-mail'];
    const count = ctx.facts.recipients.length;
    if (count <= maxRecipients) return [];
    return [
      finding(
        massMail,
        `Email is addressed to ${count} recipients, more than ${maxRecipients}: mail to this many people needs approval by an authorised person`,
        [`recipients: ${count} (limit ${maxRecipients})`],
      ),
    ];
  },
};
