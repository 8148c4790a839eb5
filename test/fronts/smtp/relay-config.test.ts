/**
 * Relay behaviour that depends on configuration: no open relay, AUTH only after STARTTLS, the size
 * limit, bare line endings refused, IPv6 listening, and Redis down (451, nothing kept).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditDir } from '../../../src/audit/verify.js';
import { loadServiceConfig } from '../../../src/config/load-service.js';
import { hashPassword } from '../../../src/fronts/smtp/auth-users.js';
import { createSmtpFront } from '../../../src/fronts/smtp/server.js';
import { Dispatcher } from '../../../src/queue/dispatch.js';
import { createRedis } from '../../../src/queue/redis.js';
import { loadSettings } from '../../../src/service/settings.js';
import { Spool } from '../../../src/spool/spool.js';
import {
  ehloText,
  memoryLogger,
  plainMessage,
  RawSmtp,
  REDIS_URL,
  sleep,
  spoolFiles,
  startRelay,
  startSink,
  testConfig,
  testPrefix,
  writePolicyFile,
  type Relay,
  type Sink,
} from './harness.js';

let sink: Sink;
let dir: string;
const relays: Relay[] = [];

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-relay-config-'));
});

afterAll(async () => {
  for (const r of relays) await r.stop();
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

async function relayWith(extra: Record<string, unknown>): Promise<Relay> {
  const r = await startRelay(sink.port, extra);
  relays.push(r);
  return r;
}

/** A relay whose policy is config/policy.yaml with `override` merged in. */
async function relayWithPolicy(name: string, override: Record<string, unknown>): Promise<Relay> {
  return relayWith({ policy: { file: await writePolicyFile(join(dir, `${name}.policy.yaml`), override) } });
}

async function arrived(marker: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = sink.messages.find((m) => m.raw.includes(marker));
    if (hit) return hit.raw.toString('latin1');
    if (Date.now() > deadline) throw new Error(`message ${marker} did not arrive`);
    await sleep(50);
  }
}

/** From crypt_blowfish's test vectors: the password is U*U. */
const BCRYPT_U_U = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';

