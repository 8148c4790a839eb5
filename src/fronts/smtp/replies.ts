/**
 * Every SMTP reply mailwarden writes comes from `smtpReply`, so each one starts with the right
 * enhanced status code (RFC 3463). smtp-server's automatic codes stay hidden: they would turn every
 * 550 into 5.1.1 ("bad destination mailbox"). Internal faults never show details: the client sees
 * 451 4.3.0 and our reference id, the log has the rest.
 */
import { rejectionText, type Rejection } from '../../custody/outcome.js';
import { countReply } from '../../metrics/metrics.js';

export type Reply =
  | { readonly kind: 'queued'; readonly ref: string }
  | { readonly kind: 'held'; readonly ref: string }
  | { readonly kind: 'rejected'; readonly rejection: Rejection }
  | { readonly kind: 'temporary-failure'; readonly ref: string }
  | { readonly kind: 'mail-system-full'; readonly ref: string }
  | { readonly kind: 'relay-denied' }
  | { readonly kind: 'too-big'; readonly limit: number }
  | { readonly kind: 'bare-line-ending' }
  | { readonly kind: 'nul-byte' }
  | { readonly kind: 'mail-loop'; readonly count: number; readonly limit: number }
  | { readonly kind: 'auth-failed' }
  | { readonly kind: 'auth-method' }
  | { readonly kind: 'auth-needs-tls' }
  | { readonly kind: 'data-timeout' }
  | { readonly kind: 'data-too-slow'; readonly minRate: number }
  | { readonly kind: 'too-many-from-client'; readonly limit: number }
  | { readonly kind: 'too-many-clients' }
  | { readonly kind: 'session-time-limit'; readonly limitMs: number };

export interface SmtpReply {
  readonly code: number;
  /** Reply text after the code, starting with the enhanced status code. */
  readonly text: string;
}

export function smtpReply(reply: Reply): SmtpReply {
  switch (reply.kind) {
    case 'queued':
      return { code: 250, text: `2.0.0 Queued as ${reply.ref}` };
    case 'held':
      return { code: 250, text: `2.0.0 Held for review ref ${reply.ref}` };
    case 'rejected':
      return { code: 550, text: `5.7.1 ${rejectionText(reply.rejection)}` };
    case 'temporary-failure':
      return { code: 451, text: `4.3.0 Temporary failure, please try again later ref ${reply.ref}` };
    case 'mail-system-full':
      return { code: 452, text: `4.3.1 Mail system full, please try again later ref ${reply.ref}` };
    case 'relay-denied':
      return { code: 554, text: '5.7.1 Relay access denied' };
    case 'too-big':
      return { code: 552, text: `5.3.4 Message too big: the limit is ${reply.limit} bytes` };
    case 'bare-line-ending':
      return { code: 550, text: '5.6.0 Bare CR or LF in message data: lines must end with CRLF' };
    case 'nul-byte':
      return { code: 550, text: '5.6.0 NUL byte in message data: refused (policy inspection.nulBytes is reject)' };
    case 'mail-loop':
      return { code: 554, text: `5.4.6 Mail loop: ${reply.count} Received: headers (limit ${reply.limit})` };
    case 'auth-failed':
      return { code: 535, text: '5.7.8 Authentication credentials invalid' };
    case 'auth-method':
      return { code: 504, text: '5.5.4 Unrecognized authentication type' };
    case 'auth-needs-tls':
      return { code: 538, text: '5.7.11 Encryption required for requested authentication mechanism' };
    case 'data-timeout':
      return { code: 421, text: '4.4.2 Timeout waiting for data, closing connection' };
    case 'data-too-slow':
      return { code: 421, text: `4.4.2 DATA too slow: under ${reply.minRate} bytes per second, closing connection` };
    case 'too-many-from-client':
      return { code: 421, text: `4.7.0 Too many connections from your address (limit ${reply.limit}), try again later` };
    case 'too-many-clients':
      return { code: 421, text: '4.3.2 Too many connected clients, try again later' };
    case 'session-time-limit':
      return { code: 421, text: `4.4.2 Session time limit (${Math.round(reply.limitMs / 1000)} s) reached, closing connection` };
  }
}

/** The reply as an Error for smtp-server callbacks (it sends `responseCode` and `message`). */
export function replyError(reply: Reply): Error & { responseCode: number } {
  const r = smtpReply(reply);
  countReply(r.code);
  return Object.assign(new Error(r.text), { responseCode: r.code });
}

/** The full reply line, for logs. */
export function replyLine(r: SmtpReply): string {
  return `${r.code} ${r.text}`;
}
