import { UnrecoverableError, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { decisionEvent } from '../../src/audit/build-event.js';
import { stateForDecision } from '../../src/custody/decision-record.js';
import { DEFAULT_ADD_TIMEOUT_MS, Dispatcher, DispatchError } from '../../src/queue/dispatch.js';
import { createRedis } from '../../src/queue/redis.js';
import type { RuledFinding } from '../../src/policy/verdict.js';
import { dropPrefix, REDIS_URL, spoolMessage, startSink, tempSpool, testPrefix, waitFor, type Redis } from '../workers/support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(): Promise<{ dispatcher: Dispatcher; spool: Awaited<ReturnType<typeof tempSpool>>['spool'] }> {
  const prefix = testPrefix();
  const redis: Redis = createRedis(REDIS_URL, 'producer');
  const dispatcher = new Dispatcher({ connection: redis, prefix });
  const { spool, cleanup } = await tempSpool();
  cleanups.push(async () => {
    await dispatcher.close();
    redis.disconnect();
    await cleanup();
    await dropPrefix(prefix);
  });
  return { dispatcher, spool };
}

const finding = (rule: string, action: RuledFinding['action']): RuledFinding =>
  ({ rule, action, excepted: false, reason: 'r', policyRef: 'WMP 1', evidence: [] }) as unknown as RuledFinding;

describe('Dispatcher', () => {
  it('turns accept into a deliver job and an audit job, ids from the spool id', async () => {
    const { dispatcher, spool } = await rig();
    const s = await spoolMessage(spool, { bytes: 'Subject: a\r\n\r\nb\r\n', rcptTo: ['x@y.example', 'z@y.example'] });
    await dispatcher.dispatchDecision(s, decisionEvent(s, { attachments: [] }));
    const job = await dispatcher.deliverQueue.getJob(`deliver-${s.id}`);
    expect(job?.data).toEqual({ spoolId: s.id, envelope: s.envelope, pending: ['x@y.example', 'z@y.example'], verdict: { decision: 'accept', rules: [] } });
    expect(job?.opts.removeOnComplete).toMatchObject({ age: 86_400 });
    expect((await dispatcher.auditQueue.getJob(`audit-decision-${s.id}`))?.data.type).toBe('decision');
    expect(await dispatcher.quarantineQueue.count()).toBe(0);
    // a second add with the same id is ignored while the job exists
    await dispatcher.dispatchDecision(s, decisionEvent(s, { attachments: [] }));
    expect(await dispatcher.deliverQueue.count()).toBe(1);
    expect(await dispatcher.auditQueue.count()).toBe(1);
  });

  it('turns quarantine into a quarantine job naming the rules, reject into the audit job only', async () => {
    const { dispatcher, spool } = await rig();
    const verdict = (decision: 'quarantine' | 'reject') => ({
      decision,
      personal: false,
      marking: null,
      encrypted: false,
      findings: [finding('personal-data', 'quarantine'), finding('marking', 'monitor')],
      policyVersion: 'p',
      monitorMode: false,
    });
    const held = await spoolMessage(spool, { bytes: 'a\r\n', over: { verdict: verdict('quarantine'), state: stateForDecision('quarantine') } });
    const rejected = await spoolMessage(spool, { bytes: 'a\r\n', over: { verdict: verdict('reject'), state: stateForDecision('reject') } });
    await dispatcher.dispatchDecision(held, decisionEvent(held, { attachments: [] }));
    await dispatcher.dispatchDecision(rejected, decisionEvent(rejected, { attachments: [] }));
    expect((await dispatcher.quarantineQueue.getJob(`quarantine-${held.id}`))?.data.rules).toEqual(['personal-data']);
    expect(await dispatcher.quarantineQueue.count()).toBe(1);
    expect(await dispatcher.deliverQueue.count()).toBe(0);
    expect(await dispatcher.auditQueue.count()).toBe(2);
    expect([held.state, rejected.state]).toEqual(['held', 'done']);

    // Released by a reviewer: the deliver job says it was held, and why.
    await dispatcher.deliver(held);
    expect((await dispatcher.deliverQueue.getJob(`deliver-${held.id}`))?.data.verdict).toEqual({ decision: 'quarantine', rules: ['personal-data', 'marking'] });
  });

  it('fails fast with DispatchError when Redis never answered (add would wait forever)', async () => {
    const probe = await startSink(); // a free port with nothing speaking Redis after close
    const port = probe.port;
    await probe.close();
    const redis = createRedis(`redis://127.0.0.1:${port}`, 'producer');
    const dispatcher = new Dispatcher({ connection: redis, prefix: testPrefix(), addTimeoutMs: 300 });
    const { spool, cleanup } = await tempSpool();
    try {
      const s = await spoolMessage(spool, { bytes: 'a\r\n' });
      const started = Date.now();
      await expect(dispatcher.dispatchDecision(s, decisionEvent(s, { attachments: [] }))).rejects.toBeInstanceOf(DispatchError);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await dispatcher.close();
      redis.disconnect();
      await cleanup();
    }
  });

  it('bounds every add by 3 s by default: 451 territory, not a hung session', async () => {
    const probe = await startSink();
    const port = probe.port;
    await probe.close();
    const redis = createRedis(`redis://127.0.0.1:${port}`, 'producer');
    const dispatcher = new Dispatcher({ connection: redis, prefix: testPrefix() });
    const { spool, cleanup } = await tempSpool();
    try {
      const s = await spoolMessage(spool, { bytes: 'a\r\n' });
      const started = Date.now();
      await expect(dispatcher.dispatchDecision(s, decisionEvent(s, { attachments: [] }))).rejects.toBeInstanceOf(DispatchError);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(DEFAULT_ADD_TIMEOUT_MS - 100);
      expect(took).toBeLessThan(DEFAULT_ADD_TIMEOUT_MS + 2_000);
    } finally {
      await dispatcher.close();
      redis.disconnect();
      await cleanup();
    }
  });

  it('deliver() replaces a failed job so a waiting message is not blocked by its old id, leaves a live one', async () => {
    const { dispatcher, spool } = await rig();
    const s = await spoolMessage(spool, { bytes: 'a\r\n' });
    await dispatcher.deliver(s);
    const id = `deliver-${s.id}`;
    const connection = createRedis(REDIS_URL, 'worker');
    const worker = new Worker('deliver', async () => {
      throw new UnrecoverableError('boom');
    }, { connection, prefix: dispatcher.prefix });
    try {
      await waitFor('job failed', async () => (await (await dispatcher.deliverQueue.getJob(id))?.getState()) === 'failed');
    } finally {
      await worker.close();
      connection.disconnect();
    }
    await dispatcher.deliver(s);
    expect(await (await dispatcher.deliverQueue.getJob(id))?.getState()).toBe('waiting');
    await dispatcher.deliver(s); // alive: left alone, not duplicated
    expect(await dispatcher.deliverQueue.count()).toBe(1);
  });
});
