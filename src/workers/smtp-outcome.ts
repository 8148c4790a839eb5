/**
 * Reading what the upstream said, per recipient. nodemailer lumps 4xx and 5xx refusals into
 * `rejected`; the reply codes in `rejectedErrors[].responseCode` tell them apart.
 *
 * Permanent (bounce now): a 5xx reply to MAIL FROM, RCPT TO or DATA / end of data, or an address
 * nodemailer refuses to send at all. Everything else is temporary and retried: 4xx replies,
 * connection, TLS and timeout errors, and also a 5xx to AUTH or the greeting, because a wrong
 * upstream password or a refusing upstream is our configuration problem, not the message's:
 * bouncing every message for it would be worse than queueing them until someone fixes it.
 */

export interface RecipientReply {
  readonly rcpt: string;
  readonly code: number;
  readonly response: string;
}

export interface AttemptResult {
  readonly delivered: RecipientReply[];
  readonly deferred: RecipientReply[];
  readonly failed: RecipientReply[];
}

interface SmtpErrorLike {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  recipient?: string;
  message?: string;
  rejectedErrors?: SmtpErrorLike[];
}

interface SentInfoLike {
  response?: string;
  rejectedErrors?: SmtpErrorLike[];
}

const ENVELOPE_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);

/** One line, bounded: replies end up in sidecars, audit records and Diagnostic-Code fields. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim().slice(0, 500);
}

function replyCode(text: string | undefined, fallback: number): number {
  const m = /^([2-5]\d\d)\b/.exec(text ?? '');
  return m ? Number(m[1]) : fallback;
}

function byRecipient(errors: readonly SmtpErrorLike[] | undefined): Map<string, SmtpErrorLike> {
  const map = new Map<string, SmtpErrorLike>();
  for (const e of errors ?? []) if (e.recipient) map.set(e.recipient.toLowerCase(), e);
  return map;
}

function fromRecipientError(rcpt: string, e: SmtpErrorLike, into: AttemptResult): void {
  const code = e.responseCode ?? replyCode(e.response, 450);
  const reply = { rcpt, code, response: oneLine(e.response ?? e.message ?? 'refused') };
  (code >= 500 ? into.failed : into.deferred).push(reply);
}

/** The message went through for some recipients (final 250); refusals are per recipient. */
export function classifySent(pending: readonly string[], info: SentInfoLike): AttemptResult {
  const result: AttemptResult = { delivered: [], deferred: [], failed: [] };
  const refused = byRecipient(info.rejectedErrors);
  const response = oneLine(info.response ?? '250 OK');
  for (const rcpt of pending) {
    const e = refused.get(rcpt.toLowerCase());
    if (e) fromRecipientError(rcpt, e, result);
    else result.delivered.push({ rcpt, code: replyCode(response, 250), response });
  }
  return result;
}

/** The send failed as a whole, or every recipient was refused. */
export function classifyError(pending: readonly string[], err: unknown): AttemptResult {
  const e = (err ?? {}) as SmtpErrorLike;
  const result: AttemptResult = { delivered: [], deferred: [], failed: [] };
  const refused = byRecipient(e.rejectedErrors);
  const whole = wholeTransactionReply(e);
  for (const rcpt of pending) {
    const r = refused.get(rcpt.toLowerCase());
    if (r) fromRecipientError(rcpt, r, result);
    else (whole.code >= 500 ? result.failed : result.deferred).push({ rcpt, ...whole });
  }
  return result;
}

function wholeTransactionReply(e: SmtpErrorLike): { code: number; response: string } {
  const text = oneLine(e.response ?? e.message ?? 'delivery failed');
  const code = e.responseCode;
  if (code !== undefined && code >= 500) {
    if (ENVELOPE_COMMANDS.has(e.command ?? '')) return { code, response: text };
    return { code: 451, response: `451 4.4.0 upstream refused us (${text})` };
  }
  if (code !== undefined && code >= 400) return { code, response: text };
  if (e.code === 'EENVELOPE' && e.command === 'API') return { code: 553, response: `553 5.1.3 ${text}` };
  if (e.code === 'EMESSAGE' && e.command === 'MAIL FROM') return { code: 552, response: `552 5.3.4 ${text}` };
  return { code: 451, response: `451 4.4.1 ${text}` };
}
