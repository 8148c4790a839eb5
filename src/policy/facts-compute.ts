/**
 * The facts every check reads, derived once per message so that checks agree: whether the mail
 * is personal (SOP 3.7), who it goes to and how each recipient relates to the organisation,
 * the highest protective marking, and whether the message itself is encrypted.
 */
import { homeRegistryOf, type HomeRegistry } from '../config/home-addresses.js';
import type { Policy } from '../config/policy-schema.js';
import type { Envelope } from '../message/envelope.js';
import type { InspectedMessage, MarkingHit } from '../message/model.js';
import { classifyDomain, domainOf, localPartOf, normaliseAddress } from './domains.js';
import type { MessageFacts, RecipientFact } from './facts.js';
import { carriesSenderName, senderNames } from './home-heuristic.js';
import { hasPersonalTag } from './personal-tag.js';

/**
 * `registry` defaults to the registered home addresses loaded with the policy.
 * Recipients are the union of the envelope (a relay in front may split one send into several
 * transactions, so each transaction's envelope is partial) and the To/Cc headers; Bcc headers
 * are not read (submission normally removes them, and every Bcc is in the envelope anyway).
 */
export function computeFacts(
  message: InspectedMessage,
  envelope: Envelope,
  policy: Policy,
  homeRegistry: HomeRegistry = homeRegistryOf(policy),
): MessageFacts {
  const seen = new Map<string, { inEnvelope: boolean; inHeaders: boolean }>();
  const note = (raw: string, where: 'envelope' | 'headers') => {
    const address = normaliseAddress(raw);
    if (!address) return;
    const entry = seen.get(address) ?? { inEnvelope: false, inHeaders: false };
    if (where === 'envelope') entry.inEnvelope = true;
    else entry.inHeaders = true;
    seen.set(address, entry);
  };
  for (const r of envelope.rcptTo) note(r, 'envelope');
  for (const a of [...message.to, ...message.cc]) note(a.address, 'headers');

  const names = policy.staff.guessHomeAddresses ? senderNames(envelope, message.from) : [];
  const recipients: RecipientFact[] = [];
  for (const [address, where] of seen) {
    const domain = domainOf(address);
    const cls = classifyDomain(domain, policy);
    const registered = homeRegistry.ownersOf(address).length > 0;
    const guessed = cls === 'webmail' && carriesSenderName(localPartOf(address), names);
    recipients.push(
      Object.freeze({
        address,
        domain,
        class: cls,
        homeAddress: registered || guessed,
        seenIn: where.inEnvelope && where.inHeaders ? 'both' : where.inEnvelope ? 'envelope' : 'headers',
      }),
    );
  }

  const marking = highestMarking(message.markings.filter((h) => h.doubt === undefined));
  const unclear = highestMarking(message.markings.filter((h) => h.doubt !== undefined));
  return Object.freeze({
    personal: hasPersonalTag(message.subject, policy.markings.levels),
    recipients: Object.freeze(recipients),
    marking,
    unclearMarking: unclear && (!marking || unclear.rank > marking.rank) ? unclear : null,
    encrypted: message.encryption !== null,
    sender: normaliseAddress(envelope.mailFrom),
  });
}

/** The highest-ranked hit; on a tie the first found (the subject comes first). */
export function highestMarking(hits: readonly MarkingHit[]): MarkingHit | null {
  let best: MarkingHit | null = null;
  for (const h of hits) if (!best || h.rank > best.rank) best = h;
  return best;
}
