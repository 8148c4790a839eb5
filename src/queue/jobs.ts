/**
 * Queue names and job payloads. Jobs carry spool references and metadata, never message bytes.
 * Every queue lives under the `{mailwarden}` prefix so that all keys hash to one Redis Cluster slot.
 */
import { DEFAULT_KEY_PREFIX } from '../config/service-schema.js';
import type { Envelope } from '../message/envelope.js';
import type { Decision } from '../policy/verdict.js';

export const QUEUE_PREFIX = DEFAULT_KEY_PREFIX;

export const QUEUE_NAMES = {
  deliver: 'deliver',
  quarantine: 'quarantine',
  audit: 'audit',
} as const;

export interface DeliverJob {
  readonly spoolId: string;
  readonly envelope: Envelope;
  /** Recipients still to deliver to (all, at first; narrowed as upstream accepts some). */
  readonly pending: readonly string[];
  /** What inspection decided (quarantine, for mail a reviewer released), and the rules that found something. */
  readonly verdict: JobVerdict;
  /**
   * Recipients the upstream accepted whose outcome the spool could not record (a full disk): Redis
   * holds them until the sidecar can, so a retry does not send them the message again.
   */
  readonly accepted?: readonly AcceptedRecipient[];
  /** Set once the first deferral is audited: later ones are only logged, the outcome says how many attempts it took. */
  readonly deferralAudited?: boolean;
}

/** One recipient the upstream said 250 for, as the sidecar will record it. */
export interface AcceptedRecipient {
  readonly rcpt: string;
  readonly code: number;
  readonly response: string;
  readonly at: string;
  readonly attempt?: number;
}

/** The verdict in brief, for whoever looks at the queue (the full one is in the sidecar and the audit trail). */
export interface JobVerdict {
  readonly decision: Decision;
  readonly rules: readonly string[];
}

export interface QuarantineJob {
  readonly spoolId: string;
  readonly envelope: Envelope;
  readonly rules: readonly string[];
}

/** Stable BullMQ job id from a spool id and a purpose (BullMQ refuses ':' and integer-like ids). */
export function jobId(spoolId: string, purpose: string): string {
  return `${purpose}-${spoolId}`;
}
