/**
 * The spool's cheaper write paths (see src/spool/spool.ts): sidecar updates append whole lines,
 * a torn line from a crash is skipped and never merges with the next append, a grown sidecar is
 * compacted, small messages touch the disk only at commit, and the blocking-I/O mode of the
 * worker thread reads and updates the same files the same way.
 */
import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../../src/spool/spool.js';
import type { Sidecar } from '../../src/spool/types.js';
import { makeSidecar } from './sidecar-factory.js';

let dir: string;
let spool: Spool;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-spool-log-'));
  spool = await Spool.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function store(bytes: Buffer, over: Partial<Sidecar> = {}): Promise<Sidecar> {
  const id = spool.newId();
  const w = spool.createWriter(id);
  w.end(bytes);
  const { size, sha256 } = await w.done();
  const sidecar = makeSidecar(id, { size, sha256, ...over });
  await spool.commit(id, sidecar);
  return sidecar;
}

const delivered = (rcpt: string) => ({ rcpt, status: 'delivered' as const, code: 250, response: '250 ok', at: '2025-03-04T10:01:00.000Z' });

describe('sidecar updates', () => {
  it('append one complete line per update; the last line is the sidecar', async () => {
    const s = await store(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
    await spool.updateSidecar(s.id, (cur) => ({ ...cur, outcomes: [delivered('bob@partner.example')] }));
    await spool.updateSidecar(s.id, (cur) => ({ ...cur, state: 'done', doneReason: 'delivered' }));
    // Done: both files moved to done/, where start-up and reconcile do not look.
    const lines = (await readFile(join(dir, 'done', `${s.id}.json`), 'utf8')).split('\n');
    expect(lines).toHaveLength(4); // three records and the final newline
    expect(lines[3]).toBe('');
    expect((JSON.parse(lines[0]!) as Sidecar).state).toBe('queued');
    const current = await spool.readSidecar(s.id);
    expect(current.state).toBe('done');
    expect(current.outcomes).toEqual([delivered('bob@partner.example')]);
    // no temp files, no rewrites: done/ holds the two files of the message only
    expect(await readdir(join(dir, 'msg'))).toEqual([]);
    expect((await readdir(join(dir, 'done'))).sort()).toEqual([`${s.id}.eml`, `${s.id}.json`]);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('skip a line torn by a crash, and start the next append on a line of its own', async () => {
    const s = await store(Buffer.from('x\r\n'));
    await appendFile(spool.sidecarPath(s.id), '{"id":"' + s.id + '","state":"do'); // crash mid-append
    expect((await spool.readSidecar(s.id)).state).toBe('queued');
    expect((await collect()).map((x) => x.id)).toEqual([s.id]);
    const next = await spool.updateSidecar(s.id, (cur) => ({ ...cur, state: 'held' }));
    expect(next.state).toBe('held');
    expect((await spool.readSidecar(s.id)).state).toBe('held');
    const text = await readFile(spool.sidecarPath(s.id), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('compact a sidecar grown past 64 KB into one line', async () => {
    const many = Array.from({ length: 400 }, (_, i) => delivered(`r${i}@partner.example`));
    const s = await store(Buffer.from('x\r\n'), { envelope: { mailFrom: 'a@x.example', rcptTo: many.map((o) => o.rcpt) } });
    for (let i = 0; i < 20 && (await stat(spool.sidecarPath(s.id))).size <= 64 * 1024; i++) {
      await spool.updateSidecar(s.id, (cur) => ({ ...cur, outcomes: many.slice(0, 100 * (i + 1)) }));
    }
    expect((await stat(spool.sidecarPath(s.id))).size).toBeGreaterThan(64 * 1024);
    expect((await readFile(spool.sidecarPath(s.id), 'utf8')).split('\n').filter(Boolean).length).toBeGreaterThan(1);
    await spool.updateSidecar(s.id, (cur) => ({ ...cur, outcomes: many, state: 'done', doneReason: 'delivered' }));
    const text = await readFile(join(dir, 'done', `${s.id}.json`), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    const final = await spool.readSidecar(s.id);
    expect(final.state).toBe('done');
    expect(final.outcomes).toHaveLength(400);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('read the old one-object format', async () => {
    const s = await store(Buffer.from('x\r\n'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(spool.sidecarPath(s.id), JSON.stringify({ ...s, state: 'held' })); // no newline
    expect((await spool.readSidecar(s.id)).state).toBe('held');
    expect((await spool.updateSidecar(s.id, (cur) => ({ ...cur, state: 'queued' }))).state).toBe('queued');
    expect((await spool.readSidecar(s.id)).state).toBe('queued');
  });
});

describe('small messages', () => {
  it('create no file until commit, and none at all when aborted', async () => {
    const id = spool.newId();
    const w = spool.createWriter(id);
    w.end(Buffer.from('Subject: refused\r\n\r\nbody\r\n'));
    await w.done();
    expect(await readdir(join(dir, 'msg'))).toEqual([]);
    await spool.abort(id);
    expect(await readdir(join(dir, 'msg'))).toEqual([]);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('stream a large message to its file while it arrives, and remove it on abort', async () => {
    const id = spool.newId();
    const w = spool.createWriter(id);
    w.write(Buffer.alloc(200 * 1024, 0x61));
    await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(join(dir, 'msg'))).toEqual([`${id}.eml`]);
    await spool.abort(id);
    expect(await readdir(join(dir, 'msg'))).toEqual([]);
  });
});

describe('blocking-I/O mode (the worker thread)', () => {
  it('reads, reads whole messages and appends updates like the default mode', async () => {
    const s = await store(Buffer.from('Subject: y\r\n\r\nhello\r\n'));
    const worker = await Spool.open(dir, { sweep: false, blockingIo: true });
    expect((await worker.readSidecar(s.id)).id).toBe(s.id);
    expect((await worker.readMessageBytes(s.id)).toString()).toBe('Subject: y\r\n\r\nhello\r\n');
    await worker.updateSidecar(s.id, (cur) => ({ ...cur, outcomes: [delivered('bob@partner.example')], state: 'done', doneReason: 'delivered' }));
    expect((await spool.readSidecar(s.id)).state).toBe('done');
    await expect(worker.readSidecar(spool.newId())).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(worker.updateSidecar(s.id, (cur) => ({ ...cur, id: 'other' }))).rejects.toThrow(/may not change the id/);
    expect((await spool.readSidecar(s.id)).state).toBe('done');
  });
});

async function collect(): Promise<Sidecar[]> {
  const out: Sidecar[] = [];
  for await (const s of spool.list()) out.push(s);
  return out;
}
