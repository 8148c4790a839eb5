/**
 * One client cannot close the relay: per-address (and per-/64) session limits, a share of the
 * sessions for outsiders, a session time limit and a minimum DATA rate, each a clear 421, against
 * the real service on loopback (the whole of 127.0.0.0/8 is local, so tests can be "other hosts").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceSchema, type ServiceConfig } from '../../../src/config/service-schema.js';
import { hashPassword } from '../../../src/fronts/smtp/auth-users.js';
import { ClientLimits, clientKey } from '../../../src/fronts/smtp/client-limits.js';
import type { FrontSettings } from '../../../src/fronts/smtp/front-context.js';
import { RelayNetworks } from '../../../src/fronts/smtp/relay-networks.js';
import { plainMessage, RawSmtp, sleep, spoolFiles, startRelay, startSink, type Relay, type Sink } from './harness.js';

let sink: Sink;
const relays: Relay[] = [];
const open: RawSmtp[] = [];

beforeAll(async () => {
  sink = await startSink();
});

afterAll(async () => {
  for (const c of open) c.socket.destroy();
  for (const r of relays) await r.stop();
  await sink?.close();
});

async function relayWith(extra: Record<string, unknown>): Promise<Relay> {
  const r = await startRelay(sink.port, extra);
  relays.push(r);
  return r;
}

/** Opens `count` idle connections from `from`; returns their greetings' codes. */
async function flood(port: number, from: string, count: number): Promise<{ greeted: number; refused: string[] }> {
  const results = await Promise.all(
    Array.from({ length: count }, async () => {
      const { client, greeting } = await RawSmtp.open(port, from);
      open.push(client);
      return greeting;
    }),
  );
  return { greeted: results.filter((g) => g.code === 220).length, refused: results.filter((g) => g.code !== 220).map((g) => `${g.code} ${g.text}`) };
}

async function arrived(marker: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!sink.messages.some((m) => m.raw.includes(marker))) {
    if (Date.now() > deadline) throw new Error(`message ${marker} did not arrive`);
    await sleep(50);
  }
}

function settings(smtp: Record<string, unknown>): FrontSettings {
  const config = { ...serviceSchema.parse({ smtp }), source: '' } as ServiceConfig;
  return { config, relay: new RelayNetworks(config.smtp.relayNetworks), authUsers: null } as unknown as FrontSettings;
}

describe('which client a connection counts against', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
  ])('%s -> %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });

  it('counts every address of one IPv6 /64 as one client, and frees places on release', () => {
    const limits = new ClientLimits();
    const s = settings({ maxClientsPerAddress: 2, relayNetworks: [] });
    expect(limits.admit('a', '2001:db8:1:2::1', s)).toBeNull();
    expect(limits.admit('b', '2001:db8:1:2:ffff::9', s)).toBeNull();
    expect(limits.admit('c', '2001:db8:1:2::77', s)).toEqual({ kind: 'too-many-from-client', limit: 2 });
    expect(limits.admit('d', '2001:db8:1:3::1', s)).toBeNull();
    limits.release('a');
    limits.release('never-admitted');
    expect(limits.admit('e', '2001:db8:1:2::77', s)).toBeNull();
    expect(limits.sessions).toBe(3);
  });

  it('keeps the rest of maxClients for the relay networks when outsiders reach their share', () => {
    const limits = new ClientLimits();
    const s = settings({ maxClients: 3, maxOutsideClients: 2, relayNetworks: ['10.0.0.0/8'] });
    expect(limits.admit('a', '192.0.2.1', s)).toBeNull();
    expect(limits.admit('b', '192.0.2.2', s)).toBeNull();
    expect(limits.admit('c', '192.0.2.3', s)).toEqual({ kind: 'too-many-clients' });
    expect(limits.admit('d', '10.1.1.1', s)).toBeNull();
    expect(limits.admit('e', '10.1.1.2', s)).toEqual({ kind: 'too-many-clients' });
  });

  it('counts an outsider that authenticated as one of ours: its place in the outsiders\' share goes to the next', () => {
    const limits = new ClientLimits();
    const s = settings({ maxClients: 4, maxOutsideClients: 2, relayNetworks: ['10.0.0.0/8'] });
    expect(limits.admit('a', '192.0.2.1', s)).toBeNull();
    expect(limits.admit('b', '192.0.2.2', s)).toBeNull();
    expect(limits.admit('c', '192.0.2.3', s)).toEqual({ kind: 'too-many-clients' });
    limits.authenticated('a');
    limits.authenticated('a'); // twice: counted once
    limits.authenticated('never-admitted');
    expect(limits.admit('c', '192.0.2.3', s)).toBeNull();
    expect(limits.admit('d', '192.0.2.4', s)).toEqual({ kind: 'too-many-clients' });
    // When it leaves, the share is not given back twice.
    limits.release('a');
    expect(limits.admit('d', '192.0.2.4', s)).toEqual({ kind: 'too-many-clients' });
    limits.release('b');
    expect(limits.admit('d', '192.0.2.4', s)).toBeNull();
  });
});

