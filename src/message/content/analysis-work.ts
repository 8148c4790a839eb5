/**
 * The state shared while one attachment is analysed: the context and archive budget (Env), and what the
 * analysis of one item builds up before it is frozen into a ContentReport (Work).
 */
import type { Address, Attachment, DetectedType, MarkingHit, TypeFamily } from '../model.js';
import type { ContentContext, ContentInput, ContentReport } from './analyse.js';
import type { ArchiveBudget } from './archive-limits.js';

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
