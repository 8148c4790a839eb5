import { afterEach, describe, expect, it } from 'vitest';
import { decisionEvent } from '../../src/audit/build-event.js';
import { Dispatcher } from '../../src/queue/dispatch.js';
import { createRedis } from '../../src/queue/redis.js';
import { reconcile } from '../../src/custody/reconcile.js';
import { startDeliverWorker } from '../../src/workers/deliver.js';
import { dropPrefix, REDIS_URL, silent, spoolMessage, startSink, tempSpool, testPrefix, waitFor } from '../workers/support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const verdict = (decision: 'accept' | 'quarantine') => ({
  decision,
  personal: false,
  marking: null,
  encrypted: false,
  findings: [],
  policyVersion: 'p',
  monitorMode: false,
});

describe('reconcile', () => {
  it('re-creates a missing deliver job (Redis lost it) and the message is then delivered', async () => {
    const prefix = testPrefix();
    const producer = createRedis(REDIS_URL, 'producer');
    const workerRedis = createRedis(REDIS_URL, 'worker');
    const dispatcher = new Dispatcher({ connection: producer, prefix });
    const { spool, cleanup } = await tempSpool();
    const sink = await startSink();
    cleanups.push(async () => {
      await dispatcher.close();
      producer.disconnect();
      workerRedis.disconnect();
      await sink.close();
      await cleanup();
      await dropPrefix(prefix);
    });

    const old = new Date(Date.now() - 3600_000).toISOString();
    const queued = await spoolMessage(spool, { bytes: 'Subject: q\r\n\r\nq\r\n', over: { receivedAt: old } });
    await dispatcher.dispatchDecision(queued, decisionEvent(queued, { attachments: [] }));
    await (await dispatcher.deliverQueue.getJob(`deliver-${queued.id}`))!.remove(); // lost with the AOF tail
    const held = await spoolMessage(spool, { bytes: 'Subject: h\r\n\r\nh\r\n', over: { verdict: verdict('quarantine'), state: 'held', receivedAt: old } });
    const unconfirmed = await spoolMessage(spool, { bytes: 'Subject: r\r\n\r\nr\r\n', over: { state: 'received' } });
    const done = await spoolMessage(spool, { bytes: 'Subject: d\r\n\r\nd\r\n', over: { state: 'done', doneReason: 'delivered' } });

    const report = await reconcile(spool, dispatcher, { logger: silent });
    // The finished message is in done/: reconcile does not even read it.
    expect(report).toMatchObject({ seen: 3, deliver: 2, quarantine: 1, failures: [] });
    expect(await dispatcher.deliverQueue.getJob(`deliver-${queued.id}`)).toBeDefined();
    expect(await dispatcher.deliverQueue.getJob(`deliver-${unconfirmed.id}`)).toBeDefined();
    expect(await dispatcher.deliverQueue.getJob(`deliver-${done.id}`)).toBeUndefined();
    expect((await dispatcher.quarantineQueue.getJob(`quarantine-${held.id}`))?.data.spoolId).toBe(held.id);
    expect((await spool.readSidecar(unconfirmed.id)).state).toBe('queued');
    // the decision audit is re-sent for the unconfirmed (and recent) message, not for old ones
    expect(await dispatcher.auditQueue.getJob(`audit-decision-${unconfirmed.id}`)).toBeDefined();
    expect(await dispatcher.auditQueue.getJob(`audit-decision-${held.id}`)).toBeUndefined();

    // idempotent: a second run adds nothing
    await reconcile(spool, dispatcher);
    expect(await dispatcher.deliverQueue.count()).toBe(2);

    const worker = startDeliverWorker({
      connection: workerRedis,
      prefix,
      spool,
      dispatcher,
      upstream: { host: '127.0.0.1', port: sink.port },
      logger: silent,
    });
    cleanups.push(() => worker.close());
    await waitFor('both delivered', () => sink.messages.length === 2);
    await waitFor('sidecars done', async () => (await spool.readSidecar(queued.id)).state === 'done' && (await spool.readSidecar(unconfirmed.id)).state === 'done');
    expect(sink.messages.map((m) => m.raw.toString()).sort()).toEqual([
      `X-Mailwarden-Decision: accept\r\nX-Mailwarden-Id: ${queued.id}\r\nSubject: q\r\n\r\nq\r\n`,
      `X-Mailwarden-Decision: accept\r\nX-Mailwarden-Id: ${unconfirmed.id}\r\nSubject: r\r\n\r\nr\r\n`,
    ].sort());
  });

  it('drops quarantine list entries whose message is no longer held, and keeps the held ones', async () => {
    const prefix = testPrefix();
    const producer = createRedis(REDIS_URL, 'producer');
    const dispatcher = new Dispatcher({ connection: producer, prefix });
    const { spool, cleanup } = await tempSpool();
    cleanups.push(async () => {
      await dispatcher.close();
      producer.disconnect();
      await cleanup();
      await dropPrefix(prefix);
    });
    const hold = (subject: string) => spoolMessage(spool, { bytes: `Subject: ${subject}\r\n\r\nx\r\n`, over: { verdict: verdict('quarantine'), state: 'held' } });
    const stillHeld = await hold('still held');
    const released = await hold('released');
    const gone = await hold('gone');
    for (const s of [stillHeld, released, gone]) await dispatcher.quarantine(s);
    // A crash between these and the list's update: the message left quarantine, its entry did not.
    await spool.updateSidecar(released.id, (s) => ({ ...s, state: 'done', doneReason: 'delivered' }));
    await spool.remove(gone.id);

    const report = await reconcile(spool, dispatcher, { logger: silent });
    expect(report).toMatchObject({ quarantine: 1, staleHeld: 2, failures: [] });
    expect(await dispatcher.heldIndex.ids()).toEqual([stillHeld.id]);
    expect(await dispatcher.quarantineQueue.getJob(`quarantine-${released.id}`)).toBeUndefined();
    expect(await dispatcher.quarantineQueue.getJob(`quarantine-${gone.id}`)).toBeUndefined();
    expect(await dispatcher.quarantineQueue.getJob(`quarantine-${stillHeld.id}`)).toBeDefined();
    // Again: nothing left to drop.
    expect((await reconcile(spool, dispatcher, { logger: silent })).staleHeld).toBe(0);
  });
});
