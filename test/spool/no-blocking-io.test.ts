/**
 * The spool a front uses (the SMTP or milter thread, where every session waits on the event loop)
 * makes no blocking file-system call: commit, read and update all go through the thread pool.
 * The worker thread's spool (blockingIo) may block, and the same counting shows it does, so the
 * counter can tell the two apart.
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../../src/spool/spool.js';
import { makeSidecar } from './sidecar-factory.js';

const BLOCKING = ['openSync', 'writeSync', 'writevSync', 'closeSync', 'fsyncSync', 'fdatasyncSync', 'readFileSync', 'existsSync', 'statSync', 'renameSync', 'unlinkSync', 'readdirSync'] as const;

let dir: string;
let calls: string[];
const originals = new Map<string, unknown>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-nonblocking-'));
  calls = [];
  const mutable = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of BLOCKING) {
    const original = mutable[name]!;
    originals.set(name, original);
    mutable[name] = (...args: unknown[]) => {
      calls.push(name);
      return original.apply(fs, args);
    };
  }
  syncBuiltinESMExports(); // the spool's named imports of node:fs see the counting versions
});

afterEach(async () => {
  const mutable = fs as unknown as Record<string, unknown>;
  for (const [name, original] of originals) mutable[name] = original;
  syncBuiltinESMExports();
  await rm(dir, { recursive: true, force: true });
});

async function oneMessage(spool: Spool, bytes: Buffer): Promise<string> {
  const id = spool.newId();
  const w = spool.createWriter(id);
  await pipeline(Readable.from([bytes]), w);
  const { size, sha256 } = await w.done();
  await spool.commit(id, makeSidecar(id, { size, sha256, state: 'queued' }));
  const read: Buffer[] = [];
  for await (const c of spool.readMessage(id)) read.push(c as Buffer);
  expect(Buffer.concat(read).equals(bytes)).toBe(true);
  await spool.readSidecar(id);
  await spool.updateSidecar(id, (s) => ({ ...s, state: 'done' }));
  await spool.readMessageBytes(id);
  for await (const c of spool.readMessage(id)) read.push(c as Buffer); // now from done/
  return id;
}

describe('the spool of a front', () => {
  it('commits small and large messages, reads and updates them with no blocking file-system call', async () => {
    const spool = await Spool.open(dir, { sweep: false });
    calls = [];
    await oneMessage(spool, Buffer.from('Subject: small\r\n\r\nhello\r\n'));
    await oneMessage(spool, Buffer.alloc(600 * 1024, 0x61)); // streamed to its file as it comes
    await spool.sweepTemp();
    expect(calls).toEqual([]);
  });

  it("with the I/O thread (as the service's fronts run), commits the same way with no blocking call on this thread", async () => {
    const spool = await Spool.open(dir, { sweep: false, ioThread: true });
    try {
      calls = [];
      await oneMessage(spool, Buffer.from('Subject: small\r\n\r\nhello\r\n'));
      await oneMessage(spool, Buffer.alloc(600 * 1024, 0x62));
      expect(calls).toEqual([]);
    } finally {
      await spool.close();
    }
  });

  it('the worker thread spool (blockingIo) does block, as the counter shows', async () => {
    const spool = await Spool.open(dir, { sweep: false, blockingIo: true });
    calls = [];
    await oneMessage(spool, Buffer.from('Subject: small\r\n\r\nhello\r\n'));
    expect(calls).toEqual(expect.arrayContaining(['writeSync', 'closeSync', 'openSync', 'readFileSync']));
  });
});
