/**
 * The spool's I/O thread (the fronts' commits): the files it creates, in order and durable before
 * the promise resolves; its errors reach the caller with their codes; many commits at once share
 * it; it comes back after it ended; close() waits for what is in flight.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolIoThread } from '../../src/spool/io-thread.js';
import { Spool } from '../../src/spool/spool.js';
import { makeSidecar } from './sidecar-factory.js';

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-iothread-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(spool: Spool, bytes: Buffer): Promise<{ id: string; size: number; sha256: string }> {
  const id = spool.newId();
  const w = spool.createWriter(id);
  await pipeline(Readable.from([bytes]), w);
  return { id, ...(await w.done()) };
}

describe('Spool with the I/O thread', () => {
  it('commits small (created by the thread) and large (streamed) messages: bytes and sidecar on disk at once', async () => {
    const spool = await Spool.open(dir, { sweep: false, ioThread: true });
    try {
      for (const bytes of [Buffer.from('Subject: small\r\n\r\nhello\r\n'), Buffer.alloc(300 * 1024, 0x61)]) {
        const m = await write(spool, bytes);
        await spool.commit(m.id, makeSidecar(m.id, { size: m.size, sha256: m.sha256 }));
        expect(readFileSync(spool.messagePath(m.id)).equals(bytes)).toBe(true);
        expect(JSON.parse(readFileSync(spool.sidecarPath(m.id), 'utf8'))).toMatchObject({ id: m.id, size: bytes.length, state: 'queued' });
      }
      expect([...(await collect(spool.list()))].length).toBe(2);
    } finally {
      await spool.close();
    }
  });

  it('takes 200 commits at once, each with its own bytes', async () => {
    const spool = await Spool.open(dir, { sweep: false, ioThread: true });
    try {
      const written = await Promise.all(Array.from({ length: 200 }, (_, i) => write(spool, Buffer.from(`Subject: ${i}\r\n\r\n${'x'.repeat(i * 50)}\r\n`))));
      await Promise.all(written.map((m) => spool.commit(m.id, makeSidecar(m.id, { size: m.size, sha256: m.sha256 }))));
      for (const [i, m] of written.entries()) {
        expect(readFileSync(spool.messagePath(m.id), 'utf8').startsWith(`Subject: ${i}\r\n`)).toBe(true);
        expect((await spool.readSidecar(m.id)).sha256).toBe(m.sha256);
      }
    } finally {
      await spool.close();
    }
  });

  it('a commit that fails (the sidecar exists) rejects with the error code, and abort leaves nothing behind', async () => {
    const spool = await Spool.open(dir, { sweep: false, ioThread: true });
    try {
      const first = await write(spool, Buffer.from('Subject: one\r\n\r\n1\r\n'));
      await spool.commit(first.id, makeSidecar(first.id));
      // A second message whose sidecar name is already taken (a reused id: a bug the 'wx' refuses).
      const second = await write(spool, Buffer.from('Subject: two\r\n\r\n2\r\n'));
      const taken = readFileSync(spool.sidecarPath(first.id));
      await import('node:fs/promises').then((fsp) => fsp.writeFile(spool.sidecarPath(second.id), taken));
      await expect(spool.commit(second.id, makeSidecar(second.id))).rejects.toMatchObject({ code: 'EEXIST' });
      await spool.abort(second.id);
      expect(existsSync(spool.messagePath(second.id))).toBe(false);
      // the thread goes on
      const third = await write(spool, Buffer.from('Subject: three\r\n\r\n3\r\n'));
      await spool.commit(third.id, makeSidecar(third.id));
      expect(existsSync(spool.sidecarPath(third.id))).toBe(true);
    } finally {
      await spool.close();
    }
  });
});

describe('SpoolIoThread', () => {
  it('creates files in order, refuses an existing one, and reports a missing directory as ENOENT', async () => {
    const io = new SpoolIoThread();
    try {
      await io.createFiles([{ path: join(dir, 'a'), buffers: [Buffer.from('A'), Buffer.from('a')] }, { path: join(dir, 'b'), buffers: [Buffer.from('B')] }], dir);
      expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('Aa');
      expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('B');
      // the first file exists: the second is never created
      await expect(io.createFiles([{ path: join(dir, 'a'), buffers: [] }, { path: join(dir, 'c'), buffers: [] }], dir)).rejects.toMatchObject({ code: 'EEXIST' });
      expect(existsSync(join(dir, 'c'))).toBe(false);
      await expect(io.createFiles([{ path: join(dir, 'nowhere', 'd'), buffers: [] }], null)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(io.createFiles([], join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await io.close();
    }
  });

  it('starts a new thread after the old one ended', async () => {
    const io = new SpoolIoThread();
    try {
      await io.createFiles([{ path: join(dir, 'before'), buffers: [Buffer.from('1')] }], dir);
      const worker = (io as unknown as { worker: Worker }).worker;
      await worker.terminate();
      await io.createFiles([{ path: join(dir, 'after'), buffers: [Buffer.from('2')] }], dir);
      expect(readFileSync(join(dir, 'after'), 'utf8')).toBe('2');
      expect((io as unknown as { worker: Worker }).worker).not.toBe(worker);
    } finally {
      await io.close();
    }
  });

  it('close() waits for the requests in flight, then refuses new ones', async () => {
    const io = new SpoolIoThread();
    await mkdir(join(dir, 'many'));
    const pending = Array.from({ length: 50 }, (_, i) => io.createFiles([{ path: join(dir, 'many', `f${i}`), buffers: [Buffer.alloc(4096, i)] }], join(dir, 'many')));
    await io.close();
    await Promise.all(pending);
    expect(readdirSync(join(dir, 'many')).length).toBe(50);
    await expect(io.createFiles([{ path: join(dir, 'late'), buffers: [] }], null)).rejects.toThrow(/closed/);
  });
});

describe('the I/O thread and the process', () => {
  it('starts when the spool opens, and never keeps a process alive that is otherwise done', async () => {
    const spool = await Spool.open(dir, { sweep: false, ioThread: true });
    try {
      expect((spool as unknown as { io: { worker: Worker | null } }).io.worker).not.toBeNull();
    } finally {
      await spool.close();
    }
    // A child that opens a spool with the thread, commits once and forgets to close it: it exits
    // by itself (the idle thread is unref'd), with its message on disk.
    const script = [
      `import { Spool } from ${JSON.stringify(new URL('../../src/spool/spool.ts', import.meta.url).href)};`,
      `const spool = await Spool.open(${JSON.stringify(dir)}, { sweep: false, ioThread: true });`,
      `const id = spool.newId(); const w = spool.createWriter(id); w.end(Buffer.from('Subject: x\\r\\n\\r\\nhi\\r\\n'));`,
      `await spool.commit(id, { id, state: 'queued' }); console.log(id);`,
    ].join('\n');
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    const id = stdout.trim();
    expect(readFileSync(join(dir, 'msg', `${id}.eml`), 'utf8')).toBe('Subject: x\r\n\r\nhi\r\n');
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
