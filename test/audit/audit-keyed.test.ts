/**
 * The keyed audit chain (audit.hmacKeyFile): records carry an HMAC, so rewriting the files and
 * the Redis head is not enough to forge them. Verification needs the key, and with it refuses a
 * downgrade to plain hashes.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { readAuditHead } from '../../src/audit/redis-chain.js';
import { auditKeyFrom, GENESIS_HASH, keyedRecordHash, recordHash, type AuditRecord } from '../../src/audit/record.js';
import { verifyAuditDir } from '../../src/audit/verify.js';
import { run } from '../../src/cli/audit.js';
import { ServiceConfigError } from '../../src/config/load-service.js';
import { readAuditKey } from '../../src/service/worker-role.js';
import { auditRig, lines, sampleEvent, writeLines, type AuditRig } from './audit-helpers.js';

const KEY = Buffer.from('9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c2e4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e', 'latin1');
const OTHER_KEY = Buffer.from('0'.repeat(64), 'latin1');

let rig: AuditRig;
let file: string;

async function write(count: number, key: Buffer | null, from = 0): Promise<void> {
  const w = new AuditWriter({ dir: rig.dir, redis: rig.redis, prefix: rig.prefix, hmacKey: key, now: () => new Date('2025-03-04T10:00:00Z') });
  for (let i = from; i < from + count; i++) await w.append(sampleEvent(i));
  await w.close();
  file = join(rig.dir, (await readdir(rig.dir)).find((n) => n.endsWith('.jsonl'))!);
}

async function records(): Promise<AuditRecord[]> {
  return (await lines(file)).map((l) => JSON.parse(l) as AuditRecord);
}

/** What someone without the key can do: rewrite a record and re-hash the chain from there on, unkeyed. */
async function rewriteFrom(index: number, change: (r: AuditRecord) => AuditRecord): Promise<void> {
  const rs = await records();
  let prev = index === 0 ? GENESIS_HASH : rs[index - 1]!.hash;
  for (let i = index; i < rs.length; i++) {
    const { hash: _h, mac: _m, ...body } = i === index ? change(rs[i]!) : rs[i]!;
    const relinked = { ...body, prevHash: prev };
    rs[i] = { ...relinked, hash: recordHash(relinked) };
    prev = rs[i]!.hash;
  }
  await writeLines(file, rs.map((r) => JSON.stringify(r)));
}

beforeEach(async () => {
  rig = await auditRig();
});
afterEach(async () => {
  await rig.cleanup();
});

describe('keyed audit chain', () => {
  it('writes HMAC-keyed records that verify only with the key', async () => {
    await write(4, KEY);
    const rs = await records();
    expect(rs.map((r) => r.mac)).toEqual(['hmac-sha256', 'hmac-sha256', 'hmac-sha256', 'hmac-sha256']);
    for (const r of rs) {
      expect(keyedRecordHash(r, KEY)).toBe(r.hash);
      expect(recordHash(r)).not.toBe(r.hash);
    }
    expect(rs[1]!.prevHash).toBe(rs[0]!.hash);
    const head = await readAuditHead(rig.redis, rig.prefix);
    expect(await verifyAuditDir(rig.dir, { expectedHead: head, key: KEY })).toMatchObject({ ok: true, records: 4, keyed: 4 });
    expect((await verifyAuditDir(rig.dir, {})).firstBroken).toMatchObject({ line: 1, problem: expect.stringMatching(/keyed \(HMAC\): give the audit key/) });
    expect((await verifyAuditDir(rig.dir, { key: OTHER_KEY })).firstBroken).toMatchObject({ line: 1, problem: expect.stringMatching(/HMAC does not match/) });
  });

  it('catches a record rewritten without the key, even when the whole tail is re-hashed', async () => {
    await write(5, KEY);
    await rewriteFrom(2, (r) => ({ ...r, subject: 'nothing to see' }));
    expect((await verifyAuditDir(rig.dir, { key: KEY })).firstBroken).toMatchObject({ line: 3, seq: 3, problem: expect.stringMatching(/unkeyed record after keyed ones/) });
    // Everything rewritten unkeyed from the first record: consistent, but not what the key says.
    await rewriteFrom(0, (r) => r);
    expect(await verifyAuditDir(rig.dir, {})).toMatchObject({ ok: true, keyed: 0 });
    expect((await verifyAuditDir(rig.dir, { key: KEY })).firstBroken?.problem).toMatch(/no record is keyed: the whole chain may have been rewritten/);
  });

  it('keys a chain that began unkeyed, and the keyed records protect the older ones', async () => {
    await write(3, null);
    await write(3, KEY, 3);
    const rs = await records();
    expect(rs.map((r) => r.mac ?? '-')).toEqual(['-', '-', '-', 'hmac-sha256', 'hmac-sha256', 'hmac-sha256']);
    expect(await verifyAuditDir(rig.dir, { key: KEY })).toMatchObject({ ok: true, records: 6, keyed: 3 });
    // An old, unkeyed record altered and the unkeyed part re-hashed: the first keyed record's link breaks.
    const ls = await lines(file);
    const second = JSON.parse(ls[1]!) as AuditRecord;
    const { hash: _h, ...body } = { ...second, subject: 'changed' };
    ls[1] = JSON.stringify({ ...body, hash: recordHash(body) });
    const third = JSON.parse(ls[2]!) as AuditRecord;
    const { hash: _h3, ...body3 } = { ...third, prevHash: recordHash(body) };
    ls[2] = JSON.stringify({ ...body3, hash: recordHash(body3) });
    await writeLines(file, ls);
    expect((await verifyAuditDir(rig.dir, { key: KEY })).firstBroken).toMatchObject({ line: 4, seq: 4, problem: expect.stringMatching(/prevHash does not match/) });
  });

  it('audit verify takes --key-file and says what it checked', async () => {
    await write(3, KEY);
    // Next to the day files for the test's sake (verify reads only audit-*.jsonl); keep real keys elsewhere.
    const keyFile = join(rig.dir, 'audit.key');
    await writeFile(keyFile, `${KEY.toString('latin1')}\n`);
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      expect(await run(['verify', rig.dir, '--prefix', rig.prefix, '--key-file', keyFile])).toBe(0);
      expect(out).toMatch(/^audit chain OK: 3 records, head seq 3, all keyed \(HMAC\), matches the stored head/);
      expect(await run(['verify', rig.dir, '--prefix', rig.prefix])).toBe(1);
      const shortKey = join(rig.dir, 'short.key');
      await writeFile(shortKey, 'too short\n');
      expect(await run(['verify', rig.dir, '--prefix', rig.prefix, '--key-file', shortKey])).toBe(1);
      expect(err).toMatch(/at least 32 bytes .*openssl rand -hex 32/);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  });

  it('refuses a key file that is missing or too short, as a config error naming the key', async () => {
    await expect(readAuditKey('/nonexistent/audit.key')).rejects.toThrow(ServiceConfigError);
    await expect(readAuditKey('/nonexistent/audit.key')).rejects.toThrow(/audit\.hmacKeyFile: cannot read/);
    expect(() => auditKeyFrom(Buffer.from('short'), 'k')).toThrow(/at least 32 bytes/);
    expect(auditKeyFrom(Buffer.from(`  ${'k'.repeat(40)}\n`), 'k').toString()).toBe('k'.repeat(40));
  });
});
