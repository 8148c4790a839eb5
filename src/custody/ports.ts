/**
 * What the custody layer needs from the rest of mailwarden, as small structural interfaces: the
 * spool (src/spool/spool.ts) and the dispatcher (src/queue/dispatch.ts) satisfy them as they are,
 * and tests can hand in the real ones on a temp dir and a test Redis prefix.
 */
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { AuditEvent } from '../audit/events.js';
import type { Check } from '../policy/check.js';
import type { Sidecar } from '../spool/types.js';

export interface SpoolWriterPort extends Writable {
  done(): Promise<{ size: number }>;
}

export interface SpoolPort {
  newId(): string;
  /**
   * `syncAtEnd`: make a large message durable as soon as its last byte is written (else at commit
   * only). `hash: false`: the parse hashes the same bytes, the writer need not.
   */
  createWriter(id: string, options: { readonly syncAtEnd?: boolean; readonly hash: false }): SpoolWriterPort;
  commit(id: string, sidecar: Sidecar): Promise<void>;
  abort(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface DispatcherPort {
  dispatchDecision(sidecar: Sidecar, audit: AuditEvent): Promise<void>;
  audit(event: AuditEvent): Promise<void>;
}

export interface CustodyContext {
  readonly spool: SpoolPort;
  readonly dispatcher: DispatcherPort;
  readonly logger: Logger;
  /** The checks to run (default: every registered check). A test seam: a check that throws, to see it logged. */
  readonly checks?: readonly Check[];
}
