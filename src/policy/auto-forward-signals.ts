/**
 * Headers that show a message was forwarded automatically rather than sent by a person
 * (WMP Inf/27 2.5.1: "Under NO circumstances should you auto forward e mail to your home email
 * address"). Two strengths:
 *
 * - forwarding signals: stamped only by a forwarding mechanism (Exchange mailbox forwarding and
 *   inbox rules, Auto-Submitted: auto-forwarded, X-Forwarded-To/-For). They count for any
 *   recipient outside the force and the secure networks.
 * - redelivery signals: the message was already delivered to one of our mailboxes and is leaving
 *   again (Delivered-To / X-Original-To naming an internal address, as Postfix and Exchange leave
 *   them on delivery; Resent-* from a redirect rule). A person's new mail or reply never carries
 *   them, but a hand re-send or an external list can, so they count only towards webmail and
 *   staff home addresses, where forwarding is what the policy forbids outright.
 *
 * Auto-replies (out-of-office: Auto-Submitted: auto-replied) are not forwarding: on them only a
 * forwarding signal that a reply never carries counts. Headers can be forged, but forging one can
 * only make a message look forwarded, never hide a forward.
 */
import type { HeaderList } from '../message/model.js';

const show = (name: string, value: string): string => `${name}: ${value.trim().slice(0, 80)}`;

/** Exchange's generating agents that mean a rule forwarded or redirected the message. */
const FORWARDING_AGENTS = /mailbox rules agent|forward/i;

function autoSubmittedValues(headers: HeaderList): string[] {
  return headers.getAll('auto-submitted').map((v) => (v.split(';')[0] ?? '').trim().toLowerCase());
}

/** True for an automatic reply (out-of-office, vacation). */
export function isAutoReply(headers: HeaderList): boolean {
  return autoSubmittedValues(headers).includes('auto-replied');
}

/** The forwarding signals found, each as 'Header: value' evidence; empty when none. */
export function autoForwardSignals(headers: HeaderList): string[] {
  const found: string[] = [];
  const reply = isAutoReply(headers);

  for (const v of headers.getAll('x-ms-exchange-organization-autoforwarded')) {
    if (v.trim().toLowerCase() === 'true') found.push(show('X-MS-Exchange-Organization-AutoForwarded', v));
  }
  // Mailbox forwarding (ForwardingSmtpAddress) stamps the loop header with the forwarding mailbox.
  for (const v of headers.getAll('x-ms-exchange-forwardingloop')) found.push(show('X-MS-Exchange-ForwardingLoop', v));
  const autoSubmitted = autoSubmittedValues(headers);
  if (autoSubmitted.includes('auto-forwarded')) found.push('Auto-Submitted: auto-forwarded');
  for (const v of headers.getAll('x-forwarded-to')) found.push(show('X-Forwarded-To', v));
  for (const v of headers.getAll('x-forwarded-for')) found.push(show('X-Forwarded-For', v));
  // An inbox rule that answers with a template leaves these on a reply too: they mean forwarding only on a non-reply.
  if (!reply) {
    for (const v of headers.getAll('x-ms-exchange-inbox-rules-loop')) found.push(show('X-MS-Exchange-Inbox-Rules-Loop', v));
    for (const v of headers.getAll('x-ms-exchange-generated-message-source')) {
      if (FORWARDING_AGENTS.test(v)) found.push(show('X-MS-Exchange-Generated-Message-Source', v));
    }
  }

  // Resent-* with an Auto-Submitted other than 'no': a program re-sent it.
  const resent = headers.fields.find((f) => f.name.startsWith('resent-'));
  const automatic = autoSubmitted.find((v) => v !== '' && v !== 'no' && v !== 'auto-replied');
  if (resent && automatic) found.push(`${resent.name}: with Auto-Submitted: ${automatic}`);
  return found;
}

/**
 * The redelivery signals found: `isInternal` says whether an address is one of our mailboxes.
 * A Delivered-To naming an outside address says nothing about our mailboxes and is ignored.
 */
export function redeliverySignals(headers: HeaderList, isInternal: (address: string) => boolean): string[] {
  if (isAutoReply(headers)) return [];
  const found: string[] = [];
  for (const [field, name] of [['delivered-to', 'Delivered-To'], ['x-original-to', 'X-Original-To']] as const) {
    for (const v of headers.getAll(field)) {
      const address = v.trim().replace(/^<(.*)>$/, '$1').trim();
      if (isInternal(address)) found.push(show(name, address));
    }
  }
  // A redirect rule (Outlook "redirect to", Sieve redirect with Resent-*) keeps the original From and adds Resent-*.
  const resent = headers.fields.find((f) => f.name === 'resent-from' || f.name === 'resent-sender' || f.name === 'resent-to');
  if (resent) found.push(show(resent.name.replace(/^resent-(\w)/, (_m, c: string) => `Resent-${c.toUpperCase()}`), resent.value));
  return found;
}
