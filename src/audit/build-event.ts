/**
 * Builders for audit events, so every producer (the fronts via dispatch, the deliver worker,
 * quarantine review, expiry) records the same fields the same way.
 *
 * Event ids are derived, never random: a producer that retries (a re-added job, reconcile after
 * a crash) produces the same id, and the audit writer writes each id once.
 */
import type { InspectedMessage } from '../message/model.js';
import type { AuditAttachment, AuditEvent, AuditEventType } from './events.js';
import type { Sidecar } from '../spool/types.js';

/** What the audit needs from an inspection when the full InspectedMessage is no longer at hand. */
export interface DecisionSummary {
  readonly subject?: string;
  readonly messageId?: string | null;
  readonly attachments: readonly AuditAttachment[];
}

/**
 * `<type>-<ref>[-<discriminator>]`: one decision per message; later events that can repeat
 * (deferred on each attempt, released then delivered again) pass a discriminator.
 * Only [A-Za-z0-9_.-] so it is also a valid BullMQ job id.
 */
export function auditEventId(type: AuditEventType, ref: string, discriminator?: string | number): string {
  const base = `${type}-${ref}`;
  if (discriminator === undefined || discriminator === '') return base;
  return `${base}-${String(discriminator).replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export function auditAttachments(message: InspectedMessage): AuditAttachment[] {
  return message.attachments.map((a) => ({
    name: a.name,
    location: a.location.join(' > '),
    detectedType: a.detected.ext ? `${a.detected.mime} (.${a.detected.ext})` : a.detected.mime,
    sha256: a.sha256,
    size: a.size,
  }));
}

function isInspected(m: InspectedMessage | DecisionSummary): m is InspectedMessage {
  return 'headers' in m && 'anomalies' in m;
}

/** The record of the decision on one message: who sent what to whom, what was found, what we did. */
export function decisionEvent(sidecar: Sidecar, message: InspectedMessage | DecisionSummary, actor = 'system'): AuditEvent {
  const attachments = isInspected(message) ? auditAttachments(message) : [...message.attachments];
  return {
    eventId: auditEventId('decision', sidecar.id),
    type: 'decision',
    // The decision is made as the message arrives; using receivedAt keeps a re-built event identical.
    at: sidecar.receivedAt,
    ref: sidecar.id,
    messageId: sidecar.messageId ?? message.messageId ?? null,
    sha256: sidecar.sha256,
    size: sidecar.size,
    envelope: sidecar.envelope,
    subject: sidecar.subject || message.subject || '',
    attachments,
    findings: sidecar.verdict.findings,
    decision: sidecar.verdict.decision,
    policyVersion: sidecar.verdict.policyVersion,
    actor,
  };
}

export interface LifecycleDetails {
  /** Defaults to now. */
  readonly at?: string;
  /** Defaults to 'system'. */
  readonly actor?: string;
  readonly reason?: string;
  readonly recipients?: AuditEvent['recipients'];
  /** Makes the event id unique for events that can happen more than once (attempt number, review time). */
  readonly discriminator?: string | number;
  /** Delivery attempts it took (delivered, bounced). */
  readonly attempts?: number;
}

/** delivered, deferred, bounced, released, discarded, expired, dsn-sent. */
export function lifecycleEvent(
  sidecar: Sidecar,
  type: Exclude<AuditEventType, 'decision'>,
  details: LifecycleDetails = {},
): AuditEvent {
  return {
    eventId: auditEventId(type, sidecar.id, details.discriminator),
    type,
    at: details.at ?? new Date().toISOString(),
    ref: sidecar.id,
    messageId: sidecar.messageId,
    sha256: sidecar.sha256,
    size: sidecar.size,
    envelope: sidecar.envelope,
    subject: sidecar.subject,
    decision: sidecar.verdict.decision,
    policyVersion: sidecar.verdict.policyVersion,
    actor: details.actor ?? 'system',
    ...(details.reason !== undefined ? { reason: details.reason } : {}),
    ...(details.recipients !== undefined ? { recipients: details.recipients } : {}),
    ...(details.attempts !== undefined ? { attempts: details.attempts } : {}),
  };
}
