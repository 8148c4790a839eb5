/**
 * The intake's settings over real SMTP: NUL bytes deleted (default) or refused with a 5xx naming
 * inspection.nulBytes; and a check that throws logged with its rule, the ref and the stack.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../../src/config/load-service.js';
import { createSmtpFront } from '../../../src/fronts/smtp/server.js';
import type { Check } from '../../../src/policy/check.js';
import { CHECKS } from '../../../src/policy/checks/index.js';
import { Dispatcher } from '../../../src/queue/dispatch.js';
import { createRedis } from '../../../src/queue/redis.js';
import { loadSettings } from '../../../src/service/settings.js';
import { Spool } from '../../../src/spool/spool.js';
import { dropKeys, memoryLogger, plainMessage, RawSmtp, REDIS_URL, sleep, spoolFiles, startRelay, startSink, testConfig, testPrefix, writePolicyFile, type Relay, type Sink } from './harness.js';

let sink: Sink;
let dir: string;
const relays: Relay[] = [];

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-intake-relay-'));
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

async function relayWithPolicy(name: string, override: Record<string, unknown>): Promise<Relay> {
  const relay = await startRelay(sink.port, { policy: { file: await writePolicyFile(join(dir, `${name}.policy.yaml`), override) } });
  relays.push(relay);
  return relay;
}

async function arrived(marker: string, timeoutMs = 15_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = sink.messages.find((m) => m.raw.includes(marker));
    if (hit) return hit.raw;
    if (Date.now() > deadline) throw new Error(`message ${marker} did not arrive`);
    await sleep(50);
  }
}

describe('NUL bytes in DATA', () => {
  it('deletes them by default: the spool and the upstream get the message without them', async () => {
    const relay = await startRelay(sink.port);
    relays.push(relay);
    const message = plainMessage({ subject: 'nul-strip-1', body: 'Figures: robbery\0\0 flat,\0 burglary down.' });
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], message);
    client.close();
    expect(reply.code).toBe(250);
    const ref = /Queued as (\S+)/.exec(reply.text)![1]!;
    const delivered = await arrived('nul-strip-1');
    expect(delivered.includes(0)).toBe(false);
    expect(delivered.toString('latin1')).toContain('Figures: robbery flat, burglary down.');
    const line = relay.log.find((l) => l.msg === 'smtp transaction' && l.ref === ref);
    expect(line?.size).toBe(message.length - 3);
  });

  it('counts the size after they are deleted: over smtp.size as sent, under it as spooled, is accepted', async () => {
    const relay = await startRelay(sink.port, { smtp: { size: 3000 } });
    relays.push(relay);
    const head = plainMessage({ subject: 'nul-size-1', body: 'short note' });
    const message = head.replace('short note', `short${'\0'.repeat(3000)} note`);
    expect(message.length).toBeGreaterThan(3000);
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], message);
    client.close();
    expect(reply.code).toBe(250);
    expect((await arrived('nul-size-1')).toString('latin1')).toContain('short note');
  });

  it("refuses them with 550 5.6.0 naming inspection.nulBytes when set to 'reject', and keeps nothing", async () => {
    const relay = await relayWithPolicy('nul-reject', { inspection: { nulBytes: 'reject' } });
    const { client } = await RawSmtp.open(relay.port);
    const refused = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'nul-reject-1', body: 'a\0b' }));
    expect(refused).toEqual({ code: 550, text: '5.6.0 NUL byte in message data: refused (policy inspection.nulBytes is reject)' });
    // The same connection goes on; a clean message passes.
    const clean = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'nul-reject-2' }));
    client.close();
    expect(clean.code).toBe(250);
    await arrived('nul-reject-2');
    expect(sink.messages.some((m) => m.raw.includes('nul-reject-1'))).toBe(false);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'tmp')).toEqual([]);
    const cleanRef = /Queued as (\S+)/.exec(clean.text)![1]!;
    // Delivered mail moves from msg/ to done/: look in both.
    const kept = [
      ...(await readdir(join(relay.dir, 'spool', 'msg'), { recursive: true })),
      ...(await readdir(join(relay.dir, 'spool', 'done'), { recursive: true }).catch(() => [] as string[])),
    ];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.filter((name) => !name.includes(cleanRef) && !/^[^.]*$/.test(name))).toEqual([]); // only the clean message's files
  });
});

describe('a check that throws', () => {
  it('is logged with its rule, the ref and the stack, and the message is held', async () => {
    const sub = await mkdtemp(join(dir, 'throwing-'));
    const prefix = testPrefix();
    const cfgFile = join(sub, 'mailwarden.yaml');
    await writeFile(cfgFile, JSON.stringify(testConfig(sub, prefix, sink.port)));
    const config = await loadServiceConfig({ file: cfgFile, env: {} });
    const { logger, lines } = memoryLogger();
    const spool = await Spool.open(join(sub, 'spool'));
    const connection = createRedis(REDIS_URL, 'producer');
    const dispatcher = new Dispatcher({ connection, prefix });
    const settings = await loadSettings(config, logger);
    const broken: Check = {
      id: 'personal-brevity',
      policyRef: 'MPS Personal Use SOP 3.7',
      run() {
        throw new TypeError("Cannot read properties of undefined (reading 'lines')");
      },
    };
    // The real front, spool and dispatcher; only the list of checks is swapped, through the front's seam.
    const front = createSmtpFront({ spool, dispatcher, logger, settings: () => settings, checks: CHECKS.map((c) => (c.id === broken.id ? broken : c)) });
    const address = await front.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { client } = await RawSmtp.open(address.port);
      const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'throws-1' }));
      client.close();
      expect(reply.code).toBe(250);
      expect(reply.text).toMatch(/^2\.0\.0 Held for review ref (\S+)$/);
      const ref = /ref (\S+)$/.exec(reply.text)![1]!;
      const logged = lines.find((l) => l.level === 50 && l.rule === 'personal-brevity');
      expect(logged).toMatchObject({ ref, rule: 'personal-brevity', msg: 'the personal-brevity check failed: its finding holds the message for review' });
      const err = logged?.err as { type?: string; message?: string; stack?: string } | undefined;
      expect(err?.type).toBe('TypeError');
      expect(err?.stack).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'lines'\)\n\s+at /);
      expect(lines.find((l) => l.msg === 'smtp transaction' && l.ref === ref)).toMatchObject({ decision: 'quarantine', rules: ['personal-brevity'] });
    } finally {
      await front.close();
      await dispatcher.close();
      connection.disconnect();
      await dropKeys(prefix);
    }
  });
});
