/**
 * Reload and shutdown of the in-process service, against real sockets and the real Redis.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ehloText, plainMessage, RawSmtp, sleep, spoolFiles, startRelay, startSink, type Relay, type Sink } from '../fronts/smtp/harness.js';

let sink: Sink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(async () => {
  await sink?.close();
});

describe('reload (SIGHUP)', () => {
  let relay: Relay;
  let policyFile: string;
  let configText: string;

  beforeAll(async () => {
    relay = await startRelay(sink.port, {});
    policyFile = join(relay.dir, 'policy.yaml');
    await writeFile(policyFile, await readFile('config/policy.yaml'));
    configText = (await readFile(relay.configFile, 'utf8')).replace(/\}\s*$/, `, "policy": { "file": ${JSON.stringify(policyFile)} } }`);
    await writeFile(relay.configFile, configText);
    expect(await relay.service.reload()).toBe(true);
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it('refuses an invalid policy loudly and keeps the old one', async () => {
    await writeFile(policyFile, 'mode: enforce\nrules:\n  no-such-rule: {}\n');
    expect(await relay.service.reload()).toBe(false);
    const refused = relay.log.find((l) => l.level === 50 && String(l.msg).startsWith('RELOAD REFUSED'));
    expect(refused).toBeDefined();
    expect(JSON.stringify(refused)).toContain('policy.yaml');
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'RESTRICTED still enforced' }));
    client.close();
    expect(reply.code).toBe(550);
  });

  it('applies a valid new policy and size', async () => {
    await writeFile(policyFile, (await readFile('config/policy.yaml', 'utf8')).replace(/^mode: enforce$/m, 'mode: monitor'));
    const cfg = JSON.parse(configText) as { smtp?: Record<string, unknown> };
    cfg.smtp = { ...(cfg.smtp ?? {}), size: 5000 };
    await writeFile(relay.configFile, JSON.stringify(cfg));
    expect(await relay.service.reload()).toBe(true);
    expect(await ehloText(relay.port)).toMatch(/^250[- ]SIZE 5000\r$/m);
    const { client } = await RawSmtp.open(relay.port);
    const monitored = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'RESTRICTED monitored-1' }));
    expect(monitored.code).toBe(250);
    await client.cmd('RSET');
    const big = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ body: 'y'.repeat(8000) }));
    client.close();
    expect(big.code).toBe(552);
    const deadline = Date.now() + 15_000;
    while (!sink.messages.some((m) => m.raw.includes('monitored-1')) && Date.now() < deadline) await sleep(50);
    const raw = sink.messages.find((m) => m.raw.includes('monitored-1'))?.raw.toString('latin1') ?? '';
    expect(raw).toContain('X-Mailwarden-Decision: accept; would-have=reject\r\n');
  });
});

describe('shutdown', () => {
  it('refuses new connections, answers idle sessions 421, lets DATA in progress finish with 250', async () => {
    const relay = await startRelay(sink.port, { smtp: { closeTimeoutMs: 10_000 } });
    try {
      const idle = await RawSmtp.open(relay.port);
      expect((await idle.client.cmd('EHLO idle.test')).code).toBe(250);
      const busy = await RawSmtp.open(relay.port);
      await busy.client.envelope('alex.smith@met.police.uk', ['partner@example.com']);
      expect((await busy.client.cmd('DATA')).code).toBe(354);
      const message = plainMessage({ subject: 'in-flight-1', body: 'z'.repeat(5000) });
      busy.client.socket.write(message.slice(0, 2000));

      const stopped = relay.service.stop();
      await sleep(200);
      const refused = await new Promise<string>((resolve) => {
        const s = connect({ port: relay.port, host: '127.0.0.1' });
        s.on('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');

      expect((await idle.client.cmd('MAIL FROM:<a@met.police.uk>')).code).toBe(421);

      busy.client.socket.write(message.slice(2000) + '.\r\n');
      const reply = await busy.client.next();
      expect(reply.code).toBe(250);
      expect(reply.text).toMatch(/^2\.0\.0 Queued as /);
      busy.client.close();
      await stopped;
      expect(relay.log.some((l) => l.msg === 'mailwarden stopped')).toBe(true);
    } finally {
      await relay.stop();
    }
  });

  it('closes sessions still open after smtp.closeTimeoutMs, even one stuck in DATA, and keeps nothing of it', async () => {
    const relay = await startRelay(sink.port, { smtp: { closeTimeoutMs: 500 } });
    try {
      const stuck = await RawSmtp.open(relay.port);
      await stuck.client.envelope('alex.smith@met.police.uk', ['partner@example.com']);
      expect((await stuck.client.cmd('DATA')).code).toBe(354);
      stuck.client.socket.write(plainMessage({ subject: 'never-ends-1' }).slice(0, 200));
      await sleep(100);
      const started = Date.now();
      await relay.service.stop();
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(400);
      expect(took).toBeLessThan(5_000);
      const deadline = Date.now() + 2_000;
      while (!stuck.client.closed && Date.now() < deadline) await sleep(20);
      expect(stuck.client.closed).toBe(true);
      expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).toEqual([]);
      expect(await spoolFiles(join(relay.dir, 'spool'), 'tmp')).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it('lets a delivery in flight finish before stopping', async () => {
    const slow = await startSink();
    slow.dataDelayMs = 1_500;
    const relay = await startRelay(slow.port, {});
    try {
      const { client } = await RawSmtp.open(relay.port);
      const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'in-delivery-1' }));
      client.close();
      expect(reply.code).toBe(250);
      const ref = /Queued as (\S+)/.exec(reply.text)![1]!;
      await slow.waitFor(1); // the upstream has the data and is slow to say 250
      await relay.service.stop();
      // Stopped only after the upstream's 250 was recorded: the message is done, not left to redeliver.
      // A finished message's files are in done/.
      const sidecar = JSON.parse(await readFile(join(relay.dir, 'spool', 'done', `${ref}.json`), 'utf8').then((t) => t.split('\n')[0]!)) as { id: string };
      expect(sidecar.id).toBe(ref);
      const text = await readFile(join(relay.dir, 'spool', 'done', `${ref}.json`), 'utf8');
      expect(text).toMatch(/"state":"done"/);
      expect(relay.log.some((l) => l.msg === 'delivery attempt' && l.ref === ref)).toBe(true);
    } finally {
      await relay.stop();
      await slow.close();
    }
  });
});
