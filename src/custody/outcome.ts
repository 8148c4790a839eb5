/**
 * What happened to a message handed to custody, front-neutral: each front turns it into its own
 * protocol's reply (SMTP reply line, milter reply code) and nothing else.
 */
import type { IntakeRefusal } from '../intake/refusal.js';
import type { Decision, RuledFinding } from '../policy/verdict.js';

/** The rule that refused the message, in the words every front gives the sender. */
export interface Rejection {
  readonly ref: string;
  readonly rule: string;
  readonly reason: string;
  readonly policyRef: string;
  /** Further rules that also refused it. */
  readonly more: number;
}

export interface OutcomeSummary {
  readonly size: number;
  readonly decision: Decision;
  readonly rules: readonly string[];
  readonly messageId: string | null;
}

export type CustodyOutcome =
  /** Accepted, spooled and queued for our own delivery (the relay). */
  | { readonly kind: 'queued'; readonly ref: string; readonly summary: OutcomeSummary }
  /**
   * Accepted and recorded; the MTA delivers it (the milter). `headers` are the decision headers
   * to add to the MTA's copy, as `Name: value` lines.
   */
  | { readonly kind: 'accepted'; readonly ref: string; readonly headers: readonly string[]; readonly summary: OutcomeSummary }
  /**
   * Held for review. `kept`: spooled into our quarantine (released through our delivery), or
   * only recorded (the MTA holds it: milter `hold` mode).
   */
  | { readonly kind: 'held'; readonly ref: string; readonly kept: boolean; readonly headers: readonly string[]; readonly summary: OutcomeSummary }
  | { readonly kind: 'rejected'; readonly ref: string; readonly rejection: Rejection; readonly summary: OutcomeSummary }
  /** Stopped at a technical limit before it could be judged (too big, bare line ends, NUL, loop). */
  | { readonly kind: 'refused'; readonly ref: string; readonly refusal: IntakeRefusal }
  /** Not taken: the sender must try again. `diskFull`: the spool's disk is full. */
  | { readonly kind: 'tempfail'; readonly ref: string; readonly error: unknown; readonly diskFull: boolean; readonly summary?: OutcomeSummary };

/** The first rule that acted (a reject not excepted), or the first finding. */
export function rejectionOf(findings: readonly RuledFinding[], ref: string): Rejection {
  const acting = findings.filter((f) => f.action === 'reject' && !f.excepted);
  const first = acting[0] ?? findings[0];
  if (!first) return { ref, rule: 'policy', reason: 'refused by policy', policyRef: 'policy', more: 0 };
  return { ref, rule: first.rule, reason: first.reason, policyRef: first.policyRef, more: Math.max(0, acting.length - 1) };
}

/** Longest reason text in a reply: the full reason is in the audit record. */
const REASON_MAX = 200;

/**
 * `<rule>: <reason> (<clause>) ref <ref>`: what the sender is told, the same through every front.
 * ASCII without control characters (reasons quote names taken from the message), one line.
 */
export function rejectionText(r: Rejection): string {
  const more = r.more > 0 ? ` (+${r.more} more)` : '';
  const clause = oneLine(r.policyRef);
  // Reasons often end with their clause already; say it once.
  const reason = oneLine(r.reason).replace(` (${clause})`, '').trim();
  return `${r.rule}: ${shorten(reason)} (${clause})${more} ref ${r.ref}`;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/[^\u0020-\u007e]/g, '?').trim();
}

function shorten(text: string): string {
  const t = oneLine(text);
  return t.length <= REASON_MAX ? t : `${t.slice(0, REASON_MAX - 3)}...`;
}

/** Was this failure a full disk (the sender should wait longer than for a glitch)? */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
