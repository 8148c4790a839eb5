import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../../src/spool/spool.js';
import { isSpoolId, newSpoolId } from '../../src/spool/spool-id.js';
import type { Sidecar } from '../../src/spool/types.js';
import { makeSidecar } from './sidecar-factory.js';

let dir: string;
let spool: Spool;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-spool-'));
  spool = await Spool.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function store(bytes: Buffer, over: Partial<Sidecar> = {}): Promise<Sidecar> {
  const id = spool.newId();
  const w = spool.createWriter(id);
  await pipeline(Readable.from([bytes]), w);
  const { size, sha256 } = await w.done();
  const sidecar = makeSidecar(id, { size, sha256, ...over });
  await spool.commit(id, sidecar);
  return sidecar;
}

async function collect(filter?: Parameters<Spool['list']>[0]): Promise<Sidecar[]> {
  const out: Sidecar[] = [];
  for await (const s of spool.list(filter)) out.push(s);
  return out;
}

describe('spool ids', () => {
  it('are unique, safe, never integer-like and sort by time', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(newSpoolId());
    expect(ids.size).toBe(2000);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z0-9]+$/);
      expect(isSpoolId(id)).toBe(true);
      expect(String(Number.parseInt(id, 10))).not.toBe(id);
    }
    const early = newSpoolId(Date.UTC(2024, 0, 1));
    const late = newSpoolId(Date.UTC(2024, 0, 1) + 1);
    const later = newSpoolId(Date.UTC(2031, 5, 1));
    expect([later, late, early].sort()).toEqual([early, late, later]);
    expect(isSpoolId('12345')).toBe(false);
    expect(isSpoolId('../etc')).toBe(false);
  });
});