describe('relay access', () => {
  let relay: Relay;
  beforeAll(async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=mw.test'], {
      stdio: 'ignore',
    });
    const users = join(dir, 'users');
    // bob's line is bcrypt, as htpasswd -B or PHP write them (crypt_blowfish's own test vector).
    await writeFile(users, `alice:${await hashPassword('correct horse')}\nbob:${BCRYPT_U_U}\n`);
    // 127.0.0.1 is NOT an allowed network here: the test client is an outsider.
    relay = await relayWith({ smtp: { relayNetworks: ['10.0.0.0/8'], authUsersFile: users, tls: { cert, key } } });
  });

  /** nodemailer over STARTTLS (our test certificate is self-signed) with AUTH as `user`. */
  const authTransport = (user: string, pass: string, extra: { name?: string; authMethod?: string } = {}) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: relay.port, requireTLS: true, tls: { rejectUnauthorized: false }, auth: { user, pass }, ...extra });

  it('refuses an unauthenticated client from outside the relay networks: 554 5.7.1 at RCPT', async () => {
    const { client } = await RawSmtp.open(relay.port);
    const [ehlo, mail, rcpt] = await client.envelope('someone@example.net', ['victim@example.com']);
    expect(ehlo?.code).toBe(250);
    expect(mail?.code).toBe(250);
    expect(rcpt).toEqual({ code: 554, text: '5.7.1 Relay access denied' });
    expect((await client.cmd('DATA')).code).toBe(503);
    client.close();
    expect(relay.log.some((l) => l.msg === 'relay denied' && l.rcpt === 'victim@example.com')).toBe(true);
  });

  it('refuses AUTH before STARTTLS', async () => {
    const { client } = await RawSmtp.open(relay.port);
    await client.cmd('EHLO client.test');
    const auth = await client.cmd(`AUTH PLAIN ${Buffer.from('\0alice\0correct horse').toString('base64')}`);
    // AUTH is off on a cleartext session: smtp-server answers it as an unknown command.
    expect(auth.code).toBe(500);
    expect((await client.cmd('MAIL FROM:<alice@met.police.uk>')).code).toBe(250);
    expect((await client.cmd('RCPT TO:<partner@example.com>')).code).toBe(554);
    client.close();
  });

  it('relays for a user who authenticated after STARTTLS, and says so in Received:', async () => {
    const transport = authTransport('alice', 'correct horse', { name: 'laptop.test' });
    const info = await transport.sendMail({
      envelope: { from: 'alice@met.police.uk', to: ['partner@example.com'] },
      raw: plainMessage({ from: 'alice@met.police.uk', subject: 'auth-ok-1' }),
    });
    expect(info.response).toMatch(/^250 2\.0\.0 Queued as /);
    expect(await arrived('auth-ok-1')).toMatch(/^Received: from laptop\.test \(\[127\.0\.0\.1\]\) by mw\.test \(mailwarden\) with ESMTPSA id /);
  });

  it('takes AUTH LOGIN as well as PLAIN', async () => {
    const transport = authTransport('alice', 'correct horse', { authMethod: 'LOGIN' });
    const info = await transport.sendMail({
      envelope: { from: 'alice@met.police.uk', to: ['partner@example.com'] },
      raw: plainMessage({ from: 'alice@met.police.uk', subject: 'auth-login-1' }),
    });
    expect(info.response).toMatch(/^250 2\.0\.0 Queued as /);
    expect(relay.log.some((l) => l.msg === 'smtp transaction' && l.user === 'alice' && String(l.reply).startsWith('250'))).toBe(true);
  });

  it('relays for a user whose line is a bcrypt hash', async () => {
    const transport = authTransport('bob', 'U*U');
    const info = await transport.sendMail({
      envelope: { from: 'bob@met.police.uk', to: ['partner@example.com'] },
      raw: plainMessage({ from: 'bob@met.police.uk', subject: 'auth-bcrypt-1' }),
    });
    expect(info.response).toMatch(/^250 2\.0\.0 Queued as /);
    expect(await arrived('auth-bcrypt-1')).toMatch(/with ESMTPSA id /);
  });

  it('refuses a wrong password with 535 5.7.8', async () => {
    const transport = authTransport('alice', 'wrong');
    const err = (await transport
      .sendMail({ envelope: { from: 'alice@met.police.uk', to: ['partner@example.com'] }, raw: plainMessage() })
      .catch((e: unknown) => e)) as { responseCode?: number; response?: string };
    expect(err.responseCode).toBe(535);
    expect(err.response).toContain('5.7.8');
  });
});

describe('the keyed audit trail', () => {
  it('keys every record with the HMAC key from audit.hmacKeyFile, and refuses to start with a short one', async () => {
    const keyDir = await mkdtemp(join(tmpdir(), 'mw-key-'));
    try {
      const keyFile = join(keyDir, 'audit.key');
      await writeFile(keyFile, 'f'.repeat(64) + '\n');
      const relay = await relayWith({ audit: { hmacKeyFile: keyFile } });
      const { client } = await RawSmtp.open(relay.port);
      const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'keyed-1' }));
      client.close();
      expect(reply.code).toBe(250);
      await arrived('keyed-1');
      const auditDir = join(relay.dir, 'audit');
      let result = await verifyAuditDir(auditDir, { key: Buffer.from('f'.repeat(64)) });
      for (let i = 0; i < 100 && result.records < 2; i++) {
        await sleep(50); // the decision and the delivery are written by the audit worker
        result = await verifyAuditDir(auditDir, { key: Buffer.from('f'.repeat(64)) });
      }
      expect(result).toMatchObject({ ok: true });
      expect(result.records).toBeGreaterThanOrEqual(2);
      expect(result.keyed).toBe(result.records);

      await writeFile(keyFile, 'short\n');
      await expect(relayWith({ audit: { hmacKeyFile: keyFile } })).rejects.toThrow(/audit\.hmacKeyFile: .*at least 32 bytes/);
    } finally {
      await rm(keyDir, { recursive: true, force: true });
    }
  });
});

