/**
 * MPS Personal Use SOP 4.3: forbidden to "author, store, solicit or circulate chain letters or
 * chain e-mails"; WMP Inf/27 2.10.1: e-mail will not be used for "Circulating chain mails".
 *
 * Personal mail to more than rules.personal-recipients.maxRecipients recipients (envelope and
 * To/Cc together, each address once).
 */
import type { Check } from '../check.js';
import { finding } from '../finding.js';

export const personalRecipients: Check = {
  id: 'personal-recipients',
  policyRef: 'MPS Personal Use SOP 4.3; WMP Inf/27 2.10.1',
  run(ctx) {
    const { maxRecipients } = ctx.policy.rules['personal-recipients'];
    const count = ctx.facts.recipients.length;
    if (!ctx.facts.personal || count <= maxRecipients) return [];
    return [
      finding(
        personalRecipients,
        `Personal email is addressed to ${count} recipients, more than ${maxRecipients}: personal email may not be used for chain letters or circulars`,
        [`recipients: ${count} (limit ${maxRecipients})`, ...ctx.facts.recipients.map((r) => r.address)],
      ),
    ];
  },
};
