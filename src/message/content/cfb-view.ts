/**
 * The views of a compound (OLE) file that classification and the object walk read through,
 * whichever reader opened it (cfb in memory, compound-file.ts in place).
 */

/** What classifying a compound file needs, whichever reader opened it. */
export interface CfbView {
  /** Every storage ('Macros/') and stream ('Macros/VBA/dir') below the root. */
  readonly paths: readonly string[];
  /** Class id of the root storage, hex of its bytes in file order. */
  readonly rootClsid: string;
  /** The first `max` bytes of the stream at `path`; null when there is none. */
  stream(path: string, max: number): Promise<Buffer | null>;
}

/** A compound file opened for its objects: the classification view plus ranged, chunked reads. */
export interface ObjectView extends CfbView {
  /** Size of the stream at `path` (as the directory says), or null when there is none. */
  size(path: string): number | null;
  /** `length` bytes of the stream at `path` from `offset`, in pieces. */
  chunks(path: string, offset: number, length: number): AsyncIterable<Buffer> | Iterable<Buffer>;
}

/** An embedded document storage is copied out in memory: not above this size. */
export const EMBEDDED_STORAGE_LIMIT = 16 * 1024 * 1024;
