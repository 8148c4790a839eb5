/**
 * AUTH never crosses the network in clear unless `smtp.allowInsecureAuth` says so: not advertised,
 * not accepted on a cleartext session, and a config with users but no certificate does not start.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/fronts/smtp/auth-users.js';
import { ehloText, plainMessage, RawSmtp, startRelay, startSink, type Relay, type Sink } from './harness.js';

let sink: Sink;
let dir: string;
let users: string;
const relays: Relay[] = [];

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-cleartext-auth-'));
  users = join(dir, 'users');
  await writeFile(users, `alice:${await hashPassword('correct horse')}\n`);
});

afterAll(async () => {
  for (const r of relays) await r.stop();
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

async function relayWith(smtp: Record<string, unknown>): Promise<Relay> {
  const r = await startRelay(sink.port, { smtp: { relayNetworks: ['10.0.0.0/8'], authUsersFile: users, ...smtp } });
  relays.push(r);
  return r;
}

const plainAuth = `AUTH PLAIN ${Buffer.from('\0alice\0correct horse').toString('base64')}`;

describe('AUTH and encryption', () => {
  it('refuses to start with smtp.authUsersFile but neither a certificate nor allowInsecureAuth, naming both keys', async () => {
    await expect(relayWith({})).rejects.toThrow(/smtp\.authUsersFile: AUTH needs an encrypted session: set smtp\.tls\.cert and smtp\.tls\.key .*smtp\.allowInsecureAuth: true/);
  });

  it('with a certificate: AUTH is not offered before STARTTLS, refused if tried, offered and accepted after it', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=mw.test'], {
      stdio: 'ignore',
    });
    const relay = await relayWith({ tls: { cert, key } });
    const ehlo = await ehloText(relay.port);
    expect(ehlo).toMatch(/^250[- ]STARTTLS\r$/m);
    expect(ehlo).not.toMatch(/AUTH/);

    const { client } = await RawSmtp.open(relay.port);
    await client.cmd('EHLO client.test');
    expect((await client.cmd(plainAuth)).code).toBe(500);
    expect((await client.cmd('MAIL FROM:<alice@met.police.uk>')).code).toBe(250);
    expect((await client.cmd('RCPT TO:<partner@example.com>')).code).toBe(554);
    client.close();

    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: relay.port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'alice', pass: 'correct horse' },
    });
    const info = await transport.sendMail({
      envelope: { from: 'alice@met.police.uk', to: ['partner@example.com'] },
      raw: plainMessage({ from: 'alice@met.police.uk', subject: 'tls-auth-1' }),
    });
    expect(info.response).toMatch(/^250 2\.0\.0 Queued as /);
  });

  it('with allowInsecureAuth and no certificate: AUTH is offered and accepted in clear (the operator said so)', async () => {
    const relay = await relayWith({ allowInsecureAuth: true });
    expect(await ehloText(relay.port)).toMatch(/^250[- ]AUTH PLAIN LOGIN\r$/m);
    const { client } = await RawSmtp.open(relay.port);
    await client.cmd('EHLO client.test');
    expect((await client.cmd(plainAuth)).code).toBe(235);
    expect((await client.cmd('MAIL FROM:<alice@met.police.uk>')).code).toBe(250);
    expect((await client.cmd('RCPT TO:<partner@example.com>')).code).toBe(250);
    client.close();
  });
});
