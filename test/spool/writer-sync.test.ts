/**
 * When a large message's file is fdatasynced: at the end of the data (the relay, which commits
 * nearly all it receives), or only at commit (`syncAtEnd: false`, the milter, whose accepted mail
 * Postfix keeps). Either way the file is synced before its sidecar exists, and a message nobody
 * commits under `syncAtEnd: false` is never synced at all. The fdatasyncs are counted on the
 * real FileHandle (the calls still go through), with whether the sidecar existed at that moment.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../../src/spool/spool.js';
import { makeSidecar } from './sidecar-factory.js';

/** Over the writer's in-memory limit: the bytes go to the file as they arrive. */
const LARGE = Buffer.alloc(600 * 1024, 0x61);

let dir: string;
let spool: Spool;
/** One entry per fdatasync: did any sidecar exist in msg/ at that moment? */
let syncs: { sidecarExisted: boolean }[];
let restore: () => void;
let watchedSidecar = '';

beforeAll(async () => {
  const probeDir = await mkdtemp(join(tmpdir(), 'mw-sync-probe-'));
  const fh = await open(join(probeDir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(fh) as { datasync: (this: unknown) => Promise<void> };
  await fh.close();
  await rm(probeDir, { recursive: true, force: true });
  const original = proto.datasync;
  proto.datasync = function (this: unknown) {
    syncs.push({ sidecarExisted: watchedSidecar !== '' && existsSync(watchedSidecar) });
    return original.call(this);
  };
  restore = () => {
    proto.datasync = original;
  };
});
afterAll(() => restore());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-writer-sync-'));
  spool = await Spool.open(dir);
  syncs = [];
  watchedSidecar = '';
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(id: string, syncAtEnd: boolean | undefined): Promise<{ size: number; sha256: string }> {
  const w = spool.createWriter(id, syncAtEnd === undefined ? {} : { syncAtEnd });
  await pipeline(Readable.from([LARGE.subarray(0, 300 * 1024), LARGE.subarray(300 * 1024)]), w);
  return w.done();
}

describe('a large message file is fdatasynced', () => {
  it('at the end of the data by default, before commit is called', async () => {
    const id = spool.newId();
    watchedSidecar = spool.sidecarPath(id);
    const done = await write(id, undefined);
    expect(syncs).toHaveLength(1);
    await spool.commit(id, makeSidecar(id, done));
    expect(syncs[0]!.sidecarExisted).toBe(false);
  });

  it('only at commit with syncAtEnd off, still before its sidecar exists, and the bytes are all there', async () => {
    const id = spool.newId();
    watchedSidecar = spool.sidecarPath(id);
    const done = await write(id, false);
    expect(syncs).toHaveLength(0);
    // The file is complete already (written, closed), only not yet durable.
    expect(existsSync(spool.messagePath(id))).toBe(true);
    await spool.commit(id, makeSidecar(id, done));
    expect(syncs.length).toBeGreaterThanOrEqual(1);
    expect(syncs[0]!.sidecarExisted).toBe(false);
    const read: Buffer[] = [];
    for await (const c of spool.readMessage(id)) read.push(c as Buffer);
    expect(Buffer.concat(read).equals(LARGE)).toBe(true);
  });

  it('never, with syncAtEnd off, for a message that is aborted instead of committed', async () => {
    const id = spool.newId();
    await write(id, false);
    await spool.abort(id);
    expect(syncs).toHaveLength(0);
    expect(await readdir(join(dir, 'msg'))).toEqual([]);
  });
});
