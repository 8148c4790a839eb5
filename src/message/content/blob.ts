/** The decoded bytes of one part or archive member, held in memory or in a temp file. */
export interface PartBlob {
  readonly size: number;
  /** Hex sha256 of the decoded content. */
  readonly sha256: string;
  /** The first bytes (up to HEAD_BYTES): enough for every magic-byte test. */
  readonly head: Buffer;
  /** The whole content, when it was small enough to keep in memory. */
  readonly buffer: Buffer | null;
  /** The temp file holding the content, when it was too large for memory. */
  readonly path: string | null;
}

export const HEAD_BYTES = 64 * 1024;
