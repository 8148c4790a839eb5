import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLockBusyError, AuditWriter } from '../../src/audit/audit-writer.js';
import { auditKeys, readAuditHead } from '../../src/audit/redis-chain.js';
import { GENESIS_HASH, recordHash, type AuditRecord } from '../../src/audit/record.js';
import { verifyAuditDir } from '../../src/audit/verify.js';
import { auditRig, lines, sampleEvent, writeLines, type AuditRig } from './audit-helpers.js';

let rig: AuditRig;
const writers: AuditWriter[] = [];

function writer(over: Partial<ConstructorParameters<typeof AuditWriter>[0]> = {}): AuditWriter {
  const w = new AuditWriter({ dir: rig.dir, redis: rig.redis, prefix: rig.prefix, ...over });
  writers.push(w);
  return w;
}

async function allRecords(): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (const f of (await readdir(rig.dir)).sort()) {
    for (const l of await lines(join(rig.dir, f))) out.push(JSON.parse(l) as AuditRecord);
  }
  return out;
}

beforeEach(async () => {
  rig = await auditRig();
});
afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
  await rig.cleanup();
});

describe('AuditWriter', () => {
  it('chains records across a day change, fsynced day files, head in Redis, stream fed', async () => {
    let now = new Date('2025-03-04T23:59:58.000Z');
    const w = writer({ now: () => now });
    for (let i = 0; i < 5; i++) await w.append(sampleEvent(i));
    now = new Date('2025-03-05T00:00:01.000Z');
    for (let i = 5; i < 9; i++) await w.append(sampleEvent(i));

    expect((await readdir(rig.dir)).sort()).toEqual(['audit-2025-03-04.jsonl', 'audit-2025-03-05.jsonl']);
    const records = await allRecords();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    // the chain is carried across the day boundary
    expect(records[5]!.prevHash).toBe(records[4]!.hash);
    for (const r of records) expect(recordHash(r)).toBe(r.hash);
    expect(records[2]!.subject).toBe('Message number 2');

    const head = await readAuditHead(rig.redis, rig.prefix);
    expect(head).toEqual({ seq: 9, hash: records[8]!.hash });
    const result = await verifyAuditDir(rig.dir, { expectedHead: head });
    expect(result).toMatchObject({ ok: true, records: 9, head: { seq: 9 } });

    const stream = await rig.redis.xrange(auditKeys(rig.prefix).stream, '-', '+');
    expect(stream).toHaveLength(9);
    const fields = stream[8]![1];
    expect(fields.slice(0, 6)).toEqual(['seq', '9', 'type', 'delivered', 'ref', records[8]!.ref]);
    expect(JSON.parse(fields[7]!).hash).toBe(records[8]!.hash);
  });

  it('caps the dashboard stream (XADD MAXLEN ~): old entries go, the files keep everything', async () => {
    const w = writer({ streamMaxLen: 10 });
    // Redis trims whole stream nodes (100 entries each by default), so "about 10" means at most a node or two.
    await Promise.all(Array.from({ length: 600 }, (_, i) => w.append(sampleEvent(i))));
    const length = await rig.redis.xlen(auditKeys(rig.prefix).stream);
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
    const newest = await rig.redis.xrevrange(auditKeys(rig.prefix).stream, '+', '-', 'COUNT', 1);
    expect(newest[0]![1].slice(0, 2)).toEqual(['seq', '600']);
    expect(await allRecords()).toHaveLength(600);
  });

  it('writes a retried event id once, in one batch, across calls and across writers', async () => {
    const w = writer();
    const e = sampleEvent(1);
    await Promise.all([w.append(e), w.append(e), w.append({ ...e, at: 'later' })]);
    await w.append(e);
    const other = writer();
    await other.append(e);
    await other.append(sampleEvent(2));
    const records = await allRecords();
    expect(records.map((r) => r.eventId)).toEqual([e.eventId, records[1]!.eventId]);
    expect(records[1]!.seq).toBe(2);
    expect((await verifyAuditDir(rig.dir)).ok).toBe(true);
  });

  it('keeps one unbroken chain when two writers append concurrently', async () => {
    const a = writer();
    const b = writer();
    const events = Array.from({ length: 120 }, (_, i) => sampleEvent(i));
    await Promise.all(events.map((e, i) => (i % 2 === 0 ? a : b).append(e)));
    const records = await allRecords();
    expect(records).toHaveLength(120);
    expect(new Set(records.map((r) => r.eventId)).size).toBe(120);
    const head = await readAuditHead(rig.redis, rig.prefix);
    expect(head?.seq).toBe(120);
    expect(await verifyAuditDir(rig.dir, { expectedHead: head })).toMatchObject({ ok: true, records: 120 });
  });

  it('fails with a retryable error while another process holds the lock, and succeeds after', async () => {
    const keys = auditKeys(rig.prefix);
    await rig.redis.set(keys.lock, 'someone-else', 'PX', 10_000);
    const w = writer({ lockWaitMs: 150 });
    await expect(w.append(sampleEvent(1))).rejects.toBeInstanceOf(AuditLockBusyError);
    expect(await readdir(rig.dir)).toEqual([]);
    await rig.redis.del(keys.lock);
    await w.append(sampleEvent(1));
    expect(await rig.redis.exists(keys.lock)).toBe(0); // released after the batch
    expect((await allRecords()).map((r) => r.seq)).toEqual([1]);
  });

  it('after a crash between file write and head update, takes the file head and does not rewrite the event', async () => {
    const w = writer();
    const events = [sampleEvent(1), sampleEvent(2), sampleEvent(3)];
    for (const e of events) await w.append(e);
    await w.close();
    // Simulate: record 3 reached the file but the head update (and its event id) never reached Redis.
    const keys = auditKeys(rig.prefix);
    const records = await allRecords();
    await rig.redis.hset(keys.head, 'seq', '2', 'hash', records[1]!.hash);
    await rig.redis.zrem(keys.seen, events[2]!.eventId);

    const restarted = writer();
    await restarted.append(events[2]!); // the retried job
    await restarted.append(sampleEvent(4));
    const after = await allRecords();
    expect(after.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(after.filter((r) => r.eventId === events[2]!.eventId)).toHaveLength(1);
    const head = await readAuditHead(rig.redis, rig.prefix);
    expect(head).toEqual({ seq: 4, hash: after[3]!.hash });
    expect((await verifyAuditDir(rig.dir, { expectedHead: head })).ok).toBe(true);
  });

  it('cuts a torn last line left by a crash mid-write and continues the chain', async () => {
    const w = writer();
    await w.append(sampleEvent(1));
    await w.close();
    const [file] = await readdir(rig.dir);
    await appendFile(join(rig.dir, file!), '{"eventId":"torn","seq":2,"pre');
    expect((await verifyAuditDir(rig.dir)).firstBroken?.problem).toMatch(/not terminated/);
    const next = writer();
    await next.append(sampleEvent(2));
    expect((await allRecords()).map((r) => r.seq)).toEqual([1, 2]);
    expect((await verifyAuditDir(rig.dir)).ok).toBe(true);
  });

  it('never lets a writer paper over deleted tail records: the gap stays visible', async () => {
    const w = writer();
    for (let i = 0; i < 3; i++) await w.append(sampleEvent(i));
    await w.close();
    const path = join(rig.dir, (await readdir(rig.dir))[0]!);
    await writeLines(path, (await lines(path)).slice(0, 2));
    const next = writer();
    await next.append(sampleEvent(9));
    const result = await verifyAuditDir(rig.dir);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ line: 3, seq: 4 });
    expect(result.firstBroken?.problem).toMatch(/records 3\.\.3 are missing/);
  });

  it('rejects an event without an id and appends after close', async () => {
    const w = writer();
    await expect(w.append({ ...sampleEvent(1), eventId: '' })).rejects.toThrow(/eventId/);
    await w.close();
    await expect(w.append(sampleEvent(1))).rejects.toThrow(/closed/);
    expect(await readdir(rig.dir)).toEqual([]);
  });
});
