/**
 * `audit verify` says when records may still be on their way: audit jobs queued and deliveries in
 * progress (a SIGKILLed worker's jobs come back only when their lock expires).
 */
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { run } from '../../src/cli/audit.js';
import { QUEUE_NAMES } from '../../src/queue/jobs.js';
import { auditRig, sampleEvent, type AuditRig } from './audit-helpers.js';

let rig: AuditRig;

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    return { code: await run(argv), out };
  } finally {
    o.mockRestore();
  }
}

beforeEach(async () => {
  rig = await auditRig();
  const w = new AuditWriter({ dir: rig.dir, redis: rig.redis, prefix: rig.prefix });
  for (let i = 0; i < 2; i++) await w.append(sampleEvent(i));
  await w.close();
});
afterEach(async () => {
  await rig.cleanup();
});

describe('audit verify and records still pending', () => {
  it('reports audit jobs not yet written and deliveries in progress, and still verifies what is there', async () => {
    const audit = new Queue(QUEUE_NAMES.audit, { connection: rig.redis, prefix: rig.prefix });
    try {
      await audit.add('decision', sampleEvent(7), { jobId: 'audit-pending-1' });
      await audit.add('delivered', sampleEvent(8), { jobId: 'audit-pending-2', delay: 60_000 });
      // A delivery a dead worker still holds: its id sits in the active list until the lock expires.
      await rig.redis.lpush(`${rig.prefix}:${QUEUE_NAMES.deliver}:active`, 'deliver-x');
      const r = await cli(['verify', rig.dir, '--prefix', rig.prefix]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^audit chain OK: 2 records, head seq 2, matches the stored head\n/);
      expect(r.out).toMatch(/records may still be pending: 2 audit record\(s\) queued, 1 delivery\(ies\) in progress .*about 60 s/);
      const json = JSON.parse((await cli(['verify', rig.dir, '--prefix', rig.prefix, '--json'])).out) as { pending: unknown };
      expect(json.pending).toEqual({ auditRecords: 2, deliveriesInProgress: 1 });
    } finally {
      await audit.close();
    }
  });

  it('says nothing of pending records when Redis holds none', async () => {
    const r = await cli(['verify', rig.dir, '--prefix', rig.prefix]);
    expect(r.out).toBe('audit chain OK: 2 records, head seq 2, matches the stored head\n');
  });
});
