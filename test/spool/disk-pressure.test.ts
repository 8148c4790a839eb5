/**
 * Disk pressure: the oldest finished messages go early to keep `spool.minFreeBytes` free, and a
 * full disk is answered 452 4.3.1 (mail system full), never 250 for mail not stored. On a real
 * tmpfs (mounting needs root); without one the test says so and measures the spool's own usage.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpReply } from '../../src/fronts/smtp/replies.js';
import { freeBytes, purgeForSpace } from '../../src/spool/retention.js';
import { Spool } from '../../src/spool/spool.js';
import { plainMessage, RawSmtp, startRelay, startSink } from '../fronts/smtp/harness.js';
import { fillToTheLastByte } from '../helpers/disk.js';
import { spoolMessage } from '../workers/support.js';

const MB = 1024 * 1024;
const SIZE = 8 * MB;
let base: string;
let mounted = false;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'mw-pressure-'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A file system of SIZE bytes at a new directory: a tmpfs, or (fallback) a plain directory. */
async function smallDisk(name: string): Promise<{ dir: string; free: (d: string) => Promise<number>; done: () => void }> {
  const dir = join(base, name);
  await mkdir(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
    return { dir, free: freeBytes, done: () => execFileSync('umount', [dir]) };
  } catch {
    console.warn('disk-pressure test: cannot mount a tmpfs here (needs root); free space is SIZE minus what the spool holds');
    return { dir, free: async (d) => SIZE - (await usage(d)), done: () => undefined };
  }
}

async function usage(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

async function fill(dir: string): Promise<void> {
  await fillToTheLastByte(join(dir, 'filler'));
}

describe('spool disk pressure', () => {
  it('removes the oldest finished messages until minFreeBytes is free again, and nothing still pending', async () => {
    const disk = await smallDisk('purge');
    try {
      const spool = await Spool.open(disk.dir);
      const body = (tag: string) => `Subject: ${tag}\r\n\r\n${'x'.repeat(MB)}\r\n`;
      const done = [];
      for (let i = 0; i < 5; i++) done.push(await spoolMessage(spool, { bytes: body(`done-${i}`), over: { state: 'done', doneReason: 'delivered' } }));
      const pending = await spoolMessage(spool, { bytes: body('pending'), over: { state: 'queued' } });
      const before = await disk.free(disk.dir);
      expect(before).toBeLessThan(3 * MB);

      expect(await purgeForSpace(spool, 0.5 * MB, disk.free)).toEqual([]); // enough space: nothing goes
      const removed = await purgeForSpace(spool, before + 2.5 * MB, disk.free);
      expect(removed).toEqual(done.slice(0, 3).map((s) => s.id));
      expect(await disk.free(disk.dir)).toBeGreaterThanOrEqual(before + 2.5 * MB);
      expect((await spool.readSidecar(pending.id)).state).toBe('queued');
      expect((await spool.readSidecar(done[3]!.id)).state).toBe('done');

      // Never a pending message, even when removing every finished one is not enough.
      expect(await purgeForSpace(spool, SIZE, disk.free)).toEqual(done.slice(3).map((s) => s.id));
      expect((await spool.readSidecar(pending.id)).state).toBe('queued');
    } finally {
      disk.done();
    }
  });

  it('answers a full disk 452 4.3.1 and keeps nothing; takes mail again once there is room', async () => {
    const disk = await smallDisk('full');
    const sink = await startSink();
    const relay = await startRelay(sink.port, { spool: { dir: join(disk.dir, 'spool'), minFreeBytes: 0 } });
    try {
      if (!mounted) {
        expect(smtpReply({ kind: 'mail-system-full', ref: 'R' })).toEqual({ code: 452, text: '4.3.1 Mail system full, please try again later ref R' });
        return;
      }
      await fill(disk.dir);
      const { client } = await RawSmtp.open(relay.port);
      const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'disk-full-1' }));
      expect(reply.code).toBe(452);
      expect(reply.text).toMatch(/^4\.3\.1 Mail system full, please try again later ref \S+$/);
      expect((await readdir(join(disk.dir, 'spool', 'msg'))).filter((n) => !n.startsWith('.'))).toEqual([]);
      // A big message (written while DATA streams) fails the same way.
      const big = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'disk-full-2', body: 'y'.repeat(600_000) }));
      expect(big.code).toBe(452);

      await rm(join(disk.dir, 'filler'));
      const ok = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'disk-full-3' }));
      client.close();
      expect(ok.code).toBe(250);
      await sink.waitFor(1);
    } finally {
      await relay.stop();
      await sink.close();
      disk.done();
    }
  });
});
