/**
 * Finished messages live in done/, so what start-up and reconcile read does not grow with the
 * messages kept after delivery; a move to done/ lost to a crash is finished later, never lost.
 */
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/queue/dispatch.js';
import { createRedis } from '../../src/queue/redis.js';
import { reconcile } from '../../src/custody/reconcile.js';
import { purgeDone } from '../../src/spool/retention.js';
import { newSpoolId, spoolIdTime } from '../../src/spool/spool-id.js';
import { Spool } from '../../src/spool/spool.js';
import { dropPrefix, REDIS_URL, silent, spoolMessage, testPrefix } from '../workers/support.js';

let dir: string;
let spool: Spool;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-done-dir-'));
  spool = await Spool.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const names = async (sub: string) => (await readdir(join(dir, sub))).sort();

describe('the done/ directory', () => {
  it('takes both files when a message is done; reading, updating and removing it still work', async () => {
    const body = 'Subject: d\r\n\r\nhello\r\n';
    const s = await spoolMessage(spool, { bytes: body });
    expect(await names('msg')).toEqual([`${s.id}.eml`, `${s.id}.json`]);
    await spool.updateSidecar(s.id, (c) => ({ ...c, state: 'done', doneReason: 'delivered' }));
    expect(await names('msg')).toEqual([]);
    expect(await names('done')).toEqual([`${s.id}.eml`, `${s.id}.json`]);
    expect((await spool.readSidecar(s.id)).state).toBe('done');
    expect((await spool.readMessageBytes(s.id)).toString()).toBe(body);
    const chunks: Buffer[] = [];
    for await (const c of spool.readMessage(s.id)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(body);
    expect((await spool.updateSidecar(s.id, (c) => ({ ...c, subject: 'later' }))).subject).toBe('later');
    expect((await spool.readSidecar(s.id)).subject).toBe('later');
    expect((await collect({ state: 'done' })).map((x) => x.id)).toEqual([s.id]);
    expect(await collect({ pendingOnly: true })).toEqual([]);
    await spool.remove(s.id);
    expect(await names('done')).toEqual([]);
  });

  it('reconcile reads msg/ only, and finishes a move a crash lost (or an old one-directory spool)', async () => {
    const prefix = testPrefix();
    const producer = createRedis(REDIS_URL, 'producer');
    const dispatcher = new Dispatcher({ connection: producer, prefix });
    try {
      for (let i = 0; i < 30; i++) await spoolMessage(spool, { bytes: `Subject: ${i}\r\n\r\nx\r\n`, over: { state: 'done', doneReason: 'delivered' } });
      const pending = await spoolMessage(spool, { bytes: 'Subject: p\r\n\r\np\r\n' });
      // A finished message still in msg/: its move was lost, or it predates done/.
      const stray = await spoolMessage(spool, { bytes: 'Subject: s\r\n\r\ns\r\n', over: { state: 'done', doneReason: 'bounced' } });
      for (const ext of ['.eml', '.json']) await rename(join(dir, 'done', `${stray.id}${ext}`), join(dir, 'msg', `${stray.id}${ext}`));

      const report = await reconcile(spool, dispatcher, { logger: silent });
      expect(report).toMatchObject({ seen: 2, deliver: 1, failures: [] });
      expect(await names('msg')).toEqual([`${pending.id}.eml`, `${pending.id}.json`]);
      expect(await names('done')).toContain(`${stray.id}.json`);
      expect(await names('done')).toContain(`${stray.id}.eml`);
      expect((await reconcile(spool, dispatcher, { logger: silent })).seen).toBe(1);
    } finally {
      await dispatcher.close();
      producer.disconnect();
      await dropPrefix(prefix);
    }
  });

  it('a data file left in msg/ after its sidecar reached done/ is moved at the sweep, not deleted', async () => {
    const s = await spoolMessage(spool, { bytes: 'Subject: m\r\n\r\nm\r\n', over: { state: 'done', doneReason: 'delivered' } });
    await rename(join(dir, 'done', `${s.id}.eml`), join(dir, 'msg', `${s.id}.eml`));
    const other = newSpoolId();
    await writeFile(join(dir, 'msg', `${other}.eml`), 'a DATA that never finished');
    await spool.sweepTemp({ olderThanMs: 0 });
    expect(await names('msg')).toEqual([]);
    expect(await names('done')).toEqual([`${s.id}.eml`, `${s.id}.json`]);
  });

  it('retention walks done/ in arrival order and stops at the first message that arrived after the cutoff', async () => {
    const day = 24 * 3600 * 1000;
    const old = await spoolMessage(spool, { bytes: 'x\r\n', over: { state: 'done', doneReason: 'delivered' } });
    // Finished the same day it arrived.
    await spool.updateSidecar(old.id, (c) => ({ ...c, outcomes: [{ rcpt: 'bob@partner.example', status: 'delivered', code: 250, response: 'ok', at: c.receivedAt }] }));
    const unreadable = newSpoolId(Date.now() + 5 * day); // arrived after the cutoff: never read
    await mkdir(join(dir, 'done', `${unreadable}.json`)); // reading it would throw EISDIR
    expect(spoolIdTime(old.id)).toBeLessThanOrEqual(Date.now());
    expect(await purgeDone(spool, 2, Date.now() + 3 * day)).toEqual([old.id]);
  });
});

async function collect(filter: Parameters<Spool['list']>[0]) {
  const out = [];
  for await (const s of spool.list(filter)) out.push(s);
  return out;
}