describe('limits', () => {
  it('answers an over-size message 552 5.3.4 and keeps nothing; SIZE is advertised', async () => {
    const relay = await relayWith({ smtp: { size: 3000 } });
    const { client } = await RawSmtp.open(relay.port);
    const ehlo = await client.cmd('EHLO client.test');
    expect(ehlo.code).toBe(250);
    await client.cmd('MAIL FROM:<alex.smith@met.police.uk>');
    await client.cmd('RCPT TO:<partner@example.com>');
    const reply = await client.data(plainMessage({ subject: 'too-big-1', body: 'x'.repeat(10_000) }));
    client.close();
    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.3\.4 /);
    const spoolDir = join(relay.dir, 'spool');
    expect(await spoolFiles(spoolDir, 'msg')).toEqual([]);
    expect(await spoolFiles(spoolDir, 'tmp')).toEqual([]);
    expect(await ehloText(relay.port)).toMatch(/^250[- ]SIZE 3000\r$/m);
  });

  it('counts the size after bare LFs become CRLF: under the limit as sent, over it as spooled, is 552', async () => {
    const relay = await relayWith({ smtp: { size: 3000 } });
    const head = plainMessage({ subject: 'grows-1', body: '' });
    // 2,600 bytes as sent; each bare LF gains a CR, so 3,600 once normalised.
    const message = head + 'a\n'.repeat(Math.floor((2600 - head.length) / 2));
    expect(message.length).toBeLessThanOrEqual(2600);
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], message);
    client.close();
    expect(reply.code).toBe(552);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).toEqual([]);
  });

  it('refuses recipients past smtp.maxRecipients with a 452, and keeps the first ones', async () => {
    const relay = await relayWith({ smtp: { maxRecipients: 2 } });
    const { client } = await RawSmtp.open(relay.port);
    const replies = await client.envelope('alex.smith@met.police.uk', ['a@example.com', 'b@example.com', 'c@example.com']);
    expect(replies.map((r) => r?.code)).toEqual([250, 250, 250, 250, 452]);
    const reply = await client.data(plainMessage({ subject: 'two-rcpts-1' }));
    client.close();
    expect(reply.code).toBe(250);
    expect(await arrived('two-rcpts-1')).toContain('two-rcpts-1');
    expect(sink.messages.find((m) => m.raw.includes('two-rcpts-1'))?.rcptTo).toEqual(['a@example.com', 'b@example.com']);
  });

  it('turns away a client past smtp.maxClients with 421 and serves the next one after', async () => {
    const relay = await relayWith({ smtp: { maxClients: 1 } });
    const first = await RawSmtp.open(relay.port);
    expect(first.greeting.code).toBe(220);
    const second = await RawSmtp.open(relay.port);
    expect(second.greeting.code).toBe(421);
    second.client.close();
    expect((await first.client.cmd('QUIT')).code).toBe(221);
    first.client.close();
    const deadline = Date.now() + 5000;
    let third = await RawSmtp.open(relay.port);
    while (third.greeting.code !== 220 && Date.now() < deadline) {
      third.client.close();
      await sleep(50);
      third = await RawSmtp.open(relay.port);
    }
    expect(third.greeting.code).toBe(220);
    third.client.close();
  });

  it('does not advertise ENHANCEDSTATUSCODES (smtp-server would make every 550 a 5.1.1); every reply carries our own', async () => {
    const relay = await relayWith({});
    const ehlo = await ehloText(relay.port);
    expect(ehlo).toMatch(/^250-PIPELINING\r$/m);
    expect(ehlo).not.toMatch(/ENHANCEDSTATUSCODES/);
  });

  it('answers 451 4.3.0 when the spool cannot store the message, and queues nothing', async () => {
    const relay = await relayWith({});
    // The spool's message directory replaced by a file: every commit fails as on a broken disk.
    const msgDir = join(relay.dir, 'spool', 'msg');
    await rm(msgDir, { recursive: true, force: true });
    await writeFile(msgDir, 'not a directory');
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'disk-broken-1' }));
    client.close();
    expect(reply.code).toBe(451);
    expect(reply.text).toMatch(/^4\.3\.0 .* ref \S+$/);
    const redis = new Redis(REDIS_URL);
    try {
      // No job (a job's hash is `<prefix>:deliver:deliver-<ref>`); the queue's own bookkeeping keys do not count.
      expect(await redis.keys(`${relay.prefix}:deliver:deliver-*`)).toEqual([]);
      expect(await redis.llen(`${relay.prefix}:deliver:wait`)).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect(relay.log.some((l) => l.msg === 'smtp transaction failed')).toBe(true);
  });

  it('refuses bare line endings with 550 5.6.0 when configured to', async () => {
    const relay = await relayWithPolicy('bare-reject', { inspection: { bareLineEndings: 'reject' } });
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ body: 'a\nb' }));
    client.close();
    expect(reply.code).toBe(550);
    expect(reply.text).toMatch(/^5\.6\.0 /);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).toEqual([]);
  });

  it('answers 451 4.3.0 when the verdict takes longer than the inspection timeout, and keeps nothing', async () => {
    const relay = await relayWithPolicy('timeout-1', { inspection: { timeoutMs: 1 } });
    const body = Buffer.alloc(1_500_000, 'q').toString('base64').replace(/(.{76})/g, '$1\r\n');
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'slow-1', body }));
    client.close();
    expect(reply.code).toBe(451);
    expect(reply.text).toMatch(/^4\.3\.0 .* ref \S+$/);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).toEqual([]);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'tmp')).toEqual([]);
    const failed = relay.log.find((l) => l.msg === 'smtp transaction failed');
    expect(JSON.stringify(failed)).toContain('no verdict within 1 ms');
  });

  it('drops a client that stalls mid-DATA and keeps nothing', async () => {
    const relay = await relayWith({ smtp: { socketTimeoutMs: 800 } });
    const { client } = await RawSmtp.open(relay.port);
    await client.envelope('alex.smith@met.police.uk', ['partner@example.com']);
    expect((await client.cmd('DATA')).code).toBe(354);
    client.socket.write(plainMessage({ subject: 'stall-1' }).slice(0, 100));
    const reply = await client.next(5000);
    expect(reply.code).toBe(421);
    const deadline = Date.now() + 3000;
    while (!client.closed && Date.now() < deadline) await sleep(20);
    expect(client.closed).toBe(true);
    await sleep(200);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'tmp')).toEqual([]);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).toEqual([]);
  });

  it('listens on IPv6 ([::1]:port) and relays for ::1', async () => {
    const relay = await relayWith({ listen: '[::1]:0' });
    expect(relay.service.smtpAddress?.address).toBe('::1');
    const transport = nodemailer.createTransport({ host: '::1', port: relay.port, ignoreTLS: true });
    const info = await transport.sendMail({
      envelope: { from: 'alex.smith@met.police.uk', to: ['partner@example.com'] },
      raw: plainMessage({ subject: 'ipv6-1' }),
    });
    expect(info.response).toMatch(/^250 /);
    expect(await arrived('ipv6-1')).toMatch(/^Received: from \S+ \(\[IPv6:::1\]\)/);
  });
});

