/**
 * Where the decoded bytes of one leaf part go: the body text, an attachment, or the walk of an
 * attached message. Each sink says when the rest of its part need not be read.
 */
import { createHash } from 'node:crypto';
import { partAttachment, type AttachmentPart, type PartDescription } from './attachment-part.js';
import { bodyIsFile } from './body-sniff.js';
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

/** Bytes an attached message is judged by before its walk starts (file magic, NULs). */
const MESSAGE_HEAD_BYTES = 1024;

/**
 * An attached message: hashed as a part, and its bytes walked by a child walker as they come. Its first
 * bytes are looked at first: a "message" whose bytes are a program or an archive is that file, inspected as
 * an attachment (the walk of it would only see broken headers).
 */
export class MessageLeaf implements LeafSink {
  readonly full = false;
  private readonly hash = createHash('sha256');
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private file: AttachmentPart | null = null;
  private decided = false;

  constructor(
    private readonly part: PartDescription,
    private readonly child: ChildWalk,
    private readonly asFile: () => AttachmentPart,
  ) {}

  write(bytes: Buffer): Promise<void> | void {
    if (this.file) return this.file.write(bytes);
    this.hash.update(bytes);
    this.size += bytes.length;
    if (this.decided) return this.child.write(bytes);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= MESSAGE_HEAD_BYTES) return this.decide();
  }

  async finish(problem: string | null): Promise<AttachmentEntry | null> {
    if (!this.decided) await this.decide();
    if (this.file) {
      const outcome = await this.file.finish(problem);
      if (!outcome || 'signedEntity' in outcome) return null;
      return { attachment: outcome.attachment, members: outcome.members, child: null, opened: outcome.attachedMessage };
    }
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

  abandon(): Promise<void> | void {
    if (this.file) return this.file.abandon();
    this.child.halt();
  }

  private async decide(): Promise<void> {
    this.decided = true;
    const head = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    if (bodyIsFile(head, this.size, false)) {
      this.child.halt();
      this.file = this.asFile();
      if (head.length) await this.file.write(head);
      return;
    }
    if (head.length) await this.child.write(head);
  }
}