describe('a flood from one client', () => {
  it('300 idle connections from one address hold 50 places; another address still gets its mail through', async () => {
    const relay = await relayWith({});
    const { greeted, refused } = await flood(relay.port, '127.0.0.1', 300);
    expect(greeted).toBe(50);
    expect(refused).toHaveLength(250);
    expect(refused.every((r) => r === '421 4.7.0 Too many connections from your address (limit 50), try again later')).toBe(true);
    // Reconnecting does not help the flooder...
    const again = await RawSmtp.open(relay.port, '127.0.0.1');
    expect(again.greeting.code).toBe(421);
    // ...and another client in the relay networks is served as usual.
    const { client, greeting } = await RawSmtp.open(relay.port, '127.0.0.2');
    expect(greeting.code).toBe(220);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'flood-survivor-1' }));
    client.close();
    expect(reply.code).toBe(250);
    await arrived('flood-survivor-1');
    expect(relay.log.some((l) => l.msg === 'smtp connection refused' && l.client === '127.0.0.1')).toBe(true);
  });

  it('an outsider flooding from many addresses fills only its share: relay networks and an authenticated user keep working', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-limits-'));
    try {
      const users = join(dir, 'users');
      await writeFile(users, `alice:${await hashPassword('correct horse')}\n`);
      const relay = await relayWith({
        smtp: { relayNetworks: ['127.0.0.2/32'], maxClients: 12, maxOutsideClients: 8, maxClientsPerAddress: 3, authUsersFile: users, allowInsecureAuth: true },
      });
      // The authenticated user connects first (an outsider too), then the flood.
      const alice = await RawSmtp.open(relay.port, '127.0.0.3');
      expect(alice.greeting.code).toBe(220);
      open.push(alice.client);
      let greeted = 0;
      for (const host of ['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4']) greeted += (await flood(relay.port, host, 10)).greeted;
      expect(greeted).toBe(7); // 8 outsiders in all, alice holds one
      const extra = await RawSmtp.open(relay.port, '127.0.1.9');
      expect(extra.greeting).toEqual({ code: 421, text: '4.3.2 Too many connected clients, try again later' });

      const inside = await RawSmtp.open(relay.port, '127.0.0.2');
      expect(inside.greeting.code).toBe(220);
      expect((await inside.client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'share-inside-1' }))).code).toBe(250);
      inside.client.close();

      await alice.client.cmd('EHLO laptop.test');
      expect((await alice.client.cmd(`AUTH PLAIN ${Buffer.from('\0alice\0correct horse').toString('base64')}`)).code).toBe(235);
      const env = [await alice.client.cmd('MAIL FROM:<alice@met.police.uk>'), await alice.client.cmd('RCPT TO:<partner@example.com>')];
      expect(env.map((r) => r.code)).toEqual([250, 250]);
      expect((await alice.client.data(plainMessage({ from: 'alice@met.police.uk', subject: 'share-alice-1' }))).code).toBe(250);
      await arrived('share-inside-1');
      await arrived('share-alice-1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('time limits', () => {
  it('ends a session at smtp.maxSessionMs with 421 4.4.2', async () => {
    const relay = await relayWith({ smtp: { maxSessionMs: 1500 } });
    const { client } = await RawSmtp.open(relay.port);
    expect((await client.cmd('EHLO client.test')).code).toBe(250);
    const started = Date.now();
    const reply = await client.next(5000);
    expect(reply).toEqual({ code: 421, text: '4.4.2 Session time limit (2 s) reached, closing connection' });
    expect(Date.now() - started).toBeLessThan(3000);
    await sleep(100);
    expect(client.closed).toBe(true);
  });

  it('lets a DATA in progress at the session limit get its reply first', async () => {
    const relay = await relayWith({ smtp: { maxSessionMs: 1000 } });
    const { client } = await RawSmtp.open(relay.port);
    await client.envelope('alex.smith@met.police.uk', ['partner@example.com']);
    expect((await client.cmd('DATA')).code).toBe(354);
    client.socket.write(plainMessage({ subject: 'late-data-1' }).slice(0, 40));
    await sleep(1400);
    client.socket.write(plainMessage({ subject: 'late-data-1' }).slice(40) + '\r\n.\r\n');
    expect((await client.next()).code).toBe(250);
    expect((await client.next()).code).toBe(421);
    await arrived('late-data-1');
  });

  it('drops a client that trickles DATA below smtp.minDataRate with 421 4.4.2 and keeps nothing', { timeout: 30_000 }, async () => {
    const relay = await relayWith({ smtp: { minDataRate: 200, socketTimeoutMs: 60_000 } });
    const { client } = await RawSmtp.open(relay.port);
    await client.envelope('alex.smith@met.police.uk', ['partner@example.com']);
    expect((await client.cmd('DATA')).code).toBe(354);
    const text = plainMessage({ subject: 'trickle-1' });
    let i = 0;
    // 40 bytes a second: never silent long enough for the idle timer, far under 200 bytes a second.
    const drip = setInterval(() => client.socket.write(text.slice(i, (i += 10))), 250);
    try {
      const reply = await client.next(20_000);
      expect(reply).toEqual({ code: 421, text: '4.4.2 DATA too slow: under 200 bytes per second, closing connection' });
    } finally {
      clearInterval(drip);
    }
    await sleep(300);
    expect(client.closed).toBe(true);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).toEqual([]);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'tmp')).toEqual([]);
  });
});
