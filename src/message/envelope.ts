/**
 * The SMTP envelope of one transaction, as the fronts received it.
 * A read-only value: policy code never sees live connection objects.
 */
export interface Envelope {
  /** MAIL FROM address, lower-cased domain; '' for the null sender `<>`. */
  readonly mailFrom: string;
  /** RCPT TO addresses in the order given. */
  readonly rcptTo: readonly string[];
  /** IP address of the connecting client, when known. */
  readonly clientAddress?: string;
  /** The name the client gave in HELO/EHLO. */
  readonly helo?: string;
  /** The SMTP AUTH user, when the client authenticated. */
  readonly authUser?: string;
  /** The queue id of the MTA that showed us the message (the milter front: Postfix's `i` macro). */
  readonly mtaQueueId?: string;
}

export function makeEnvelope(e: Envelope): Envelope {
  return Object.freeze({ ...e, rcptTo: Object.freeze([...e.rcptTo]) });
}
