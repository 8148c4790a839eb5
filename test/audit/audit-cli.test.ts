import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { run } from '../../src/cli/audit.js';
import { UsageError } from '../../src/cli/args.js';
import { auditRig, lines, sampleEvent, writeLines, type AuditRig } from './audit-helpers.js';

let rig: AuditRig;
let file: string;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await run(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeEach(async () => {
  rig = await auditRig();
  const w = new AuditWriter({ dir: rig.dir, redis: rig.redis, prefix: rig.prefix, now: () => new Date('2025-03-04T10:00:00Z') });
  for (let i = 0; i < 4; i++) await w.append(sampleEvent(i));
  await w.close();
  file = join(rig.dir, (await readdir(rig.dir))[0]!);
});
afterEach(async () => {
  await rig.cleanup();
});

describe('mailwarden audit verify', () => {
  it('prints OK with the record count and head, checked against the head stored in Redis by default', async () => {
    const byDefault = await cli(['verify', rig.dir, '--prefix', rig.prefix]);
    expect(byDefault).toMatchObject({ code: 0, out: 'audit chain OK: 4 records, head seq 4, matches the stored head\n' });
    const withRedis = await cli(['verify', rig.dir, '--redis', 'redis://127.0.0.1:6379', '--prefix', rig.prefix]);
    expect(withRedis.code).toBe(0);
    expect(withRedis.out).toMatch(/^audit chain OK: 4 records, head seq 4, matches the stored head/);
    const filesOnly = await cli(['verify', rig.dir, '--files-only']);
    expect(filesOnly.code).toBe(0);
    expect(filesOnly.out).toMatch(/^audit chain OK: 4 records, head seq 4 \(files checked alone: records deleted from the end are caught only against the head in Redis\)/);
  });

  it('names the first broken record and exits 1', async () => {
    const ls = await lines(file);
    ls[2] = ls[2]!.replace('"delivered"', '"discarded"');
    await writeLines(file, ls);
    const r = await cli(['verify', rig.dir, '--prefix', rig.prefix]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^audit chain BROKEN at audit-2025-03-04\.jsonl:3 \(seq 3\): hash does not match/);
    expect((await cli(['verify', rig.dir, '--files-only'])).code).toBe(1);
  });

  it('catches a deleted tail against the stored head (which only --files-only skips)', async () => {
    await writeLines(file, (await lines(file)).slice(0, 3));
    expect((await cli(['verify', rig.dir, '--files-only'])).code).toBe(0);
    const byDefault = await cli(['verify', rig.dir, '--prefix', rig.prefix]);
    expect(byDefault.code).toBe(1);
    expect(byDefault.out).toMatch(/BROKEN at audit-2025-03-04\.jsonl:4 \(seq 4\): the files end at sequence 3 but the stored head is 4/);
    const r = await cli(['verify', rig.dir, '--redis', 'redis://127.0.0.1:6379', '--prefix', rig.prefix]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN at audit-2025-03-04\.jsonl:4 \(seq 4\): the files end at sequence 3 but the stored head is 4/);
    const json = await cli(['verify', rig.dir, '--json', '--redis', 'redis://127.0.0.1:6379', '--prefix', rig.prefix]);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, firstBroken: { line: 4, seq: 4 }, expectedHead: { seq: 4 } });
  });

  it('says so when the directory is missing, Redis is unreachable or the usage is wrong', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mw-audit-empty-'));
    try {
      expect((await cli(['verify', empty, '--files-only'])).out).toMatch(/OK: 0 records.*no audit files/);
    } finally {
      await rm(empty, { recursive: true });
    }
    const missing = await cli(['verify', join(rig.dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/is not a directory/);
    const down = await cli(['verify', rig.dir, '--redis', 'redis://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot read the chain head from Redis at redis:\/\/127\.0\.0\.1:1.*\n.*--files-only/);
    await expect(run(['verify', rig.dir, '--files-only', '--redis', 'redis://127.0.0.1:1'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['prune'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['verify', '--bogus'])).rejects.toBeInstanceOf(UsageError);
    expect((await cli(['audit', 'verify', rig.dir, '--prefix', rig.prefix])).code).toBe(0);
  });
});
