/**
 * npm run bench:restart [-- --done N --pending M --old-layout --tmp-dir DIR --keep]
 *
 * How long a restart keeps the relay closed, with a spool already full: fills a temp spool with N
 * finished messages (in done/, as the service leaves them) and M pending ones (in msg/, state
 * queued, no deliver job: what reconcile must re-create), then starts the real service in-process
 * and measures
 *   1. start to listening (startService resolves once the SMTP port is open; a 220 greeting checked),
 *   2. start to the end of the background reconcile (its 'spool reconciled with queues' line),
 *   3. a second reconcile, as a Redis reconnect runs it (jobs exist: it must not read done/).
 * The upstream accepts connections and never greets, with concurrency 1: deliveries cost nothing
 * while reconcile runs. --old-layout puts the finished messages in msg/ too (the spool of an older
 * version, or what every version before done/ read at each start): the first start moves them.
 * The issue's target: listening < 2 s with 1,000,000 done and 10,000 pending, reconcile < 30 s.
 * The fill writes files without fsync (it stages a spool, it is not the spool under test), and the
 * finished messages' two files are hard links to one data file and one sidecar (a new pair every
 * 50,000: ext4 allows 65,000 links): a directory entry each instead of an inode each, so a million
 * of them take minutes instead of an hour. Nothing on the restart path reads them (that is the
 * point). With --old-layout reconcile reads every one and skips it (its id does not match its
 * name, so it is not moved to done/ either): the figures are what every start and every Redis
 * reconnect cost before done/, when the port opened only after that read.
 * Everything stops by itself: temp dir removed, Redis keys deleted (unless --keep).
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { deleteKeys } from './lib/service.js';
import { Dispatcher } from '../src/queue/dispatch.js';
import { createRedis } from '../src/queue/redis.js';
import { startService } from '../src/service/service.js';
import { reconcile } from '../src/custody/reconcile.js';
import { newSpoolId } from '../src/spool/spool-id.js';
import { Spool } from '../src/spool/spool.js';
import type { Sidecar } from '../src/spool/types.js';

const { values: args } = parseArgs({
  options: {
    done: { type: 'string', default: '100000' },
    pending: { type: 'string', default: '10000' },
    'old-layout': { type: 'boolean', default: false },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    'tmp-dir': { type: 'string', default: tmpdir() },
    keep: { type: 'boolean', default: false },
  },
});
const DONE = count('done');
const PENDING = count('pending');

function count(name: 'done' | 'pending'): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

const BODY = Buffer.from('From: alice@example.gov.uk\r\nTo: bob@partner.example\r\nSubject: restart bench\r\n\r\nhello\r\n');
const SHA = createHash('sha256').update(BODY).digest('hex');

function sidecar(id: string, receivedAt: string, done: boolean): Sidecar {
  return {
    id,
    receivedAt,
    envelope: { mailFrom: 'alice@example.gov.uk', rcptTo: ['bob@partner.example'], clientAddress: '127.0.0.1', helo: 'ws1.example.gov.uk' },
    size: BODY.length,
    sha256: SHA,
    messageId: `<${id}@example.gov.uk>`,
    subject: 'restart bench',
    verdict: { decision: 'accept', personal: false, marking: null, encrypted: false, findings: [], policyVersion: 'a'.repeat(64), monitorMode: false },
    addHeaders: ['X-Mailwarden-Decision: accept'],
    state: done ? 'done' : 'queued',
    outcomes: done ? [{ rcpt: 'bob@partner.example', status: 'delivered', code: 250, response: '250 ok', at: receivedAt, attempt: 1 }] : [],
    ...(done ? { doneReason: 'delivered' as const } : {}),
  };
}

/** N messages arrived over the last few days (ids in arrival order), oldest first. */
function fill(spoolDir: string): void {
  const msg = join(spoolDir, 'msg');
  const done = join(spoolDir, 'done');
  mkdirSync(msg, { recursive: true });
  mkdirSync(done, { recursive: true });
  mkdirSync(join(spoolDir, 'tmp'), { recursive: true });
  const total = DONE + PENDING;
  const start = Date.now() - 3 * 24 * 3600_000;
  const step = (3 * 24 * 3600_000) / Math.max(1, total);
  const templates = join(spoolDir, '..', 'templates');
  mkdirSync(templates, { recursive: true });
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const at = Math.floor(start + i * step);
    const id = newSpoolId(at);
    const isDone = i < DONE; // the pending ones are the newest
    const dir = isDone && !args['old-layout'] ? done : msg;
    if (isDone) {
      const pair = join(templates, String(Math.floor(i / 50_000)));
      if (i % 50_000 === 0) {
        writeFileSync(`${pair}.eml`, BODY);
        writeFileSync(`${pair}.json`, `${JSON.stringify(sidecar(id, new Date(at).toISOString(), true))}\n`);
      }
      linkSync(`${pair}.eml`, join(dir, `${id}.eml`));
      linkSync(`${pair}.json`, join(dir, `${id}.json`));
    } else {
      writeFileSync(join(dir, `${id}.eml`), BODY);
      writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(sidecar(id, new Date(at).toISOString(), false))}\n`);
    }
    if ((i + 1) % 100_000 === 0) console.log(`  filled ${i + 1} of ${total} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(args['tmp-dir'], 'mw-bench-restart-'));
  const prefix = `{mwbench-${randomBytes(4).toString('hex')}}`;
  const spoolDir = join(base, 'spool');
  // An upstream that accepts and never greets: a delivery costs one idle connection.
  const silent = createServer(() => undefined).listen(0, '127.0.0.1');
  await new Promise((r) => silent.once('listening', r));
  const upstreamPort = (silent.address() as { port: number }).port;
  let service: Awaited<ReturnType<typeof startService>> | null = null;
  try {
    console.log(`filling ${spoolDir}: ${DONE} finished (${args['old-layout'] ? 'in msg/, the old layout' : 'in done/'}), ${PENDING} pending in msg/`);
    const fillStart = Date.now();
    fill(spoolDir);
    console.log(`  fill took ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);

    const configFile = join(base, 'mailwarden.yaml');
    await writeFile(
      configFile,
      JSON.stringify({
        hostname: 'bench.test',
        listen: '127.0.0.1:0',
        upstream: { address: `127.0.0.1:${upstreamPort}`, concurrency: 1 },
        redis: { url: args.redis, queuePrefix: prefix, autoStart: false },
        spool: { dir: spoolDir, minFreeBytes: 0 },
        audit: { dir: join(base, 'audit') },
        log: { level: 'info' },
      }),
    );
    let reconciled: number | null = null;
    let reconcileReport: Record<string, unknown> = {};
    const t0 = performance.now();
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (const line of chunk.toString().split('\n')) {
            if (!line.includes('spool reconciled with queues') || reconciled !== null) continue;
            reconciled = performance.now() - t0;
            reconcileReport = JSON.parse(line) as Record<string, unknown>;
          }
          cb();
        },
      }),
    );
    service = await startService({ file: configFile, env: {}, logger });
    const listening = performance.now() - t0;
    const greeting = await greet(service.smtpAddress!.port);
    const greeted = performance.now() - t0;
    while (reconciled === null) await new Promise((r) => setTimeout(r, 20));
    const rss = process.memoryUsage().rss;

    // What a Redis reconnect runs: reconcile again (every job exists now).
    const producer = createRedis(args.redis, 'producer');
    const dispatcher = new Dispatcher({ connection: producer, prefix });
    const spool = await Spool.open(spoolDir, { sweep: false });
    const r0 = performance.now();
    const again = await reconcile(spool, dispatcher);
    const reconnect = performance.now() - r0;
    await dispatcher.close();
    producer.disconnect();

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`\nrestart with ${DONE} finished and ${PENDING} pending messages${args['old-layout'] ? ' (old layout: finished ones in msg/)' : ''}`);
    console.log(`  start -> listening:          ${s(listening)} (greeting '${greeting}' at ${s(greeted)})`);
    console.log(`  start -> reconcile finished: ${s(reconciled)} (read ${String(reconcileReport.seen)}, deliver jobs made ${String(reconcileReport.deliver)})`);
    console.log(`  reconcile on a reconnect:    ${s(reconnect)} (read ${again.seen})`);
    console.log(`  process RSS after reconcile: ${(rss / 1e6).toFixed(0)} MB`);
  } finally {
    await service?.stop();
    silent.close();
    if (!args.keep) {
      const redis = new Redis(args.redis);
      await deleteKeys(redis, prefix).finally(() => redis.disconnect());
      await rm(base, { recursive: true, force: true });
    } else console.log(`kept ${base} and the Redis keys under ${prefix}`);
  }
}

function greet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('data', (d: Buffer) => {
      resolve(d.toString().trim());
      socket.end('QUIT\r\n');
    });
    socket.once('error', reject);
  });
}


await main();
