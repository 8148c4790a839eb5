/**
 * WMP Inf/27 2.5.1: "It is not acceptable to send emails to personal email accounts or home
 * computers that relates to West Midlands Police or criminal investigations." An automatic
 * forwarding rule sends every message there, unseen.
 *
 * Mail forwarded automatically (see auto-forward-signals.ts for the headers) to any recipient
 * outside the internal and accredited secure domains. An envelope recipient named in no address
 * header is recorded as supporting evidence only: every Bcc looks like that.
 */
import type { Check } from '../check.js';
import { autoForwardSignals } from '../auto-forward-signals.js';
import { finding } from '../finding.js';
import { nameRecipients, outsideInternalAndSecure } from '../recipient-scope.js';

export const autoForwardOutside: Check = {
  id: 'auto-forward-outside',
  policyRef: 'WMP Inf/27 2.5.1',
  run(ctx) {
    const signals = autoForwardSignals(ctx.message.headers);
    if (signals.length === 0) return [];
    const outside = outsideInternalAndSecure(ctx.facts);
    if (outside.length === 0) return [];
    const envelopeOnly = outside.filter((r) => r.seenIn === 'envelope').map((r) => `envelope only (in no To/Cc header): ${r.address}`);
    return [
      finding(
        autoForwardOutside,
        `Email was forwarded automatically (${signals[0] ?? ''}) to ${nameRecipients(outside)}, outside the force and the secure government networks: mail may not be forwarded automatically to personal or outside accounts`,
        [...signals, ...outside.map((r) => `recipient: ${r.address}`), ...envelopeOnly],
      ),
    ];
  },
};
