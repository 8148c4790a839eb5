/**
 * Headers that show a message was forwarded automatically rather than sent by a person
 * (WMP Inf/27 2.5.1 forbids business mail to personal accounts; an auto-forward rule does
 * exactly that for every message). Auto-replies (out-of-office: Auto-Submitted: auto-replied)
 * are not forwarding.
 */
import type { HeaderList } from '../message/model.js';

/** The signals found, each as 'Header: value' evidence; empty when the message was not auto-forwarded. */
export function autoForwardSignals(headers: HeaderList): string[] {
  const found: string[] = [];
  const show = (name: string, value: string) => `${name}: ${value.trim().slice(0, 80)}`;

  for (const v of headers.getAll('x-ms-exchange-organization-autoforwarded')) {
    if (v.trim().toLowerCase() === 'true') found.push(show('X-MS-Exchange-Organization-AutoForwarded', v));
  }
  for (const v of headers.getAll('x-ms-exchange-inbox-rules-loop')) found.push(show('X-MS-Exchange-Inbox-Rules-Loop', v));
  for (const v of headers.getAll('x-ms-exchange-generated-message-source')) {
    if (/mailbox rules agent/i.test(v)) found.push(show('X-MS-Exchange-Generated-Message-Source', v));
  }
  const autoSubmitted = headers.getAll('auto-submitted').map((v) => (v.split(';')[0] ?? '').trim().toLowerCase());
  if (autoSubmitted.includes('auto-forwarded')) found.push('Auto-Submitted: auto-forwarded');
  for (const v of headers.getAll('x-forwarded-to')) found.push(show('X-Forwarded-To', v));
  for (const v of headers.getAll('x-forwarded-for')) found.push(show('X-Forwarded-For', v));

  // Resent-* alone is a person re-sending by hand; with an Auto-Submitted other than 'no' a program did it.
  const resent = headers.fields.find((f) => f.name.startsWith('resent-'));
  const automatic = autoSubmitted.find((v) => v !== '' && v !== 'no');
  if (resent && automatic) found.push(`${resent.name}: with Auto-Submitted: ${automatic}`);
  return found;
}
