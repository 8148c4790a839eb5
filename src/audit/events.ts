/**
 * The audit trail's event schema: every decision and every later event is one of these. Producers
 * (the custody layer, the workers, quarantine review) build them with build-event.ts; the queue
 * only carries them to the audit writer.
 */
import type { Envelope } from '../message/envelope.js';
import type { Decision, RuledFinding } from '../policy/verdict.js';

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
  /** The upstream accepted the message again for recipients that may have had it already. */
  | 'duplicate-sent'
  /** The client was told 451 after the decision was queued: the message was not taken. */
  | 'tempfailed'
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
  /** Delivery attempts it took, on delivered and bounced records. */
  readonly attempts?: number;
  /** Recipients concerned and their outcome, for delivery events. */
  readonly recipients?: readonly { rcpt: string; code: number; response: string }[];
}
