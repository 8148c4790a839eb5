/**
 * The inspection summary kept in a held message's sidecar (spool/types.ts HeldInspection):
 * attachments and members with declared and detected type, size and sha256; the body text,
 * bounded; the parse anomalies. Built once at the decision, read by the dashboard's detail page.
 */
import type { InspectedMessage } from '../message/model.js';
import type { HeldInspection } from '../spool/types.js';

/** Body text kept per held message: enough to judge, small enough for a sidecar. */
export const HELD_BODY_MAX_CHARS = 64 * 1024;
/** Attachments kept (an archive bomb's member list is already cut by the parse limits). */
const MAX_ATTACHMENTS = 1000;

export function heldInspection(message: InspectedMessage): HeldInspection {
  const body = message.bodyText;
  return {
    attachments: message.attachments.slice(0, MAX_ATTACHMENTS).map((a) => ({
      id: a.id,
      location: a.location,
      origin: a.origin,
      name: a.name,
      declaredType: a.declaredType,
      detectedType: a.detected.ext ? `${a.detected.mime} (.${a.detected.ext})` : a.detected.mime,
      size: a.size,
      sha256: a.sha256,
      unscannable: a.unscannable,
    })),
    bodyText: body.length > HELD_BODY_MAX_CHARS ? body.slice(0, HELD_BODY_MAX_CHARS) : body,
    bodyTruncated: body.length > HELD_BODY_MAX_CHARS,
    anomalies: message.anomalies.map((a) => `${a.kind}: ${a.detail}`),
  };
}
