/**
 * The seam between containers and analysis: a container reports each member it finds to a MemberSink, which
 * extracts it under the limits, analyses it and says whether the container should go on.
 */

export interface FoundMember {
  /** Path inside the container, as the container names it. */
  readonly path: string;
  /** The member's bytes, decompressed, as they come out of the container. */
  readonly source?: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>;
  /** Compressed bytes behind the member, for the ratio test. */
  readonly compressedSize?: number;
  /** The size the container's header claims (never trusted for limits, only as an early warning). */
  readonly declaredSize?: number;
  /** Why the bytes cannot be had (an encrypted member, an unsupported method): the member is unscannable. */
  readonly unreadable?: string;
  readonly encrypted?: boolean;
}

/** 'stop' when a limit was hit: the container must not look at further members. */
export type MemberSink = (member: FoundMember) => Promise<'continue' | 'stop'>;
