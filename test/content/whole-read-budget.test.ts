/**
 * The whole-read budget: containers read whole into memory take turns across the process, in
 * arrival order; nested reads never wait; an aborted inspection leaves the queue; and an
 * inspection that read a spilled compound file gives its share back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { WHOLE_READ_BUDGET_BYTES, WholeReadBudget, wholeReads } from '../../src/message/content/whole-read-budget.js';
import { base64Lines, crlf, multipart, parse } from '../message/parse-helpers.js';
import { cfbFile, outlookMsg, wordFib } from './builders.js';

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('WholeReadBudget', () => {
  it('lends at once while there is room, then queues in arrival order', async () => {
    const budget = new WholeReadBudget(100);
    const releaseA = await budget.acquire(60);
    expect(budget.free).toBe(40);
    const b = budget.acquire(50); // does not fit
    const c = budget.acquire(10); // would fit, but waits behind b: arrival order
    expect(await settled(b)).toBe(false);
    expect(await settled(c)).toBe(false);
    releaseA();
    const releaseB = await b;
    const releaseC = await c;
    expect(budget.free).toBe(40);
    releaseB();
    releaseC();
    releaseC(); // twice is once
    expect(budget.free).toBe(100);
  });

  it('lets an item bigger than the whole budget go when it is alone', async () => {
    const budget = new WholeReadBudget(100);
    const small = await budget.acquire(1);
    const huge = budget.acquire(500);
    expect(await settled(huge)).toBe(false);
    small();
    const release = await huge;
    expect(budget.free).toBe(0);
    release();
    expect(budget.free).toBe(100);
  });

  it('never makes a nested read wait (its parent holds budget only it can give back)', async () => {
    const budget = new WholeReadBudget(100);
    const outer = await budget.acquire(100);
    const inner = await budget.acquire(30, { nested: true });
    expect(budget.free).toBe(-30);
    inner();
    outer();
    expect(budget.free).toBe(100);
  });

  it('drops a waiter whose inspection was aborted, and serves the one behind it', async () => {
    const budget = new WholeReadBudget(100);
    const first = await budget.acquire(90);
    const abort = new AbortController();
    const aborted = budget.acquire(50, { signal: abort.signal });
    const behind = budget.acquire(10);
    expect(await settled(behind)).toBe(false);
    abort.abort(new Error('no verdict within 30000 ms'));
    await expect(aborted).rejects.toThrow('no verdict within 30000 ms');
    const release = await behind; // 10 fits next to the 90 once the 50 is gone from the queue
    expect(budget.free).toBe(0);
    release();
    first();
    expect(budget.free).toBe(100);
  });
});

describe('inspection and the whole-read budget', () => {
  const spilled = { memoryPartBytes: 64 * 1024 };
  const withAttachment = (name: string, type: string, bytes: Buffer) =>
    crlf('Content-Type: multipart/mixed; boundary="b"', '') +
    multipart('b', [
      { headers: ['Content-Type: text/plain'], body: 'report attached' },
      { headers: [`Content-Type: ${type}; name="${name}"`, 'Content-Transfer-Encoding: base64'], body: base64Lines(bytes) },
    ]);

  it('reads a spilled Outlook message back whole under the budget, and gives it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-whole-'));
    const msgFile = outlookMsg({ subject: 'minutes', body: 'see attached', attachments: [{ name: 'minutes.bin', data: Buffer.alloc(200_000, 3) }] });
    const acquire = vi.spyOn(wholeReads, 'acquire');
    try {
      const results = await Promise.all(
        ['a.msg', 'b.msg', 'c.msg'].map((n) => parse(withAttachment(n, 'application/vnd.ms-outlook', msgFile), { ...spilled, tempDir: dir })),
      );
      for (const msg of results) expect(msg.attachments[0]).toMatchObject({ detected: { ext: 'msg' } });
      expect(acquire).toHaveBeenCalledTimes(3);
      expect(acquire.mock.calls.map(([bytes]) => bytes)).toEqual([msgFile.length, msgFile.length, msgFile.length]);
    } finally {
      acquire.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
    expect(wholeReads.free).toBe(WHOLE_READ_BUDGET_BYTES);
  });

  it('classifies a spilled Word file in place: no whole read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-whole-'));
    const doc = cfbFile({ WordDocument: Buffer.concat([wordFib(true), Buffer.alloc(200_000, 7)]), '1Table': Buffer.alloc(4096) });
    const acquire = vi.spyOn(wholeReads, 'acquire');
    try {
      const msg = await parse(withAttachment('locked.doc', 'application/msword', doc), { ...spilled, tempDir: dir });
      expect(msg.attachments[0]).toMatchObject({ detected: { ext: 'doc', family: 'word', encrypted: true } });
      expect(acquire).not.toHaveBeenCalled();
    } finally {
      acquire.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
