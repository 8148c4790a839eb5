/**
 * The audit tells the truth after a Redis pause: a message answered 451 because Redis stalled gets
 * a `tempfailed` record after its decision record (which the stalled Redis still writes once it
 * runs again). A private redis-server, paused with SIGSTOP: the shared one must not be paused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../service/service-process.js';
import { plainMessage, RawSmtp, sleep, spoolFiles, startRelay, startSink, type Relay, type Sink } from './harness.js';

let redis: ChildProcess;
let redisUrl: string;
let sink: Sink;
let relay: Relay | undefined;

beforeAll(async () => {
  const port = await freePort();
  redisUrl = `redis://127.0.0.1:${port}`;
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const ok = await probe.connect().then(() => probe.ping()).then(() => true, () => false);
    probe.disconnect();
    if (ok) break;
    if (Date.now() > deadline) throw new Error('private redis-server did not start');
    await sleep(100);
  }
  sink = await startSink();
}, 20_000);

afterAll(async () => {
  redis.kill('SIGCONT');
  await relay?.stop();
  await sink?.close();
  redis.kill('SIGKILL');
});

async function auditRecords(dir: string): Promise<{ type: string; ref: string; reason?: string }[]> {
  const out: { type: string; ref: string; reason?: string }[] = [];
  for (const name of (await readdir(dir).catch(() => [])).sort()) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      out.push(JSON.parse(line) as { type: string; ref: string; reason?: string });
    }
  }
  return out;
}

describe('the audit after a Redis pause', () => {
  it('records tempfailed after the decision of a message answered 451, and the message is not delivered', async () => {
    relay = await startRelay(sink.port, { redis: { url: redisUrl } });
    redis.kill('SIGSTOP');
    let reply;
    try {
      const { client } = await RawSmtp.open(relay.port);
      reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'paused-1' }));
      client.close();
    } finally {
      redis.kill('SIGCONT');
    }
    expect(reply.code).toBe(451);
    const ref = /ref (\S+)$/.exec(reply.text)?.[1];
    expect(ref).toBeTruthy();
    expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).toEqual([]);

    const auditDir = join(relay.dir, 'audit');
    let mine: { type: string; reason?: string }[] = [];
    for (let i = 0; i < 200; i++) {
      mine = (await auditRecords(auditDir)).filter((e) => e.ref === ref);
      if (mine.some((e) => e.type === 'tempfailed')) break;
      await sleep(100);
    }
    const types = mine.map((e) => e.type);
    // The stalled Redis ran the queued decision write after the pause; the tempfailed record follows it.
    expect(types).toEqual(['decision', 'tempfailed']);
    expect(mine.find((e) => e.type === 'tempfailed')?.reason).toMatch(/^the sender was told to try again later and the message was not kept/);
    await sleep(500);
    expect(sink.messages.some((m) => m.raw.includes('paused-1'))).toBe(false);
  }, 40_000);
});
