/**
 * SIGKILL of a deliver worker mid-delivery (the at-least-once window, see src/workers/deliver.ts):
 * killed before the end of data -> the message is delivered exactly once after takeover;
 * killed right after the upstream's 250 -> delivered, with at most one duplicate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { decisionEvent } from '../../src/audit/build-event.js';
import { Dispatcher } from '../../src/queue/dispatch.js';
import { createRedis } from '../../src/queue/redis.js';
import { startDeliverWorker } from '../../src/workers/deliver.js';
import { dropPrefix, REDIS_URL, silent, spoolMessage, tempSpool, testPrefix, waitFor } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Mode = 'stall-first-data' | 'kill-after-250';

async function upstream(mode: Mode, onFirstData: () => void) {
  const delivered: Buffer[] = [];
  let sessions = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, cb) {
      const first = sessions++ === 0;
      stream.on('error', () => {}); // the killed client resets the connection mid-DATA
      if (first && mode === 'stall-first-data') {
        onFirstData(); // never read, never answer: the worker is stuck before end of data
        return;
      }
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        delivered.push(Buffer.concat(parts));
        cb();
        if (first) onFirstData(); // 250 is on its way: kill now
      });
    },
  });
  server.on('error', () => {}); // ECONNRESET from the killed client
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, delivered };
}

async function scenario(mode: Mode): Promise<{ deliveries: number; state: string; audited: string[] }> {
  const prefix = testPrefix();
  const { spool, cleanup } = await tempSpool();
  const producer = createRedis(REDIS_URL, 'producer');
  const dispatcher = new Dispatcher({ connection: producer, prefix });
  cleanups.push(async () => {
    await dispatcher.close();
    producer.disconnect();
    await cleanup();
    await dropPrefix(prefix);
  });

  let child: ChildProcess | null = null;
  const up = await upstream(mode, () => child?.kill('SIGKILL'));
  child = spawn(process.execPath, ['--import', 'tsx', 'test/workers/fixtures/deliver-child.ts'], {
    env: { ...process.env, MW_SPOOL: spool.dir, MW_REDIS: REDIS_URL, MW_PREFIX: prefix, MW_PORT: String(up.port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  cleanups.push(async () => {
    child?.kill('SIGKILL');
  });
  await waitFor('child ready', async () => {
    const [chunk] = (await once(child!.stdout!, 'data')) as [Buffer];
    return chunk.toString().includes('ready');
  });

  const body = 'x'.repeat(998) + '\r\n';
  const sidecar = await spoolMessage(spool, { bytes: `Subject: crash\r\n\r\n${body.repeat(1024)}` });
  await dispatcher.dispatchDecision(sidecar, decisionEvent(sidecar, { attachments: [] }));
  const [, signal] = (await exited) as [number | null, string | null];
  expect(signal).toBe('SIGKILL');

  // A fresh worker takes the stalled job over once the dead one's lock expires.
  const workerRedis = createRedis(REDIS_URL, 'worker');
  const worker = startDeliverWorker({
    connection: workerRedis,
    prefix,
    spool,
    dispatcher,
    upstream: { host: '127.0.0.1', port: up.port, pool: false },
    stalledIntervalMs: 500,
    logger: silent,
  });
  cleanups.push(async () => {
    await worker.close();
    workerRedis.disconnect();
  });
  const done = await waitFor('done after takeover', async () => {
    const s = await spool.readSidecar(sidecar.id);
    return s.state === 'done' ? s : null;
  }, 20_000);
  await new Promise((r) => setTimeout(r, 300)); // nothing more should arrive
  expect(up.delivered.every((raw) => raw.toString().endsWith(body))).toBe(true);
  const auditJobs = await dispatcher.auditQueue.getJobs(['wait', 'delayed', 'completed', 'failed', 'active', 'prioritized']);
  const audited = auditJobs.filter((j) => j.data.ref === sidecar.id).map((j) => j.data.type).sort();
  return { deliveries: up.delivered.length, state: `${done.state}/${done.doneReason}`, audited };
}

describe('deliver worker killed mid-delivery', () => {
  it('killed before the end of data: delivered exactly once', async () => {
    const { deliveries, state } = await scenario('stall-first-data');
    expect({ deliveries, state }).toEqual({ deliveries: 1, state: 'done/delivered' });
  }, 30_000);

  it('killed right after the upstream 250: delivered, at most one duplicate', async () => {
    const { deliveries, state, audited } = await scenario('kill-after-250');
    expect(state).toBe('done/delivered');
    expect(deliveries).toBeGreaterThanOrEqual(1);
    expect(deliveries).toBeLessThanOrEqual(2);
    // The duplicate is not silent: the takeover knows an attempt died and audits what it sent.
    if (deliveries === 2) expect(audited).toEqual(['decision', 'delivered', 'duplicate-sent']);
  }, 30_000);
});
