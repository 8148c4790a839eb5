import type { MarkingHit } from '../message/model.js';

/** How a recipient domain relates to the organisation. */
export type RecipientClass = 'internal' | 'secure' | 'webmail' | 'external';

export interface RecipientFact {
  /** Lower-cased address. */
  readonly address: string;
  readonly domain: string;
  readonly class: RecipientClass;
  /** A staff home address: registered, or a webmail address carrying the sender's name. */
  readonly homeAddress: boolean;
  /** Where it came from: the envelope, the To/Cc headers, or both. */
  readonly seenIn: 'envelope' | 'headers' | 'both';
}

/** Facts derived once per message, so that every check reads the same answer. */
export interface MessageFacts {
  /** The subject carries the [Personal] tag (not the OFFICIAL-SENSITIVE [PERSONAL] descriptor). */
  readonly personal: boolean;
  /** Union of envelope recipients and To/Cc addresses, de-duplicated. */
  readonly recipients: readonly RecipientFact[];
  /** The highest protective marking found anywhere, or null. Doubtful hits (MarkingHit.doubt) never count here. */
  readonly marking: MarkingHit | null;
  /**
   * The highest doubtful hit ranked above `marking` (a marking only in quoted history, a bare
   * CONFIDENTIAL), or null: what the mail would be marked if a reviewer read it as a marking.
   */
  readonly unclearMarking: MarkingHit | null;
  /** The message itself is encrypted (S/MIME enveloped, PGP/MIME, inline PGP). */
  readonly encrypted: boolean;
  /** The sender used for exceptions: envelope MAIL FROM, lower-cased. */
  readonly sender: string;
}
