/**
 * Queue names and job payloads. Jobs carry spool references and metadata, never message bytes.
 * Every queue lives under the `{mailwarden}` prefix so that all keys hash to one Redis Cluster slot.
 */
import type { Envelope } from '../message/envelope.js';
import type { Decision, RuledFinding } from '../policy/verdict.js';

export const QUEUE_PREFIX = '{mailwarden}';

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

/** Every decision and every later event becomes one audit record. */
export type AuditEventType =
  | 'decision'
  | 'delivered'
  | 'deferred'
  | 'bounced'
  | 'released'
  | 'discarded'
  | 'expired'
  | 'dsn-sent'
  /** Dashboard access: every login, failed login and logout, and every action on queue jobs. */
  | 'login'
  | 'login-failed'
  | 'logout'
  | 'queue-action';

export interface AuditAttachment {
  readonly name: string | null;
  readonly location: string;
  readonly detectedType: string;
  readonly sha256: string;
  readonly size: number;
}

export interface AuditEvent {
  /** Unique per event: retried jobs with the same id are written once. */
  readonly eventId: string;
  readonly type: AuditEventType;
  readonly at: string;
  /** Spool id (our reference id). */
  readonly ref: string;
  readonly messageId?: string | null;
  readonly sha256?: string;
  readonly size?: number;
  readonly envelope?: Envelope;
  readonly subject?: string;
  readonly attachments?: readonly AuditAttachment[];
  readonly findings?: readonly RuledFinding[];
  readonly decision?: Decision;
  readonly policyVersion?: string;
  /** Who acted (a reviewer, 'system'). */
  readonly actor?: string;
  readonly reason?: string;
  /** Recipients concerned and their outcome, for delivery events. */
  readonly recipients?: readonly { rcpt: string; code: number; response: string }[];
}

/** Stable BullMQ job id from a spool id and a purpose (BullMQ refuses ':' and integer-like ids). */
export function jobId(spoolId: string, purpose: string): string {
  return `${purpose}-${spoolId}`;
}