describe('Spool', () => {
  it('writes, commits and reads back the identical bytes with their size and sha256', async () => {
    // Many chunks over the high-water mark exercise backpressure and writev.
    const chunks = Array.from({ length: 80 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
    const all = Buffer.concat(chunks);
    const id = spool.newId();
    const w = spool.createWriter(id);
    await pipeline(Readable.from(chunks), w);
    const { size, sha256 } = await w.done();
    expect(size).toBe(all.length);
    expect(sha256).toBe(createHash('sha256').update(all).digest('hex'));
    // nothing visible before commit
    expect(await collect()).toEqual([]);
    await spool.commit(id, makeSidecar(id, { size, sha256 }));
    expect((await readAll(spool.readMessage(id))).equals(all)).toBe(true);
    expect((await spool.readSidecar(id)).sha256).toBe(sha256);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await readdir(join(dir, 'msg'))).sort()).toEqual([`${id}.eml`, `${id}.json`]);
  });

  it('a writer made with hash: false counts the bytes, gives no sha256, and commits them the same', async () => {
    const bytes = Buffer.alloc(300 * 1024, 7);
    const id = spool.newId();
    const w = spool.createWriter(id, { hash: false });
    await pipeline(Readable.from([bytes]), w);
    expect(await w.done()).toEqual({ size: bytes.length, sha256: null });
    await spool.commit(id, makeSidecar(id, { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
    expect((await readAll(spool.readMessage(id))).equals(bytes)).toBe(true);
  });

  it('commit waits for the writer to finish when the caller did not', async () => {
    const id = spool.newId();
    const w = spool.createWriter(id);
    w.write(Buffer.from('Subject: x\r\n\r\nhello\r\n'));
    w.end();
    await spool.commit(id, makeSidecar(id));
    expect((await readAll(spool.readMessage(id))).toString()).toBe('Subject: x\r\n\r\nhello\r\n');
  });

  it('abort mid-DATA leaves no file behind and done() rejects', async () => {
    const id = spool.newId();
    const w = spool.createWriter(id);
    const done = w.done();
    w.write(Buffer.alloc(100_000, 1));
    await new Promise((r) => setTimeout(r, 20));
    await spool.abort(id);
    await expect(done).rejects.toThrow(/closed before end/);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, 'msg'))).toEqual([]);
    expect(await collect()).toEqual([]);
    // abort of an unknown or invalid id never throws
    await expect(spool.abort('nope')).resolves.toBeUndefined();
    await expect(spool.abort('../../x')).resolves.toBeUndefined();
  });

  it('rejects a sidecar whose id differs and ids that are not spool ids', async () => {
    const id = spool.newId();
    const w = spool.createWriter(id);
    w.end('x');
    await expect(spool.commit(id, makeSidecar(spool.newId()))).rejects.toThrow(/does not match/);
    expect(() => spool.createWriter('a/b')).toThrow(/invalid id/);
    expect(() => spool.messagePath('..')).toThrow(/invalid id/);
  });

  it('serialises concurrent updateSidecar calls so that no update is lost', async () => {
    const s = await store(Buffer.from('x'));
    const n = 40;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        spool.updateSidecar(s.id, (cur) => ({
          ...cur,
          outcomes: [...cur.outcomes, { rcpt: `r${i}@x.example`, status: 'delivered', code: 250, response: 'ok', at: 'now' }],
        })),
      ),
    );
    expect(results[n - 1]!.outcomes).toHaveLength(n);
    const final = await spool.readSidecar(s.id);
    expect(final.outcomes.map((o) => o.rcpt).sort()).toEqual(Array.from({ length: n }, (_, i) => `r${i}@x.example`).sort());
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('a failing update does not block later ones and may not change the id', async () => {
    const s = await store(Buffer.from('x'));
    const bad = spool.updateSidecar(s.id, () => {
      throw new Error('boom');
    });
    const renamed = spool.updateSidecar(s.id, (cur) => ({ ...cur, id: 'other' }));
    const good = spool.updateSidecar(s.id, (cur) => ({ ...cur, state: 'done', doneReason: 'delivered' }));
    await expect(bad).rejects.toThrow('boom');
    await expect(renamed).rejects.toThrow(/may not change the id/);
    expect((await good).state).toBe('done');
    expect((await spool.readSidecar(s.id)).state).toBe('done');
  });

  it('list filters by state and returns arrival order', async () => {
    const a = await store(Buffer.from('a'), { state: 'queued' });
    const b = await store(Buffer.from('b'), { state: 'held' });
    const c = await store(Buffer.from('c'), { state: 'queued' });
    expect((await collect()).map((s) => s.id)).toEqual([a.id, b.id, c.id].sort());
    expect((await collect({ state: 'queued' })).map((s) => s.id)).toEqual([a.id, c.id].sort());
    expect((await collect({ state: 'held' })).map((s) => s.id)).toEqual([b.id]);
    expect(await collect({ state: 'done' })).toEqual([]);
  });

  it('remove deletes the message and its sidecar', async () => {
    const a = await store(Buffer.from('a'));
    await spool.remove(a.id);
    expect(await readdir(join(dir, 'msg'))).toEqual([]);
    await expect(spool.readSidecar(a.id)).rejects.toThrow(/ENOENT/);
    await expect(spool.remove(a.id)).resolves.toBeUndefined();
  });

  it('ignores crash leftovers in list() and sweepTemp() removes them, sparing fresh files by default', async () => {
    const kept = await store(Buffer.from('kept'));
    const crashed = newSpoolId();
    const orphan = newSpoolId();
    const leftovers = [
      join(dir, 'tmp', `${crashed}.eml`),
      join(dir, 'tmp', `${crashed}.0a1b2c.json`),
      join(dir, 'msg', `${orphan}.eml`), // crash between the two renames of commit
    ];
    for (const p of leftovers) await writeFile(p, '{"id":"half');
    await writeFile(join(dir, 'msg', `${newSpoolId()}.json`), '{"id":'); // torn sidecar from elsewhere
    expect((await collect()).map((s) => s.id)).toEqual([kept.id]);

    // Fresh files may belong to a DATA in progress in another process: left alone by default.
    expect(await spool.sweepTemp()).toBe(0);
    const old = new Date(Date.now() - 60 * 60_000);
    for (const p of leftovers) await utimes(p, old, old);
    expect(await spool.sweepTemp()).toBe(3);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await readdir(join(dir, 'msg'))).filter((n) => n.endsWith('.eml'))).toEqual([`${kept.id}.eml`]);

    // And open() sweeps old leftovers too.
    const again = join(dir, 'tmp', `${newSpoolId()}.eml`);
    await writeFile(again, 'x');
    await utimes(again, old, old);
    await Spool.open(dir);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('sweepTemp never removes the temp file of a writer open in this process', async () => {
    const id = spool.newId();
    const w = spool.createWriter(id);
    w.write('partial');
    await new Promise((r) => setTimeout(r, 20));
    expect(await spool.sweepTemp({ olderThanMs: -1000 })).toBe(0);
    w.end();
    await spool.commit(id, makeSidecar(id));
    expect((await readAll(spool.readMessage(id))).toString()).toBe('partial');
  });
});
