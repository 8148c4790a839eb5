import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/quarantine.js';
import type { RuledFinding } from '../../src/policy/verdict.js';
import { Dispatcher } from '../../src/queue/dispatch.js';
import { createRedis } from '../../src/queue/redis.js';
import { QuarantineError } from '../../src/quarantine/errors.js';
import { expireHeld } from '../../src/quarantine/expire.js';
import { listHeld, showHeld } from '../../src/quarantine/held.js';
import { discardHeld, releaseHeld } from '../../src/quarantine/review.js';
import type { Spool } from '../../src/spool/spool.js';
import type { Sidecar } from '../../src/spool/types.js';
import { startDeliverWorker } from '../../src/workers/deliver.js';
import { dropPrefix, message, REDIS_URL, silent, spoolMessage, startSink, tempSpool, testPrefix, waitFor, type Sink } from '../workers/support.js';

const finding = {
  rule: 'personal-data',
  action: 'quarantine',
  excepted: false,
  reason: 'Personal data sent outside the organisation',
  policyRef: 'WMP Inf/27 2.5.1',
  evidence: ['3 NI numbers'],
} as unknown as RuledFinding;

const HELD_BYTES = message(['From: Alice <alice@example.gov.uk>', 'To: bob@partner.example', 'Subject: =?utf-8?q?Staff_list_=E2=9C=93?='], 'names\r\n');

interface Rig {
  spool: Spool;
  dir: string;
  prefix: string;
  dispatcher: Dispatcher;
  sink: Sink;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(): Promise<Rig> {
  const prefix = testPrefix();
  const producer = createRedis(REDIS_URL, 'producer');
  const dispatcher = new Dispatcher({ connection: producer, prefix });
  const { spool, cleanup } = await tempSpool();
  const sink = await startSink();
  cleanups.push(async () => {
    await dispatcher.close();
    producer.disconnect();
    await sink.close();
    await cleanup();
    await dropPrefix(prefix);
  });
  return { spool, dir: spool.dir, prefix, dispatcher, sink };
}

async function hold(r: Rig, receivedAt = new Date().toISOString()): Promise<Sidecar> {
  const s = await spoolMessage(r.spool, {
    bytes: HELD_BYTES,
    addHeaders: ['X-Mailwarden-Decision: quarantine-released'],
    over: {
      state: 'held',
      receivedAt,
      subject: 'Staff list ✓',
      verdict: { decision: 'quarantine', personal: true, marking: null, encrypted: false, findings: [finding], policyVersion: 'p', monitorMode: false },
    },
  });
  await r.dispatcher.quarantine(s);
  return s;
}

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const w = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  return { io: { stdout: w((s) => (out += s)), stderr: w((s) => (err += s)) }, out: () => out, err: () => err };
}

