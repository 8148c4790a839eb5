/**
 * Limits on opening archives and containers (policy `inspection.archive`), shared by every archive nested
 * under one attachment: members counted, bytes expanded. Sizes in archive headers are never trusted; the
 * bytes are counted as they come out of the decompressor.
 */
import type { ParseOptions } from '../parse-options.js';

/** A limit was hit: the archive that was being opened is unscannable for `reason`, and stops. */
export class ArchiveLimitError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ArchiveLimitError';
  }
}

/** Below this many expanded bytes a member is too small to be a bomb, whatever it compresses to. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export class ArchiveBudget {
  private membersSeen = 0;
  private expandedBytes = 0;
  readonly maxDepth: number;
  readonly maxMembers: number;
  readonly maxExpandedBytes: number;
  readonly maxRatio: number;

  constructor(limits: ParseOptions['inspection']['archive']) {
    this.maxDepth = limits.maxDepth;
    this.maxMembers = limits.maxMembers;
    this.maxExpandedBytes = limits.maxExpandedBytes;
    this.maxRatio = limits.maxRatio;
  }

  get expanded(): number {
    return this.expandedBytes;
  }

  /** Count one more member; throws past the member limit. */
  addMember(): void {
    this.membersSeen += 1;
    if (this.membersSeen > this.maxMembers) {
      throw new ArchiveLimitError(`more than ${this.maxMembers} archive members`);
    }
  }

  /** Count expanded bytes; throws past the total limit. */
  addExpanded(n: number): void {
    this.expandedBytes += n;
    if (this.expandedBytes > this.maxExpandedBytes) {
      throw new ArchiveLimitError(`expanded size exceeds the limit of ${this.maxExpandedBytes} bytes`);
    }
  }

  /** Throws when `expanded` bytes out of `compressed` bytes in is a bomb's ratio. */
  checkRatio(expanded: number, compressed: number, what: string): void {
    if (expanded <= RATIO_FLOOR_BYTES) return;
    const ratio = expanded / Math.max(compressed, 1);
    if (ratio > this.maxRatio) {
      const shown = ratio >= this.maxRatio + 1 ? String(Math.floor(ratio)) : ratio.toFixed(2);
      throw new ArchiveLimitError(`zip bomb: ratio ${shown}:1 exceeds ${this.maxRatio} (${what})`);
    }
  }
}
