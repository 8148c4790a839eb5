/**
 * WMP Inf/27 2.5.1: "It is not acceptable to send emails to personal email accounts or home
 * computers that relates to West Midlands Police or criminal investigations", and "Under NO
 * circumstances should you auto forward e mail to your home email address". An automatic
 * forwarding rule sends every message there, unseen.
 *
 * Mail forwarded automatically (see auto-forward-signals.ts for the headers) to any recipient
 * outside the internal and accredited secure domains; mail that was already delivered to one of
 * our mailboxes (Delivered-To / X-Original-To naming it, Resent-* of a redirect) and now leaves
 * for a webmail or staff home address. An envelope recipient named in no address header is
 * recorded as supporting evidence only: every Bcc looks like that.
 */
import type { Check } from '../check.js';
import { autoForwardSignals, redeliverySignals } from '../auto-forward-signals.js';
import { classifyDomain, domainOf } from '../domains.js';
import { finding } from '../finding.js';
import { nameRecipients, outsideInternalAndSecure } from '../recipient-scope.js';

export const autoForwardOutside: Check = {
  id: 'auto-forward-outside',
  policyRef: 'WMP Inf/27 2.5.1',
  run(ctx) {
    const forwarded = autoForwardSignals(ctx.message.headers);
    const outsideAll = outsideInternalAndSecure(ctx.facts);
    const envelopeOnly = (rs: typeof outsideAll) => rs.filter((r) => r.seenIn === 'envelope').map((r) => `envelope only (in no To/Cc header): ${r.address}`);
    if (forwarded.length && outsideAll.length) {
      return [
        finding(
          autoForwardOutside,
          `Email was forwarded automatically (${forwarded[0] ?? ''}) to ${nameRecipients(outsideAll)}, outside the force and the secure government networks: mail may not be forwarded automatically to personal or outside accounts`,
          [...forwarded, ...outsideAll.map((r) => `recipient: ${r.address}`), ...envelopeOnly(outsideAll)],
        ),
      ];
    }
    const personal = outsideAll.filter((r) => r.class === 'webmail' || r.homeAddress);
    if (personal.length === 0) return [];
    const redelivered = redeliverySignals(ctx.message.headers, (address) => classifyDomain(domainOf(address), ctx.policy) === 'internal');
    if (redelivered.length === 0) return [];
    return [
      finding(
        autoForwardOutside,
        `Email already delivered to a force mailbox (${redelivered[0] ?? ''}) is being sent on to ${nameRecipients(personal)}, a personal webmail or home address: mail may not be forwarded automatically to personal accounts`,
        [...redelivered, ...personal.map((r) => `recipient: ${r.address}`), ...envelopeOnly(personal)],
      ),
    ];
  },
};
