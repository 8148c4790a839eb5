/** Which recipients leave the organisation, and how to name them in a reason. */
import type { MessageFacts, RecipientFact } from './facts.js';
import { listForReason } from './describe.js';

/** Anyone not on an internal domain (secure networks included). */
export function outsideInternal(facts: MessageFacts): RecipientFact[] {
  return facts.recipients.filter((r) => r.class !== 'internal');
}

/** Anyone on neither an internal domain nor an accredited secure network: the Internet. */
export function outsideInternalAndSecure(facts: MessageFacts): RecipientFact[] {
  return facts.recipients.filter((r) => r.class !== 'internal' && r.class !== 'secure');
}

export function nameRecipients(rs: readonly RecipientFact[]): string {
  return listForReason(rs.map((r) => r.address));
}
