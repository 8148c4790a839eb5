/**
 * Attached messages in the words of a reason: named by their file name (plan.eml), else by their subject, and
 * the markings found in them carry that name (`attached-message:plan.eml:subject`, read as "in plan.eml: the
 * subject"), never an internal part path.
 */
import type { OpenedMessage } from './content/analysis-work.js';
import type { Attachment, MarkingHit } from './model.js';
import type { WalkedMessage } from './walked-message.js';

export const ATTACHED_SOURCE = 'attached-message:';

/** What a reason calls an attached message. */
export function messageLabel(name: string | null, subject: string, id: string): string {
  const label = name ?? (subject.trim() ? `message '${subject.trim().slice(0, 60)}'` : `attached message ${id}`);
  // ':' separates the label from the place inside it
  return label.replace(/:/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The source of a marking found inside an attached message. */
export function attachedSource(label: string, inner: string): string {
  return `${ATTACHED_SOURCE}${label}:${inner}`;
}

/** A walked message flattened into members and markings, for a message found inside an attachment or archive. */
export function flattenWalk(walked: WalkedMessage, label: string): Omit<OpenedMessage, 'subject' | 'from'> {
  const members: Attachment[] = [];
  const markings: MarkingHit[] = walked.markings.map((hit) => ({ ...hit, source: attachedSource(label, hit.source) }));
  const reasons: string[] = walked.encryption ? [`attached message is encrypted (${walked.encryption})`] : [];
  for (const entry of walked.entries) {
    members.push(entry.attachment, ...entry.members);
    if (!entry.child) continue;
    const inner = flattenWalk(entry.child, messageLabel(entry.attachment.name, entry.child.subject, entry.attachment.id));
    members.push(...inner.members);
    markings.push(...inner.markings.map((hit) => ({ ...hit, source: attachedSource(label, hit.source) })));
  }
  return { members, markings, unscannable: reasons.join('; ') || null };
}
