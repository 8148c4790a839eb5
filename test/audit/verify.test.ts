import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { recordHash } from '../../src/audit/record.js';
import { readAuditHead } from '../../src/audit/redis-chain.js';
import { verifyAuditDir } from '../../src/audit/verify.js';
import { auditRig, lines, sampleEvent, writeLines, type AuditRig } from './audit-helpers.js';

let rig: AuditRig;
let day1: string;
let day2: string;

/** 6 records over two days: 3 on 2025-03-04, 3 on 2025-03-05. */
beforeEach(async () => {
  rig = await auditRig();
  let now = new Date('2025-03-04T12:00:00Z');
  const w = new AuditWriter({ dir: rig.dir, redis: rig.redis, prefix: rig.prefix, now: () => now });
  for (let i = 0; i < 6; i++) {
    if (i === 3) now = new Date('2025-03-05T08:00:00Z');
    await w.append(sampleEvent(i));
  }
  await w.close();
  [day1, day2] = (await readdir(rig.dir)).sort().map((f) => join(rig.dir, f)) as [string, string];
});
afterEach(async () => {
  await rig.cleanup();
});

describe('verifyAuditDir', () => {
  it('accepts an intact chain, with and without the stored head', async () => {
    expect(await verifyAuditDir(rig.dir)).toMatchObject({ ok: true, records: 6, head: { seq: 6 } });
    const head = await readAuditHead(rig.redis, rig.prefix);
    const r = await verifyAuditDir(rig.dir, { expectedHead: head });
    expect(r.ok).toBe(true);
    expect(r.firstBroken).toBeUndefined();
  });

  it('names the record in which one byte was changed', async () => {
    const ls = await lines(day1);
    ls[1] = ls[1]!.replace('Message number 1', 'Message number 7'); // one byte, still valid JSON
    await writeLines(day1, ls);
    const r = await verifyAuditDir(rig.dir);
    expect(r.ok).toBe(false);
    expect(r.records).toBe(1);
    expect(r.firstBroken).toEqual({ file: 'audit-2025-03-04.jsonl', line: 2, seq: 2, problem: expect.stringMatching(/hash does not match/) });
  });

  it('names a record whose bytes no longer parse', async () => {
    const raw = await readFile(day2);
    const secondLine = raw.indexOf(0x0a) + 1;
    raw[secondLine] = 0x5b; // '{' -> '['
    await writeFile(day2, raw);
    const r = await verifyAuditDir(rig.dir);
    expect(r.firstBroken).toMatchObject({ file: 'audit-2025-03-05.jsonl', line: 2, seq: 5, problem: expect.stringMatching(/not valid JSON/) });
  });

  it('catches a record removed from the middle and a re-linked forgery by its prevHash', async () => {
    const ls = await lines(day1);
    await writeLines(day1, [ls[0]!, ls[2]!]);
    expect((await verifyAuditDir(rig.dir)).firstBroken).toMatchObject({ line: 2, seq: 3, problem: expect.stringMatching(/sequence 3 where 2 was expected/) });

    // A forger who re-hashes the first record of day 2 still cannot make it link to day 1.
    const d2 = await lines(day2);
    const forged = JSON.parse(d2[0]!) as Record<string, unknown>;
    await writeLines(day1, ls);
    forged.prevHash = 'f'.repeat(64);
    forged.hash = recordHash(forged as never);
    await writeLines(day2, [JSON.stringify(forged), ...d2.slice(1)]);
    expect((await verifyAuditDir(rig.dir)).firstBroken).toMatchObject({
      file: 'audit-2025-03-05.jsonl',
      line: 1,
      seq: 4,
      problem: expect.stringMatching(/prevHash/),
    });
  });

  it('catches a deleted last line only against the stored head', async () => {
    await writeLines(day2, (await lines(day2)).slice(0, 2));
    expect(await verifyAuditDir(rig.dir)).toMatchObject({ ok: true, records: 5 });
    const head = await readAuditHead(rig.redis, rig.prefix);
    const r = await verifyAuditDir(rig.dir, { expectedHead: head });
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toEqual({
      file: 'audit-2025-03-05.jsonl',
      line: 3,
      seq: 6,
      problem: expect.stringMatching(/end at sequence 5 but the stored head is 6/),
    });
  });

  it('catches a whole deleted day file against the stored head, and a tail rewritten to match', async () => {
    await writeFile(day2, '');
    const head = await readAuditHead(rig.redis, rig.prefix);
    expect((await verifyAuditDir(rig.dir, { expectedHead: head })).firstBroken?.seq).toBe(4);
    expect((await verifyAuditDir(rig.dir, { expectedHead: { seq: 3, hash: 'e'.repeat(64) } })).firstBroken).toMatchObject({
      line: 3,
      seq: 3,
      problem: expect.stringMatching(/differs from the chain head stored/),
    });
  });

  it('reports records past the stored head without failing (the writer repairs that)', async () => {
    const head = await readAuditHead(rig.redis, rig.prefix);
    const earlier = JSON.parse((await lines(day2))[0]!) as { seq: number; hash: string };
    const r = await verifyAuditDir(rig.dir, { expectedHead: { seq: earlier.seq, hash: earlier.hash } });
    expect(r).toMatchObject({ ok: true, aheadOfStoredHead: 2 });
    expect(head?.seq).toBe(6);
  });

  it('treats an empty directory as an empty chain, and an empty line as damage', async () => {
    expect(await verifyAuditDir(join(rig.dir, 'missing'))).toMatchObject({ ok: true, records: 0 });
    await writeFile(day1, `${(await readFile(day1, 'utf8'))}\n`);
    expect((await verifyAuditDir(rig.dir)).firstBroken).toMatchObject({ line: 4, problem: expect.stringMatching(/empty line/) });
  });
});