describe('quarantine review', () => {
  it('lists and shows held messages with rules, sender, recipients, findings and headers', async () => {
    const r = await rig();
    const s = await hold(r);
    await spoolMessage(r.spool, { bytes: 'a\r\n' }); // queued: not listed
    const list = await listHeld(r.spool);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: s.id, sender: 'alice@example.gov.uk', recipients: ['bob@partner.example'], rules: ['personal-data'] });
    const detail = await showHeld(r.spool, s.id);
    expect(detail.findings[0]?.policyRef).toBe('WMP Inf/27 2.5.1');
    expect(detail.headers).toContainEqual({ name: 'Subject', value: 'Staff list ✓' });
    await expect(showHeld(r.spool, 'nosuchid0')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('release delivers the message and audits who released it and why', async () => {
    const r = await rig();
    const s = await hold(r);
    const workerRedis = createRedis(REDIS_URL, 'worker');
    const worker = startDeliverWorker({
      connection: workerRedis,
      prefix: r.prefix,
      spool: r.spool,
      dispatcher: r.dispatcher,
      upstream: { host: '127.0.0.1', port: r.sink.port },
      logger: silent,
    });
    cleanups.push(async () => {
      await worker.close();
      workerRedis.disconnect();
    });
    await new Promise((res) => setTimeout(res, 300));
    expect(r.sink.messages).toHaveLength(0); // held means held

    await expect(releaseHeld(r.spool, r.dispatcher, s.id, { by: ' ', reason: 'x' })).rejects.toBeInstanceOf(QuarantineError);
    const released = await releaseHeld(r.spool, r.dispatcher, s.id, { by: 'dpo@example.gov.uk', reason: 'recipient is under contract' });
    expect(released.review).toMatchObject({ action: 'release', by: 'dpo@example.gov.uk', reason: 'recipient is under contract' });
    await waitFor('delivered', () => r.sink.messages.length === 1);
    expect(r.sink.messages[0]!.raw.toString()).toBe(`X-Mailwarden-Decision: quarantine-released\r\n${HELD_BYTES}`);
    await waitFor('done', async () => (await r.spool.readSidecar(s.id)).state === 'done');
    expect(await r.dispatcher.quarantineQueue.getJob(`quarantine-${s.id}`)).toBeUndefined();
    const audit = (await r.dispatcher.auditQueue.getJobs(['wait'])).map((j) => j.data).find((e) => e.type === 'released');
    expect(audit).toMatchObject({ ref: s.id, actor: 'dpo@example.gov.uk', reason: 'recipient is under contract' });
    await expect(releaseHeld(r.spool, r.dispatcher, s.id, { by: 'a', reason: 'b' })).rejects.toMatchObject({ code: 'not-held' });
  });

  it('discard never delivers; expire ends old held messages; both are audited', async () => {
    const r = await rig();
    const a = await hold(r);
    const old = await hold(r, new Date(Date.now() - 31 * 86_400_000).toISOString());
    const discarded = await discardHeld(r.spool, r.dispatcher, a.id, { by: 'dpo', reason: 'personal data, no basis' }, { deleteMessage: true });
    expect(discarded).toMatchObject({ state: 'done', doneReason: 'discarded' });
    await expect(r.spool.readSidecar(a.id)).rejects.toThrow();
    expect(await expireHeld(r.spool, r.dispatcher, 30)).toEqual([old.id]);
    expect(await r.spool.readSidecar(old.id)).toMatchObject({ state: 'done', doneReason: 'expired' });
    const types = (await r.dispatcher.auditQueue.getJobs(['wait'])).map((j) => j.data.type).sort();
    expect(types).toEqual(['discarded', 'expired']);
    expect(await r.dispatcher.quarantineQueue.count()).toBe(0);
    expect(await r.dispatcher.deliverQueue.count()).toBe(0);
  });

  it('the CLI lists, shows, refuses a release without --by/--reason and releases with them', async () => {
    const r = await rig();
    const s = await hold(r);
    const config = join(r.dir, 'mailwarden.yaml');
    await writeFile(config, `spool:\n  dir: ${r.dir}\nredis:\n  queuePrefix: '${r.prefix}'\n`);
    const common = ['--redis', REDIS_URL, '--config', config];

    let c = capture();
    expect(await run(['list', '--json', ...common], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject([{ id: s.id, rules: ['personal-data'] }]);
    c = capture();
    expect(await run(['list', ...common], c.io)).toBe(0);
    expect(c.out()).toMatch(new RegExp(`^${s.id}\\s+\\d+m\\s+alice@example.gov.uk`, 'm'));
    c = capture();
    expect(await run(['show', s.id, ...common], c.io)).toBe(0);
    expect(c.out()).toContain('personal-data (WMP Inf/27 2.5.1)');

    await expect(run(['release', s.id, '--by', 'dpo', ...common], capture().io)).rejects.toThrow(/--reason/);
    c = capture();
    expect(await run(['release', s.id, '--by', 'dpo', '--reason', 'ok now', ...common], c.io)).toBe(0);
    expect(c.out()).toContain(`released ${s.id}`);
    expect((await r.spool.readSidecar(s.id)).state).toBe('queued');
    expect(await r.dispatcher.deliverQueue.getJob(`deliver-${s.id}`)).toBeDefined();
    c = capture();
    expect(await run(['discard', s.id, '--by', 'dpo', '--reason', 'x', ...common], c.io)).toBe(1);
    expect(c.err()).toMatch(/not held/);
  });
});
