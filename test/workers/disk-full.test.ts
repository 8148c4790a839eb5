/**
 * The spool's disk fills between the upstream's 250 and the sidecar write: the acceptance goes to
 * Redis, the retries send nothing, and once space is back the outcome is recorded and audited once.
 *
 * The spool is on a real 4 MB tmpfs (mounting needs root, or CAP_SYS_ADMIN). Where mounting is not
 * allowed the same fault is made another way, and the test says so: the sidecar is swapped for a
 * directory, so the append fails as it would on a broken disk (EISDIR instead of ENOSPC).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionEvent } from '../../src/audit/build-event.js';
import { Dispatcher } from '../../src/queue/dispatch.js';
import type { AuditEvent } from '../../src/audit/events.js';
import { createRedis } from '../../src/queue/redis.js';
import { Spool } from '../../src/spool/spool.js';
import { startDeliverWorker } from '../../src/workers/deliver.js';
import { fillToTheLastByte } from '../helpers/disk.js';
import { dropPrefix, REDIS_URL, spoolMessage, testPrefix, waitFor } from './support.js';

let base: string;
let spoolDir: string;
let mounted = false;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'mw-disk-full-'));
  spoolDir = join(base, 'spool');
  await mkdir(spoolDir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', spoolDir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    console.warn('disk-full test: cannot mount a tmpfs here (needs root); the sidecar write is failed by swapping it for a directory instead');
  }
});

afterAll(async () => {
  if (mounted) execFileSync('umount', [spoolDir]);
  await rm(base, { recursive: true, force: true });
});

/** Fills the tmpfs to the last byte; returns how to free it again. */
async function fillDisk(): Promise<() => Promise<void>> {
  const path = join(spoolDir, 'filler');
  await fillToTheLastByte(path);
  return () => rm(path, { force: true });
}

/** The fallback fault: the only sidecar replaced by a directory. */
async function breakSidecar(): Promise<() => Promise<void>> {
  const msg = join(spoolDir, 'msg');
  const name = (await readdir(msg)).find((n) => n.endsWith('.json'))!;
  await rename(join(msg, name), join(base, name));
  await mkdir(join(msg, name));
  return async () => {
    await rmdir(join(msg, name));
    await rename(join(base, name), join(msg, name));
  };
}

describe('a full disk after the upstream accepted', () => {
  it('delivers once: the acceptance waits in Redis, retries send nothing, the outcome is recorded and audited once', async () => {
    const prefix = testPrefix();
    const spool = await Spool.open(spoolDir, { blockingIo: true });
    const producer = createRedis(REDIS_URL, 'producer');
    const workerRedis = createRedis(REDIS_URL, 'worker');
    const dispatcher = new Dispatcher({ connection: producer, prefix });
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
          cb();
        },
      }),
    );

    let free: (() => Promise<void>) | null = null;
    let deliveries = 0;
    const upstream = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      disableReverseLookup: true,
      logger: false,
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => {
          deliveries++;
          // The fault strikes between our sending the final dot and the sidecar write.
          const fault = deliveries === 1 ? (mounted ? fillDisk() : breakSidecar()) : Promise.resolve(null);
          void fault.then((f) => {
            if (f) free = f;
            cb();
          });
        });
      },
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    const port = (upstream.server.address() as { port: number }).port;
    const worker = startDeliverWorker({
      connection: workerRedis,
      prefix,
      spool,
      dispatcher,
      upstream: { host: '127.0.0.1', port, pool: false },
      retry: { scheduleMs: [100] },
      logger,
    });
    try {
      // Recipients enough that the sidecar's second line needs a page of its own on the tmpfs.
      const rcptTo = Array.from({ length: 40 }, (_, i) => `recipient.number.${i}@partner.example`);
      const sidecar = await spoolMessage(spool, { bytes: 'Subject: full disk\r\n\r\nhello\r\n', rcptTo });
      await dispatcher.dispatchDecision(sidecar, decisionEvent(sidecar, { attachments: [] }));

      await waitFor('the failed sidecar write', () => lines.some((l) => String(l.msg).startsWith('the spool could not record a delivery')));
      // BullMQ retries on the full disk (each retry fails to record again): none may send.
      const job = await waitFor('three attempts on the full disk', async () => {
        const j = await dispatcher.deliverQueue.getJob(`deliver-${sidecar.id}`);
        return j && j.attemptsMade >= 3 ? j : null;
      });
      expect(deliveries).toBe(1);
      expect(job?.data.accepted?.map((a) => a.rcpt)).toEqual(rcptTo);

      await free!();
      const done = await waitFor('done once space is back', async () => {
        const s = await spool.readSidecar(sidecar.id);
        return s.state === 'done' ? s : null;
      });
      expect(done.doneReason).toBe('delivered');
      expect(done.outcomes.map((o) => o.rcpt).sort()).toEqual([...rcptTo].sort());
      await new Promise((r) => setTimeout(r, 300));
      expect(deliveries).toBe(1);
      expect(lines.some((l) => l.msg === 'delivery recorded in the spool from Redis: not sent again')).toBe(true);

      const jobs = await dispatcher.auditQueue.getJobs(['wait', 'delayed', 'completed', 'failed', 'active', 'prioritized']);
      const events = jobs.map((j) => j.data as AuditEvent).filter((e) => e.ref === sidecar.id);
      expect(events.map((e) => e.type).sort()).toEqual(['decision', 'delivered']);
    } finally {
      await worker.close();
      await dispatcher.close();
      producer.disconnect();
      workerRedis.disconnect();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
      await dropPrefix(prefix);
      if (free) await (free as () => Promise<void>)().catch(() => undefined);
      await rm(join(spoolDir, 'msg'), { recursive: true, force: true });
    }
  }, 30_000);
});
