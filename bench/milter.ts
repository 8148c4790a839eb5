/**
 * npm run bench:milter [-- --count 2000 --big-count 200 --sessions 20 --runs 3 --sequential 300]
 *
 * What mailwarden's milter costs a Postfix that calls it, measured in one run with one load:
 * Postfix's smtp-source, 20 sessions, a new connection per message, no pipelining, 10 KB and 1 MB
 * messages, through a private Postfix WITHOUT the milter and through another private Postfix WITH
 * mailwarden's milter (smtpd_milters = inet:127.0.0.1:PORT), both delivering to smtp-sink. It
 * prints messages/s and MB/s for both and their ratio (target >= 0.8), the latency a sequential
 * client sees per message (connect to QUIT, median and p99; target: < 2 ms added at the median),
 * and the milter process's peak RSS. 127.0.0.1 only; everything stops by itself.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { freeLowPort, startPostfix, type PostfixFixture } from '../test/interop/postfix.js';
import { build, CpuMeter, deleteKeys, f1, median, q, Service } from './lib/service.js';
import { CSink, ensureTools, postfixVersion, sessionLatencies, smtpSource } from './smtp-source.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    'big-count': { type: 'string', default: '200' },
    sessions: { type: 'string', default: '20' },
    runs: { type: 'string', default: '1' },
    sequential: { type: 'string', default: '300' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    tsx: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'tmp-dir': { type: 'string', default: tmpdir() },
    /** inet (TCP, the default listener: every step answered) or unix (a socket: only the end of the body) */
    transport: { type: 'string', default: 'inet' },
    /** Extra node flags for the milter process, e.g. --node-args=--cpu-prof */
    'node-args': { type: 'string', default: '' },
  },
});
const n = (k: keyof typeof args) => {
  const v = Number(args[k]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} must be a positive integer`);
  return v;
};
const COUNT = n('count');
const BIG = n('big-count');
const SESSIONS = n('sessions');
const RUNS = n('runs');
const SEQUENTIAL = n('sequential');

async function main(): Promise<void> {
  ensureTools();
  await build({ redis: args.redis, tsx: args.tsx, noBuild: args['no-build'] });
  const redis = new Redis(args.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const prefix = `{mwbench-${randomBytes(4).toString('hex')}}`;
  const dir = await mkdtemp(join(args['tmp-dir'], 'mwbench-milter-'));
  const milterPort = await freeLowPort();
  if (args.transport !== 'inet' && args.transport !== 'unix') throw new Error('--transport is inet or unix');
  const unix = args.transport === 'unix';
  if (unix) await chmod(dir, 0o711); // Postfix's smtpd (user postfix) reaches the socket through it
  // The socket's name ends in digits: the bench's ready-line pattern takes them for the "port".
  const milterAt = unix ? `unix:${join(dir, `milter-${milterPort}`)}` : `inet:127.0.0.1:${milterPort}`;
  const plainSink = new CSink(await freeLowPort());
  const milterSink = new CSink(await freeLowPort());
  const service = new Service(dir, prefix, {
    redis: args.redis,
    tsx: args.tsx,
    nodeArgs: args['node-args'],
    serveArgs: ['--role', 'milter,worker'],
    extraConfig: [`milter: { listen: '${milterAt}'${unix ? ", socketMode: '666'" : ''} }`],
    readyLog: unix ? /"milter":"unix:[^"]*-(\d+)"/ : /"milter":"inet:127\.0\.0\.1:(\d+)"/,
  });
  let plain: PostfixFixture | null = null;
  let filtered: PostfixFixture | null = null;
  try {
    await plainSink.start();
    await milterSink.start();
    await service.start(milterSink.port);
    plain = await startPostfix({ relayPort: plainSink.port });
    filtered = await startPostfix({ relayPort: milterSink.port, milter: milterAt });
    console.log(`mailwarden bench:milter  node ${process.version}; Postfix ${postfixVersion()} x2 (private instances, fsynced queues); milter pid ${service.child!.pid}`);
    console.log(`load: smtp-source -s ${SESSIONS}, a new connection per message, no pipelining; delivered to smtp-sink; milter on ${milterAt}\n`);
    const rates = { plainSmall: [] as number[], milterSmall: [] as number[], plainBig: [] as number[], milterBig: [] as number[] };
    service.resetPeak();
    for (let run = 1; run <= RUNS; run++) {
      console.log(`=== run ${run} of ${RUNS}`);
      const order = run % 2 ? (['plain', 'milter'] as const) : (['milter', 'plain'] as const);
      for (const [bytes, count] of [[10_240, COUNT], [1_048_576, BIG]] as const) {
        for (const who of order) {
          const pf = who === 'plain' ? plain : filtered;
          const sink = who === 'plain' ? plainSink : milterSink;
          const base = sink.messages;
          const meter = who === 'milter' ? await CpuMeter.start(service, redis) : null;
          const t0 = performance.now();
          await smtpSource(pf.port, SESSIONS, count, bytes);
          const sec = ((await sink.waitFor(base + count, `${who} ${bytes}`)) - t0) / 1000;
          const label = who === 'plain' ? 'Postfix alone      ' : 'Postfix + mailwarden';
          if (bytes === 10_240) {
            (who === 'plain' ? rates.plainSmall : rates.milterSmall).push(count / sec);
            console.log(`  ${label} ${count} x 10 KB: ${f1(count / sec)} msg/s`);
          } else {
            const mbs = (count * bytes) / 1e6 / sec;
            (who === 'plain' ? rates.plainBig : rates.milterBig).push(mbs);
            console.log(`  ${label} ${count} x 1 MB: ${f1(mbs)} MB/s`);
          }
          if (meter) for (const l of await meter.report(bytes === 10_240 ? count : (count * bytes) / 1e6, bytes === 10_240 ? 'msg' : 'MB', sec)) console.log(`  ${l}`);
        }
      }
    }
    console.log(`\nsequential client, one connection per 10 KB message, ${SEQUENTIAL} messages, connect to QUIT:`);
    const seq: Record<string, number[]> = {};
    for (const [who, pf] of [['Postfix alone', plain], ['Postfix + mailwarden', filtered]] as const) {
      await sessionLatencies(pf.port, 1, 20, 10_240); // warm
      const t = await sessionLatencies(pf.port, 1, SEQUENTIAL, 10_240);
      seq[who] = t;
      console.log(`  ${who.padEnd(20)} median ${f1(q(t, 0.5))} ms, p99 ${f1(q(t, 0.99))} ms`);
    }
    const peak = service.peakMb();
    const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
    console.log(`\nsummary (same run, same load; medians of ${RUNS}):`);
    console.log(`  10 KB: Postfix alone ${f1(median(rates.plainSmall))} msg/s, with the milter ${f1(median(rates.milterSmall))} msg/s, ratio ${ratio(rates.milterSmall, rates.plainSmall)} (target >= 0.8)`);
    console.log(`  1 MB : Postfix alone ${f1(median(rates.plainBig))} MB/s, with the milter ${f1(median(rates.milterBig))} MB/s, ratio ${ratio(rates.milterBig, rates.plainBig)} (target >= 0.8)`);
    console.log(`  added latency per message, sequential: median ${f1(q(seq['Postfix + mailwarden']!, 0.5) - q(seq['Postfix alone']!, 0.5))} ms (target < 2), p99 ${f1(q(seq['Postfix + mailwarden']!, 0.99) - q(seq['Postfix alone']!, 0.99))} ms`);
    console.log(`  milter process peak RSS: ${f1(peak)} MB`);
  } finally {
    await service.stop().catch(() => undefined);
    await plain?.stop().catch(() => undefined);
    await filtered?.stop().catch(() => undefined);
    plainSink.stop();
    milterSink.stop();
    const k = await deleteKeys(redis, prefix).catch(() => -1);
    await rm(dir, { recursive: true, force: true });
    redis.disconnect();
    console.log(`cleaned up: mailwarden and both Postfix instances stopped, ${k} Redis keys deleted`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:milter failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
