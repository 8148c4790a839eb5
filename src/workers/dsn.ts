/**
 * Delivery status notifications (RFC 3464): nodemailer does not build them.
 * A `multipart/report; report-type=delivery-status` with a human-readable part, the
 * machine-readable `message/delivery-status` (one block per failed recipient) and the original
 * header block as `text/rfc822-headers` (never the body: a bounce must not re-send content the
 * policy may have cared about). From MAILER-DAEMON, `Auto-Submitted: auto-replied` (RFC 3834),
 * sent with `MAIL FROM:<>` so that it can never bounce back (RFC 5321 4.5.5). Never sent for a
 * message whose own sender was `<>`.
 */
import { randomBytes } from 'node:crypto';
import type { Sidecar } from '../spool/types.js';
import { oneLine, type RecipientReply } from './smtp-outcome.js';
import type { UpstreamTransport } from './upstream.js';
import { machineFqdn } from '../config/machine-name.js';


export interface DsnInput {
  readonly sidecar: Sidecar;
  readonly failed: readonly RecipientReply[];
  /** The original header block (readHeaderBlock), without the blank line. */
  readonly headerBlock: Buffer;
  /** Our host name, for Reporting-MTA and the MAILER-DAEMON address. */
  readonly reportingMta?: string;
  /** The upstream that refused, for Remote-MTA. */
  readonly remoteMta?: string;
  /** From: header. Default `Mail Delivery System <MAILER-DAEMON@reportingMta>`. */
  readonly from?: string;
  readonly now?: Date;
}

/** Whether a DSN is owed at all: never to the null sender. */
export function dsnOwed(sidecar: Sidecar): boolean {
  return sidecar.envelope.mailFrom !== '';
}

/** RFC 3463 status from the reply ("550 5.1.1 ..." -> 5.1.1), else from its class. */
export function enhancedStatus(reply: RecipientReply): string {
  const m = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply.response);
  if (m?.[1]) return m[1];
  return reply.code >= 500 ? '5.0.0' : '4.0.0';
}

function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

function angle(id: string): string {
  const clean = id.replace(/[\r\n<>\s]/g, '');
  return `<${clean}>`;
}

export function buildDsn(input: DsnInput): Buffer {
  const { sidecar, failed } = input;
  const host = (input.reportingMta ?? machineFqdn()).replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
  const now = input.now ?? new Date();
  const boundary = `mwdsn-${randomBytes(12).toString('hex')}`;
  const arrival = new Date(sidecar.receivedAt);
  const arrivalDate = rfc5322Date(Number.isFinite(arrival.getTime()) ? arrival : now);
  const sender = sidecar.envelope.mailFrom;

  const headers = [
    `From: ${input.from ? oneLine(input.from) : `Mail Delivery System <MAILER-DAEMON@${host}>`}`,
    `To: <${sender}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <dsn-${sidecar.id}-${now.getTime()}@${host}>`,
    ...(sidecar.messageId ? [`In-Reply-To: ${angle(sidecar.messageId)}`, `References: ${angle(sidecar.messageId)}`] : []),
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];

  const human = [
    `This is the mail system at ${host} (mailwarden).`,
    '',
    'Your message could not be delivered to one or more recipients.',
    'The mail servers that refused it gave the reasons below.',
    '',
    `Reference: ${sidecar.id}`,
    `Subject: ${oneLine(sidecar.subject)}`,
    `Received: ${arrivalDate}`,
    '',
    ...failed.map((f) => `<${f.rcpt}>: ${oneLine(f.response)}`),
  ];

  const perMessage = [`Reporting-MTA: dns; ${host}`, `X-Mailwarden-Id: ${sidecar.id}`, `Arrival-Date: ${arrivalDate}`];
  const perRecipient = failed.map((f) =>
    [
      `Final-Recipient: rfc822; ${f.rcpt}`,
      'Action: failed',
      `Status: ${enhancedStatus(f)}`,
      ...(input.remoteMta ? [`Remote-MTA: dns; ${input.remoteMta}`] : []),
      `Diagnostic-Code: smtp; ${oneLine(f.response)}`,
      `Last-Attempt-Date: ${rfc5322Date(now)}`,
    ].join('\r\n'),
  );

  const text = [
    headers.join('\r\n'),
    '',
    'This is a MIME-encapsulated delivery status notification.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    'Content-Description: Notification',
    '',
    human.join('\r\n'),
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    'Content-Description: Delivery report',
    '',
    [perMessage.join('\r\n'), ...perRecipient].join('\r\n\r\n'),
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    'Content-Description: Undelivered message headers',
    '',
    '',
  ].join('\r\n');

  return Buffer.concat([
    Buffer.from(text, 'utf8'),
    input.headerBlock,
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
}

export interface DsnSendResult {
  /** 'sent': the relay took it; 'refused': the relay said 5xx (nothing more to do). */
  readonly outcome: 'sent' | 'refused';
  readonly response: string;
}

/**
 * Sends a DSN through `transport` with MAIL FROM:<> to the original sender.
 * Throws on a temporary failure (the caller's job retries); a 5xx refusal is final.
 */
export async function sendDsn(transport: UpstreamTransport, sidecar: Sidecar, raw: Buffer): Promise<DsnSendResult> {
  try {
    const info = await transport.sendMail({ envelope: { from: '', to: [sidecar.envelope.mailFrom] }, raw });
    return { outcome: 'sent', response: oneLine(String(info.response ?? '250')) };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message?: string; command?: string };
    if (e.responseCode !== undefined && e.responseCode >= 500 && e.command !== undefined && /^(MAIL FROM|RCPT TO|DATA)$/.test(e.command)) {
      return { outcome: 'refused', response: oneLine(e.response ?? e.message ?? '') };
    }
    throw err;
  }
}
