/**
 * What walking one message yields, before the outer walk and every attached message are
 * flattened into the InspectedMessage.
 */
import type { HeaderFieldList } from './header-list.js';
import type { Address, Attachment, EncryptionKind, MarkingHit } from './model.js';

/** Where a walked message sits. */
export interface WalkScope {
  /** Prefix of part ids: '' for the outer message, '3.' for the message attached as part 3. */
  readonly idPrefix: string;
  /** MIME depth of this message's root (0 for the outer message). */
  readonly mimeDepth: number;
  /** Attachment.depth of this message's parts. */
  readonly attachmentDepth: number;
  /** Location of the attached message ([] for the outer one). */
  readonly location: readonly string[];
}

export interface AttachmentEntry {
  readonly attachment: Attachment;
  readonly members: readonly Attachment[];
  /** The walk of an attached message, for message/rfc822 parts. */
  readonly child: WalkedMessage | null;
  /** What content analysis saw of a message it opened itself (Outlook .msg, TNEF). */
  readonly opened?: { readonly subject: string; readonly from: readonly Address[] } | null;
}

/** What one walk found, before flattening into the InspectedMessage. */
export interface WalkedMessage {
  readonly headers: HeaderFieldList;
  readonly subject: string;
  readonly messageId: string | null;
  readonly from: readonly Address[];
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  readonly bcc: readonly Address[];
  readonly bodyText: string;
  readonly encryption: EncryptionKind | null;
  /** Markings in this message's own subject, headers and body. */
  readonly markings: readonly MarkingHit[];
  readonly entries: readonly AttachmentEntry[];
}
