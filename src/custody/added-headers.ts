/**
 * The header lines mailwarden prepends on delivery (kept in the sidecar, never written into the
 * spooled bytes): our Received: line (RFC 5321 4.4), X-Mailwarden-Decision, X-Mailwarden-Id and,
 * for internal recipients only, X-Mailwarden-Findings with the monitor-only findings.
 * Incoming X-Mailwarden-* lines are dropped on delivery (anyone can forge them).
 */
import { isIP } from 'node:net';
import type { Verdict } from '../policy/verdict.js';
import { unmapIPv4 } from './client-address.js';

export interface ReceivedInfo {
  readonly ref: string;
  /** Our name. */
  readonly hostname: string;
  readonly helo?: string;
  readonly clientAddress?: string;
  /** RFC 3848 protocol: ESMTP, ESMTPS, ESMTPA, ESMTPSA, SMTP ... */
  readonly protocol: string;
  readonly rcptTo: readonly string[];
  readonly date: Date;
}

export function receivedHeader(info: ReceivedInfo): string {
  const helo = sanitise(info.helo ?? '');
  const ip = info.clientAddress ? addressLiteral(info.clientAddress) : '';
  const from = helo ? `from ${helo}${ip ? ` (${ip})` : ''}` : ip ? `from ${ip}` : 'from unknown';
  const protocol = /^(E?SMTP|ESMTPS?A?|LMTPS?A?)$/.test(info.protocol) ? info.protocol : 'ESMTP';
  // Name one recipient only: listing many would disclose Bcc recipients to all of them.
  const rcpt = info.rcptTo.length === 1 && info.rcptTo[0] ? ` for <${sanitise(info.rcptTo[0])}>` : '';
  return `Received: ${from} by ${sanitise(info.hostname)} (mailwarden) with ${protocol} id ${info.ref}${rcpt}; ${rfc5322Date(info.date)}`;
}

export interface DecisionHeadersInput {
  readonly ref: string;
  readonly verdict: Verdict;
  readonly rcptTo: readonly string[];
  /** The policy's internal domains (subdomains included). */
  readonly internalDomains: readonly string[];
}

export function decisionHeaders(input: DecisionHeadersInput): string[] {
  const { verdict } = input;
  const wouldHave = verdict.wouldHave !== verdict.decision ? `; would-have=${verdict.wouldHave}` : '';
  const lines = [`X-Mailwarden-Decision: ${verdict.decision}${wouldHave}`, `X-Mailwarden-Id: ${input.ref}`];
  // Findings that did not decide the outcome (monitor action, sender exception, monitor mode).
  const recordedOnly = verdict.findings.filter((f) => verdict.monitorMode || f.action === 'monitor' || f.excepted);
  const allInternal = input.rcptTo.length > 0 && input.rcptTo.every((r) => isInternal(r, input.internalDomains));
  if (recordedOnly.length > 0 && allInternal) {
    const rules = [...new Set(recordedOnly.map((f) => `${f.rule} (${sanitiseText(f.policyRef)})`))];
    lines.push(`X-Mailwarden-Findings: ${rules.join(', ')}`);
  }
  return lines;
}

export function isInternal(address: string, domains: readonly string[]): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const domain = address.slice(at + 1).toLowerCase();
  return domains.some((d) => {
    const dd = d.toLowerCase().replace(/^@/, '');
    return domain === dd || domain.endsWith(`.${dd}`);
  });
}

function addressLiteral(address: string): string {
  const ip = unmapIPv4(address);
  return isIP(ip) === 6 ? `[IPv6:${ip}]` : `[${ip}]`;
}

/** A header-safe token (a name, an address): printable ASCII without spaces or comment parentheses. */
function sanitise(text: string): string {
  return text.replace(/[^\x21-\x7e]|[()]/g, '?').slice(0, 255);
}

function sanitiseText(text: string): string {
  return text.replace(/[^\x20-\x7e]|[()]/g, '?').slice(0, 255);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in UTC: `Mon, 23 Nov 2025 14:13:00 +0000`. */
export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
