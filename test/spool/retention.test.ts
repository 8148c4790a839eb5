import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { purgeDone } from '../../src/spool/retention.js';
import { Spool } from '../../src/spool/spool.js';
import type { Sidecar } from '../../src/spool/types.js';
import { makeSidecar } from './sidecar-factory.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function spooled(spool: Spool, over: Partial<Sidecar>): Promise<string> {
  const id = spool.newId();
  const w = spool.createWriter(id);
  w.end(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
  const { size, sha256 } = await w.done();
  await spool.commit(id, makeSidecar(id, { size, sha256, ...over }));
  return id;
}

describe('spool retention', () => {
  it('removes finished messages past the retention and keeps everything else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-retention-'));
    dirs.push(dir);
    const spool = await Spool.open(dir);
    // Ids carry their arrival time (now): retention is judged two weeks on.
    const day = 24 * 3600 * 1000;
    const now = Date.now() + 14 * day;
    const oldDone = await spooled(spool, {
      state: 'done',
      doneReason: 'delivered',
      outcomes: [{ rcpt: 'bob@partner.example', status: 'delivered', code: 250, response: '250 ok', at: new Date(Date.now() + day).toISOString() }],
    });
    // Arrived long ago but finished recently (a long retry): kept.
    const lateDone = await spooled(spool, {
      state: 'done',
      doneReason: 'bounced',
      outcomes: [{ rcpt: 'bob@partner.example', status: 'failed', code: 550, response: '550 no', at: new Date(now - 2 * day).toISOString() }],
    });
    const oldHeld = await spooled(spool, { state: 'held' });
    const oldQueued = await spooled(spool, { state: 'queued' });

    const removed = await purgeDone(spool, 7, now);
    expect(removed).toEqual([oldDone]);
    const left: string[] = [];
    for await (const s of spool.list()) left.push(s.id);
    expect(left.sort()).toEqual([lateDone, oldHeld, oldQueued].sort());
    await expect(spool.readSidecar(oldDone)).rejects.toThrow();
  });
});
