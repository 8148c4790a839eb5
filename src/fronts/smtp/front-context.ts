/**
 * What the SMTP front needs from the rest of mailwarden, as small structural interfaces: the spool
 * (src/spool/spool.ts) and the dispatcher (src/queue/dispatch.ts) satisfy them as they are.
 */
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Policy } from '../../config/policy-schema.js';
import type { ServiceConfig } from '../../config/service-schema.js';
import type { Check } from '../../policy/check.js';
import type { AuditEvent } from '../../queue/jobs.js';
import type { Sidecar } from '../../spool/types.js';
import type { AuthUsers } from './auth-users.js';
import type { RelayNetworks } from './relay-networks.js';

export interface SpoolWriterPort extends Writable {
  done(): Promise<{ size: number; sha256: string }>;
}

export interface SpoolPort {
  newId(): string;
  createWriter(id: string): SpoolWriterPort;
  commit(id: string, sidecar: Sidecar): Promise<void>;
  abort(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface DispatcherPort {
  dispatchDecision(sidecar: Sidecar, audit: AuditEvent): Promise<void>;
  audit(event: AuditEvent): Promise<void>;
}

/** Everything a reload can change, swapped as one value so a transaction sees one consistent set. */
export interface FrontSettings {
  readonly config: ServiceConfig;
  /** The policy in force, its message-size limit already set from `config.smtp.size`. */
  readonly policy: Policy;
  readonly relay: RelayNetworks;
  readonly authUsers: AuthUsers | null;
}

export interface FrontContext {
  readonly spool: SpoolPort;
  readonly dispatcher: DispatcherPort;
  readonly logger: Logger;
  settings(): FrontSettings;
  /** The checks to run (default: every registered check). A test seam: a check that throws, to see it logged. */
  readonly checks?: readonly Check[];
}
