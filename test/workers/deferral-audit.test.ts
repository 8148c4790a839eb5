/**
 * An upstream outage does not flood the audit trail: the first deferral of a message is audited,
 * later ones only logged, and the outcome record says how many attempts it took.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decisionEvent } from '../../src/audit/build-event.js';
import { Dispatcher } from '../../src/queue/dispatch.js';
import type { AuditEvent } from '../../src/audit/events.js';
import { createRedis } from '../../src/queue/redis.js';
import { startDeliverWorker } from '../../src/workers/deliver.js';
import { dropPrefix, REDIS_URL, spoolMessage, startSink, tempSpool, testPrefix, waitFor } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('deferrals in the audit trail', () => {
  it('audits the first deferral and then the outcome with its attempt count; every attempt is logged', async () => {
    const prefix = testPrefix();
    const { spool, cleanup } = await tempSpool();
    const producer = createRedis(REDIS_URL, 'producer');
    const workerRedis = createRedis(REDIS_URL, 'worker');
    const dispatcher = new Dispatcher({ connection: producer, prefix });
    const up = await startSink();
    let refusals = 4;
    up.rcptRule = () => (refusals-- > 0 ? { code: 451, message: 'try later' } : null);
    const logged: number[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (const l of chunk.toString().split('\n')) {
            const line = l.trim() ? (JSON.parse(l) as { msg?: string; attempt?: number }) : null;
            if (line?.msg === 'delivery attempt' && typeof line.attempt === 'number') logged.push(line.attempt);
          }
          cb();
        },
      }),
    );
    const worker = startDeliverWorker({ connection: workerRedis, prefix, spool, dispatcher, upstream: { host: '127.0.0.1', port: up.port, pool: false }, retry: { scheduleMs: [100] }, logger });
    cleanups.push(async () => {
      await worker.close();
      await dispatcher.close();
      producer.disconnect();
      workerRedis.disconnect();
      await up.close();
      await cleanup();
      await dropPrefix(prefix);
    });

    const sidecar = await spoolMessage(spool, { bytes: 'Subject: outage\r\n\r\nhello\r\n' });
    await dispatcher.dispatchDecision(sidecar, decisionEvent(sidecar, { attachments: [] }));
    await waitFor('delivered', async () => (await spool.readSidecar(sidecar.id)).state === 'done', 20_000);

    // The sidecar says done just before the delivered record is queued: wait for it.
    const events = await waitFor('the delivered record', async () => {
      const jobs = await dispatcher.auditQueue.getJobs(['wait', 'delayed', 'completed', 'failed', 'active', 'prioritized']);
      const mine = jobs.map((j) => j.data as AuditEvent).filter((e) => e.ref === sidecar.id);
      return mine.some((e) => e.type === 'delivered') ? mine : null;
    });
    expect(events.map((e) => e.type).sort()).toEqual(['decision', 'deferred', 'delivered']);
    expect(events.find((e) => e.type === 'deferred')?.reason).toMatch(/^451 .*try later.*\(first deferral; later attempts are logged/);
    expect(events.find((e) => e.type === 'delivered')?.attempts).toBe(5);
    expect(logged).toEqual([1, 2, 3, 4, 5]);
    expect(up.messages).toHaveLength(1);
  }, 30_000);
});
