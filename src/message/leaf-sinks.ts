/**
 * Where the decoded bytes of one leaf part go: the body text, an attachment, or the walk of an
 * attached message. Each sink says when the rest of its part need not be read.
 */
import { createHash } from 'node:crypto';
import { partAttachment, type AttachmentPart, type PartDescription } from './attachment-part.js';
import type { TextPartSink } from './body-text.js';
import type { PartRole } from './encryption.js';
import type { DetectedType } from './model.js';
import type { AttachmentEntry, WalkedMessage } from './walked-message.js';

export interface LeafSink {
  write(bytes: Buffer): Promise<void> | void;
  /** True when the rest of the part need not be read. */
  readonly full: boolean;
  finish(problem: string | null): Promise<AttachmentEntry | null>;
  abandon(): Promise<void> | void;
}

/** The walk of an attached message, as its leaf feeds it. */
export interface ChildWalk {
  write(bytes: Buffer): Promise<void> | void;
  end(): Promise<WalkedMessage>;
  halt(): void;
}

/** Content types of attached messages (opened by a child walk). */
export const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);
const MESSAGE_DETECTED: DetectedType = Object.freeze({
  mime: 'message/rfc822',
  ext: 'eml',
  family: 'message',
  macros: false,
  encrypted: false,
  basis: 'container',
});

/**
 * A body candidate (text/plain or text/html without a name): its text goes to the body text as it comes,
 * and its bytes are kept like an attachment's until its end, when they decide what it is (body-sniff.ts).
 */
export class BodyLeaf implements LeafSink {
  readonly full = false;
  constructor(
    private readonly text: TextPartSink | null,
    private readonly part: AttachmentPart,
  ) {}
  write(bytes: Buffer): Promise<void> | void {
    if (this.text && !this.text.full) this.text.write(bytes);
    return this.part.write(bytes);
  }
  async finish(problem: string | null): Promise<AttachmentEntry | null> {
    const outcome = await this.part.finishBody(problem, () => this.text?.end());
    if (!outcome) return null;
    return { attachment: outcome.attachment, members: outcome.members, child: null, opened: outcome.attachedMessage };
  }
  abandon(): Promise<void> {
    return this.part.abandon();
  }
}

export class AttachmentLeaf implements LeafSink {
  readonly full = false;
  constructor(
    private readonly part: AttachmentPart,
    private readonly setRole: (role: PartRole) => void,
    private readonly walkSigned: (entity: Buffer) => Promise<void>,
  ) {}
  write(bytes: Buffer): Promise<void> | void {
    return this.part.write(bytes);
  }
  async finish(problem: string | null): Promise<AttachmentEntry | null> {
    const outcome = await this.part.finish(problem);
    if (!outcome) return null;
    if ('signedEntity' in outcome) {
      await this.walkSigned(outcome.signedEntity);
      return null;
    }
    this.setRole(outcome.role);
    return { attachment: outcome.attachment, members: outcome.members, child: null, opened: outcome.attachedMessage };
  }
  abandon(): Promise<void> {
    return this.part.abandon();
  }
}

/** An attached message: hashed as a part, and its bytes walked by a child walker as they come. */
export class MessageLeaf implements LeafSink {
  readonly full = false;
  private readonly hash = createHash('sha256');
  private size = 0;

  constructor(
    private readonly part: PartDescription,
    private readonly child: ChildWalk,
  ) {}

  write(bytes: Buffer): Promise<void> | void {
    this.hash.update(bytes);
    this.size += bytes.length;
    return this.child.write(bytes);
  }

  async finish(problem: string | null): Promise<AttachmentEntry> {
    const walked = await this.child.end();
    const part = this.part;
    const encrypted = walked.encryption ? `attached message is encrypted (${walked.encryption})` : null;
    const attachment = partAttachment(part, {
      nameTricks: part.name.tricks,
      size: this.size,
      sha256: this.hash.digest('hex'),
      detected: MESSAGE_DETECTED,
      unscannable: [problem, encrypted].filter(Boolean).join('; ') || null,
      markings: [],
    });
    return { attachment, members: [], child: walked };
  }

  abandon(): void {
    this.child.halt();
  }
}