describe('Redis unreachable', () => {
  it('answers 451 4.3.0 with a ref within seconds and keeps no spool file', async () => {
    const sub = await mkdtemp(join(dir, 'noredis-'));
    const cfgFile = join(sub, 'mailwarden.yaml');
    await writeFile(cfgFile, JSON.stringify(testConfig(sub, testPrefix(), sink.port)));
    const config = await loadServiceConfig({ file: cfgFile, env: {} });
    const { logger, lines } = memoryLogger();
    const spool = await Spool.open(join(sub, 'spool'));
    const connection = createRedis('redis://127.0.0.1:1', 'producer'); // nothing listens on port 1
    const dispatcher = new Dispatcher({ connection, prefix: testPrefix(), addTimeoutMs: 1500 });
    const settings = await loadSettings(config, logger);
    const front = createSmtpFront({ spool, dispatcher, logger, settings: () => settings });
    const address = await front.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { client } = await RawSmtp.open(address.port);
      const started = Date.now();
      const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'no-redis-1' }));
      client.close();
      expect(reply.code).toBe(451);
      expect(reply.text).toMatch(/^4\.3\.0 .* ref \S+$/);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(await spoolFiles(join(sub, 'spool'), 'msg')).toEqual([]);
      expect(await spoolFiles(join(sub, 'spool'), 'tmp')).toEqual([]);
      expect(lines.some((l) => l.msg === 'smtp transaction failed' && typeof l.reply === 'string' && l.reply.startsWith('451'))).toBe(true);
    } finally {
      await front.close();
      await dispatcher.close();
      connection.disconnect();
    }
  });
});
