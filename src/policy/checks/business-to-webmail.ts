/**
 * WMP Inf/27 2.5.1: "It is not acceptable to send emails to personal email accounts or home
 * computers that relates to West Midlands Police or criminal investigations."
 *
 * Mail without the [Personal] tag to a webmail address that is not a known staff home address.
 * Members of the public use webmail too (victims, witnesses), so by default this is recorded
 * for review, not acted on.
 */
import type { Check } from '../check.js';
import { finding } from '../finding.js';
import { nameRecipients } from '../recipient-scope.js';

export const businessToWebmail: Check = {
  id: 'business-to-webmail',
  policyRef: 'WMP Inf/27 2.5.1',
  run(ctx) {
    if (ctx.facts.personal) return [];
    const webmail = ctx.facts.recipients.filter((r) => r.class === 'webmail' && !r.homeAddress);
    if (webmail.length === 0) return [];
    return [
      finding(
        businessToWebmail,
        `Business email (no [Personal] tag in the subject) is addressed to ${nameRecipients(webmail)} at a personal webmail provider: business email may not go to personal accounts, though members of the public use webmail too`,
        webmail.map((r) => `webmail recipient: ${r.address}`),
      ),
    ];
  },
};
