import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { auditKeys, readAuditHead } from '../../src/audit/redis-chain.js';
import { verifyAuditDir } from '../../src/audit/verify.js';
import type { AuditEvent } from '../../src/audit/events.js';
import { QUEUE_NAMES, jobId } from '../../src/queue/jobs.js';
import { startAuditWorker } from '../../src/workers/audit.js';
import { auditRig, lines, sampleEvent, type AuditRig } from './audit-helpers.js';

let rig: AuditRig;
let connection: Redis;

beforeEach(async () => {
  rig = await auditRig();
  connection = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
afterEach(async () => {
  connection.disconnect();
  await rig.cleanup();
});

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startAuditWorker', () => {
  it('writes queued events once, retrying while another writer holds the lock', async () => {
    const keys = auditKeys(rig.prefix);
    await rig.redis.set(keys.lock, 'another-process', 'PX', 10_000);
    const writer = new AuditWriter({ dir: rig.dir, redis: rig.redis, prefix: rig.prefix, lockWaitMs: 100 });
    const queue = new Queue<AuditEvent>(QUEUE_NAMES.audit, { connection, prefix: rig.prefix });
    const worker = startAuditWorker({ connection, prefix: rig.prefix, writer });
    try {
      const first = sampleEvent(1);
      const second = sampleEvent(2);
      const opts = { attempts: 20, backoff: { type: 'fixed', delay: 100 } };
      await queue.add('delivered', first, { ...opts, jobId: jobId(first.eventId, 'audit') });
      // The same event queued again under another job id (a producer retry): written once.
      await queue.add('delivered', first, { ...opts, jobId: jobId(first.eventId, 'audit-again') });
      await queue.add('delivered', second, { ...opts, jobId: jobId(second.eventId, 'audit') });

      await until(async () => (await queue.getJob(jobId(first.eventId, 'audit')))?.attemptsMade !== 0);
      expect(await readdir(rig.dir)).toEqual([]);
      await rig.redis.del(keys.lock);
      await until(async () => (await queue.getJobCounts('completed')).completed === 3);

      const [file] = await readdir(rig.dir);
      const records = (await lines(join(rig.dir, file!))).map((l) => JSON.parse(l) as { eventId: string; seq: number });
      expect(records.map((r) => r.seq)).toEqual([1, 2]);
      expect(records.map((r) => r.eventId).sort()).toEqual([first.eventId, second.eventId].sort());
      const head = await readAuditHead(rig.redis, rig.prefix);
      expect(await verifyAuditDir(rig.dir, { expectedHead: head })).toMatchObject({ ok: true, records: 2 });
    } finally {
      await worker.close();
      await queue.close();
      await writer.close();
    }
  });
});
