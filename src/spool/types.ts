/**
 * The spool is the source of truth for every message mailwarden said 250 to.
 * Each message is a file of the bytes as received (after CRLF normalisation) plus a small
 * JSON sidecar; both are fsynced (and their directory) before the SMTP 250.
 * Redis jobs only ever carry the spool id and metadata.
 */
import type { Envelope } from '../message/envelope.js';
import type { Decision, RuledFinding } from '../policy/verdict.js';

/**
 * received:  spooled, jobs not yet confirmed (reconcile re-creates them)
 * queued:    waiting for delivery (deliver job exists)
 * held:      in quarantine, waiting for a reviewer
 * done:      finished: delivered to all, bounced, rejected-after-review (discarded) or expired
 */
export type SpoolState = 'received' | 'queued' | 'held' | 'done';

/** What happened to one recipient. */
export interface RecipientOutcome {
  readonly rcpt: string;
  readonly status: 'delivered' | 'failed';
  /** SMTP reply code from the upstream (250, 550 ...). */
  readonly code: number;
  readonly response: string;
  readonly at: string;
  /** Which delivery attempt settled it (1 = the first); absent in sidecars written before it was kept. */
  readonly attempt?: number;
  /**
   * For a failed recipient: when the delivery status notification covering it was settled (sent,
   * refused by the relay, or not owed because the sender was `<>`). Absent = a DSN is still owed,
   * so a crash between recording the failure and sending the DSN does not lose the bounce.
   */
  readonly dsnAt?: string;
}

/** Summary of the verdict kept with the message (the full one lives in the audit trail). */
export interface VerdictSummary {
  readonly decision: Decision;
  readonly personal: boolean;
  readonly marking: string | null;
  readonly encrypted: boolean;
  readonly findings: readonly RuledFinding[];
  readonly policyVersion: string;
  readonly monitorMode: boolean;
}

/** One attachment, inline part or archive/Office member as inspection saw it (held mail only). */
export interface HeldAttachment {
  readonly id: string;
  /** Where it sits: ['report.zip', 'inner/tool.exe']; the last element is this item. */
  readonly location: readonly string[];
  readonly origin: 'part' | 'member';
  readonly name: string | null;
  readonly declaredType: string;
  /** Detected type, e.g. 'application/x-msdownload (.exe)'. */
  readonly detectedType: string;
  readonly size: number;
  readonly sha256: string;
  readonly unscannable: string | null;
}

/**
 * What inspection found, kept with a held message so a reviewer sees it without re-parsing:
 * every attachment and member, the body as plain text (bounded), parse anomalies.
 */
export interface HeldInspection {
  readonly attachments: readonly HeldAttachment[];
  readonly bodyText: string;
  /** True when bodyText was cut at its bound. */
  readonly bodyTruncated: boolean;
  readonly anomalies: readonly string[];
}

export interface Sidecar {
  /** Spool id: time-sortable, URL- and BullMQ-safe (no ':', never integer-like). Also our reference id. */
  readonly id: string;
  readonly receivedAt: string;
  readonly envelope: Envelope;
  readonly size: number;
  readonly sha256: string;
  readonly messageId: string | null;
  readonly subject: string;
  readonly verdict: VerdictSummary;
  /** Header lines to prepend on delivery (our Received:, X-Mailwarden-*), in order, without CRLF. */
  readonly addHeaders: readonly string[];
  readonly state: SpoolState;
  /** Per-recipient outcomes so far (delivery is per recipient; a retry only sends to the rest). */
  readonly outcomes: readonly RecipientOutcome[];
  /** Set when the message was released from or discarded in quarantine. */
  readonly review?: { readonly action: 'release' | 'discard'; readonly by: string; readonly reason: string; readonly at: string };
  /**
   * Where our delivery goes: the relay's upstream (the default), or the MTA's reinjection
   * listener (mail a milter front held in custody and a reviewer released).
   */
  readonly route?: 'upstream' | 'reinject';
  /** For held mail: the inspection summary a reviewer reads (absent on mail spooled before it existed). */
  readonly inspection?: HeldInspection;
  /** Why the message is done (delivered, bounced, discarded, expired). */
  readonly doneReason?: 'delivered' | 'bounced' | 'discarded' | 'expired';
}
