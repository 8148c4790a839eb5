/** The real service (role all, in-process) with its dashboard, a sink upstream and dashboard users. */
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { hashPassword } from '../../src/auth/password-hash.js';
import { writeUsersFile } from '../../src/auth/users-file.js';
import { fakeExe, plainMessage, startRelay, startSink, type Relay, type Sink } from '../fronts/smtp/harness.js';
import { PASSWORD, USERS } from './support.js';

export interface DashboardRelay {
  readonly relay: Relay;
  readonly sink: Sink;
  /** http://127.0.0.1:PORT of the dashboard. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startDashboardRelay(): Promise<DashboardRelay> {
  const sink = await startSink();
  const relay = await startRelay(sink.port);
  const hash = await hashPassword(PASSWORD);
  await writeUsersFile(join(relay.dir, 'dashboard-users'), USERS.map(([name, role]) => ({ name, role, hashText: hash })));
  const address = relay.service.dashboardAddress;
  if (!address) throw new Error('the service started no dashboard');
  return {
    relay,
    sink,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await relay.stop();
      await sink.close();
    },
  };
}

export async function send(port: number, raw: string | Buffer, from: string, to: string[]): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: false });
  try {
    const info = await transport.sendMail({ envelope: { from, to }, raw });
    return info.response;
  } catch (err) {
    return String((err as { response?: string }).response ?? (err as Error).message);
  }
}

const SENDER = 'alex.smith@met.police.uk';

/** Personal mail over 30 lines: held by personal-brevity under the default policy. */
export function sendHeld(port: number, subject: string, body = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of a long personal note`).join('\r\n')): Promise<string> {
  return send(port, plainMessage({ from: SENDER, to: 'jo.bloggs@example.com', subject: `[Personal] ${subject}`, body }), SENDER, ['jo.bloggs@example.com']);
}

export function sendAccepted(port: number, subject = 'Quarterly figures'): Promise<string> {
  return send(port, plainMessage({ from: SENDER, to: 'partner@example.com', subject }), SENDER, ['partner@example.com']);
}

/** An executable attachment: rejected by executable-content. */
export function sendRejected(port: number): Promise<string> {
  const b = 'mwb';
  const raw = [
    `From: ${SENDER}`,
    'To: partner@example.com',
    'Subject: tool',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain',
    '',
    'the tool',
    `--${b}`,
    'Content-Type: application/octet-stream; name="tool.exe"',
    'Content-Disposition: attachment; filename="tool.exe"',
    'Content-Transfer-Encoding: base64',
    '',
    fakeExe().toString('base64'),
    `--${b}--`,
    '',
  ].join('\r\n');
  return send(port, raw, SENDER, ['partner@example.com']);
}
