/**
 * The state shared while one attachment is analysed: the context and archive budget (Env), and what the
 * analysis of one item builds up before it is frozen into a ContentReport (Work).
 */
import type { Address, Attachment, DetectedType, MarkingHit, NameTrick, TypeFamily } from '../model.js';
import type { ParseOptions } from '../parse-options.js';
import type { TempArea } from '../temp-area.js';
import type { ArchiveBudget } from './archive-limits.js';
import type { PartBlob } from './blob.js';

export interface ContentInput {
  readonly blob: PartBlob;
  /** Cleaned declared name (see file-name.ts), or null. */
  readonly name: string | null;
  /** Declared Content-Type without parameters, lower-case ('' for archive members). */
  readonly declaredType: string;
  /** Id of this item; members get ids `${id}/${memberPath}`. */
  readonly id: string;
  /** Location of this item (the last element names it). */
  readonly location: readonly string[];
  /** Nesting depth of this item (0 for a part of the outer message). */
  readonly depth: number;
}

export interface ContentContext {
  readonly options: ParseOptions;
  readonly temp: TempArea;
  /**
   * Walks an item that is an email message (an .eml, or bytes that are one, whatever their declared type)
   * as the MIME walk opens message/rfc822 parts. Without it such an item is unscannable.
   */
  readonly openMessage?: (input: ContentInput) => Promise<OpenedMessage>;
}

/** What walking a message found inside an attachment or member, flattened. */
export interface OpenedMessage {
  readonly subject: string;
  readonly from: readonly Address[];
  /** Its parts, their members and the parts of messages attached to it. */
  readonly members: readonly Attachment[];
  readonly markings: readonly MarkingHit[];
  readonly unscannable: string | null;
}

export interface ContentReport {
  readonly detected: DetectedType;
  /** Name tricks that need the true type (double extension, extension mismatch). */
  readonly nameTricks: readonly NameTrick[];
  readonly unscannable: string | null;
  readonly markings: readonly MarkingHit[];
  /** Members of an archive or container, already analysed (recursively), flat. */
  readonly members: readonly Attachment[];
  /** Set when the item is an Outlook .msg (or TNEF) message: what an AttachedMessageSummary needs. */
  readonly attachedMessage?: { readonly subject: string; readonly from: readonly Address[] };
}

export interface Env {
  readonly ctx: ContentContext;
  /** Shared by every archive nested under one attachment. */
  readonly budget: ArchiveBudget;
  /** Analyse a member (recursion without an import cycle). */
  readonly analyse: (input: ContentInput, isMember: boolean) => Promise<ContentReport>;
  /** Whole-read budget this analysis holds now (see whole-read-budget.ts): nested reads do not wait. */
  wholeHeld: number;
}

export interface Work {
  mime: string;
  ext: string;
  family: TypeFamily;
  macros: boolean;
  encrypted: boolean;
  basis: DetectedType['basis'];
  /** The family the bytes alone say, before a name or a script makes it executable (for the mismatch test). */
  contentFamily: TypeFamily;
  /** Why the item is unscannable (several reasons are joined). */
  readonly reasons: string[];
  readonly markings: MarkingHit[];
  readonly members: Attachment[];
  attachedMessage?: { subject: string; from: readonly Address[] };
}

export function sourceOf(input: ContentInput): string {
  return `attachment:${input.location.join(' > ')}`;
}

export function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

/** The attachment record of an analysed member: a file inside an archive, a container or a payload. */
export function memberAttachment(
  input: ContentInput,
  found: { readonly rawName: string | null; readonly nameTricks: readonly NameTrick[]; readonly size: number; readonly sha256: string },
  report: ContentReport,
  markings: readonly MarkingHit[] = report.markings,
): Attachment {
  return {
    id: input.id,
    location: input.location,
    origin: 'member',
    depth: input.depth,
    name: input.name,
    rawName: found.rawName,
    nameTricks: [...new Set([...found.nameTricks, ...report.nameTricks])],
    declaredType: '',
    disposition: null,
    contentId: null,
    size: found.size,
    sha256: found.sha256,
    detected: report.detected,
    unscannable: report.unscannable,
    markings,
  };
}
