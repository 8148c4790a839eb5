/**
 * Audit records of dashboard access (logins, failed logins, logouts, queue actions): they go
 * through the same audit queue and hash chain as every message event. `ref` is 'dashboard'
 * (there is no message), the actor is the user name as typed, the reason says from where.
 */
import { randomBytes } from 'node:crypto';
import { auditEventId } from '../audit/build-event.js';
import type { AuditEvent } from '../audit/events.js';

export const ACCESS_REF = 'dashboard';

export function accessEvent(type: 'login' | 'login-failed' | 'logout' | 'queue-action', actor: string, reason: string, at = new Date()): AuditEvent {
  return {
    eventId: auditEventId(type, ACCESS_REF, `${at.getTime()}-${randomBytes(6).toString('hex')}`),
    type,
    at: at.toISOString(),
    ref: ACCESS_REF,
    // A user name as typed at a failed login is hostile input too: bounded, one line.
    actor: actor.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 100) || '(empty)',
    reason: reason.slice(0, 500),
  };
}
