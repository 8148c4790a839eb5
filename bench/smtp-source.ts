/**
 * npm run bench:relay -- --load smtp-source [--count 5000 --big-count 200 --connections 20 --runs 3]
 *
 * The relay loaded the way Postfix and Haraka were measured: Postfix's `smtp-source` with 20
 * sessions, a NEW CONNECTION PER MESSAGE and no pipelining, 10 KB and 1 MB messages, delivered end
 * to end to Postfix's `smtp-sink` (C). In the same run, the same load goes through a private
 * Postfix instance (its queue fsynced, no milter) to another smtp-sink, so the two rates stand
 * side by side and the ratio means something on these noisy machines.
 *
 * Per run it prints, for both: messages/s (or MB/s) delivered, and for mailwarden the CPU per
 * message split between the service's threads and Redis. Then the whole SMTP session's latency
 * (connect to QUIT) at 20 sessions, from the bench's own client (the same load shape: one
 * connection per message, no pipelining, since smtp-source does not time sessions), and the
 * first messages after start (cold) against the warm rate. Everything talks to 127.0.0.1 only
 * and stops by itself.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startPostfix, freeLowPort, type PostfixFixture } from '../test/interop/postfix.js';
import { build, CpuMeter, deleteKeys, f1, median, q, Service, sleep } from './lib/service.js';

export interface SmtpSourceArgs {
  readonly count: number;
  readonly bigCount: number;
  readonly sessions: number;
  readonly runs: number;
  readonly cold: number;
  readonly redis: string;
  readonly tsx: boolean;
  readonly service?: string | undefined;
  readonly noBuild: boolean;
  readonly nodeArgs: string;
  readonly tmpDir: string;
  readonly keepLogs: boolean;
  /** Which phases to run: small (10 KB) and big (1 MB); the cold start and session latency run with small. */
  readonly phases: ReadonlySet<string>;
}

const FROM = 'alex.turner@met.police.uk';
const TO = 'priya.shah@met.police.uk';
const DEADLINE_MS = 600_000;

/** Postfix's smtp-sink, counting messages (`-c` prints `sess=N quit=N mesg=N` as it goes). */
export class CSink {
  messages = 0;
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.child = spawn('smtp-sink', ['-u', 'nobody', '-c', `127.0.0.1:${this.port}`, '1024'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      tail = (tail + d.toString('latin1')).slice(-200);
      const all = [...tail.matchAll(/mesg=(\d+)/g)];
      const last = all[all.length - 1];
      if (last) this.messages = Number(last[1]);
    });
    await waitForPort(this.port);
  }

  async waitFor(count: number, what: string): Promise<number> {
    const deadline = Date.now() + DEADLINE_MS;
    while (this.messages < count) {
      if (Date.now() > deadline) throw new Error(`${what}: smtp-sink got ${this.messages} of ${count} messages`);
      await sleep(5);
    }
    return performance.now();
  }

  stop(): void {
    this.child?.kill('SIGTERM');
  }
}

function waitForPort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const attempt = () => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** smtp-source: `-s` sessions, a new connection per message (no -d), no pipelining. Resolves with its wall time. */
export function smtpSource(port: number, sessions: number, count: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('smtp-source', ['-s', String(sessions), '-l', String(bytes), '-m', String(count), '-f', FROM, '-t', TO, '-S', 'bench: smtp-source load', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`smtp-source exited ${code}: ${err.slice(0, 500)}`))));
  });
}

/**
 * The bench's own client for session latency: the same shape as smtp-source (one connection per
 * message, each command waits for its reply), timing connect to the reply to QUIT.
 */
export async function sessionLatencies(port: number, sessions: number, count: number, bytes: number): Promise<number[]> {
  const body = Buffer.from(`From: <${FROM}>\r\nTo: <${TO}>\r\nSubject: bench: latency\r\n\r\n${'X'.repeat(78)}\r\n`.repeat(1)
    + `${'X'.repeat(78)}\r\n`.repeat(Math.max(1, Math.floor(bytes / 80))) + '.\r\n', 'latin1');
  const times: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const socket = connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      const steps = [`EHLO bench.test\r\n`, `MAIL FROM:<${FROM}>\r\n`, `RCPT TO:<${TO}>\r\n`, 'DATA\r\n', body, 'QUIT\r\n'];
      let step = -1;
      let buf = '';
      socket.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        // a complete reply: its last line has a space after the code
        while (/^\d{3} .*\r\n/m.test(buf)) {
          const m = /^\d{3} .*\r\n/m.exec(buf)!;
          const code = Number(m[0].slice(0, 3));
          buf = buf.slice(m.index + m[0].length);
          if (code >= 400) return reject(new Error(`server said ${m[0].trim()} at step ${step}`));
          step++;
          if (step < steps.length) socket.write(steps[step]!);
          else {
            times.push(performance.now() - t0);
            socket.end();
            return resolve();
          }
        }
      });
      socket.once('error', reject);
    });
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      while (next < count) {
        next++;
        await one();
      }
    }),
  );
  return times.sort((a, b) => a - b);
}

export function ensureTools(): void {
  if (existsSync('/usr/sbin/smtp-source') && existsSync('/usr/sbin/smtp-sink') && existsSync('/usr/sbin/postfix')) return;
  if (process.getuid?.() !== 0) throw new Error('--load smtp-source needs Postfix (smtp-source, smtp-sink, postfix) and root: apt-get install -y --no-install-recommends postfix ("No configuration")');
  console.log('installing Debian\'s postfix package ("No configuration": no system instance) for smtp-source, smtp-sink and the reference Postfix');
  execFileSync('sh', ['-c', 'echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix'], { stdio: 'inherit' });
}

interface Rates {
  readonly mwSmall: number[];
  readonly pfSmall: number[];
  readonly mwBig: number[];
  readonly pfBig: number[];
}

export async function runSmtpSourceBench(a: SmtpSourceArgs): Promise<void> {
  ensureTools();
  await build({ redis: a.redis, tsx: a.tsx, service: a.service, noBuild: a.noBuild });
  const redis = new Redis(a.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => {
    throw new Error(`no Redis answers at ${a.redis}`);
  });
  const prefix = `{mwbench-${randomBytes(4).toString('hex')}}`;
  const dir = await mkdtemp(join(a.tmpDir, 'mwbench-'));
  const mwSink = new CSink(await freeLowPort());
  const pfSink = new CSink(await freeLowPort());
  const service = new Service(dir, prefix, { redis: a.redis, tsx: a.tsx, service: a.service, nodeArgs: a.nodeArgs });
  let postfix: PostfixFixture | null = null;
  try {
    await mwSink.start();
    await pfSink.start();
    await service.start(mwSink.port);
    postfix = await startPostfix({ relayPort: pfSink.port, main: { default_process_limit: '200', smtpd_client_connection_count_limit: '0', smtpd_client_connection_rate_limit: '0', anvil_rate_time_unit: '60s' } });
    console.log(`mailwarden bench:relay --load smtp-source  node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
    console.log(`load: smtp-source -s ${a.sessions}, a new connection per message, no pipelining; delivered end to end to smtp-sink`);
    console.log(`mailwarden (pid ${service.child!.pid}, ${a.tsx ? 'tsx' : (a.service ?? 'dist')}) on ${service.port}; Postfix ${postfixVersion()} (private instance, fsynced queue, no milter) on ${postfix.port}\n`);

    // Cold: the first messages after start, before anything else warmed the service.
    const meter0 = await CpuMeter.start(service, redis);
    const tc = performance.now();
    await smtpSource(service.port, a.sessions, a.cold, 10_240);
    const coldRate = a.cold / (((await mwSink.waitFor(a.cold, 'cold')) - tc) / 1000);
    console.log(`cold: first ${a.cold} x 10 KB after start: mailwarden ${f1(coldRate)} msg/s`);
    for (const l of await meter0.report(a.cold, 'msg', 1)) console.log(l.replace(/ \(\d+% of a core\)/g, ''));

    const rates: Rates = { mwSmall: [], pfSmall: [], mwBig: [], pfBig: [] };
    for (let run = 1; run <= a.runs; run++) {
      console.log(`\n=== run ${run} of ${a.runs}`);
      // Alternate who goes first, so neither always meets a warmer or colder machine.
      const order: ('pf' | 'mw')[] = run % 2 ? ['pf', 'mw'] : ['mw', 'pf'];
      for (const who of a.phases.has('small') ? order : []) {
        const sink = who === 'mw' ? mwSink : pfSink;
        const port = who === 'mw' ? service.port : postfix.port;
        const base = sink.messages;
        const meter = who === 'mw' ? await CpuMeter.start(service, redis) : null;
        const t0 = performance.now();
        const smtpMs = await smtpSource(port, a.sessions, a.count, 10_240);
        const sec = ((await sink.waitFor(base + a.count, `${who} small`)) - t0) / 1000;
        const rate = a.count / sec;
        (who === 'mw' ? rates.mwSmall : rates.pfSmall).push(rate);
        console.log(`  ${who === 'mw' ? 'mailwarden' : 'Postfix   '} ${a.count} x 10 KB: ${f1(rate)} msg/s delivered (SMTP side ${f1(a.count / (smtpMs / 1000))} msg/s)`);
        if (meter) for (const l of await meter.report(a.count, 'msg', sec)) console.log(`  ${l}`);
      }
      for (const who of a.phases.has('big') ? order : []) {
        const sink = who === 'mw' ? mwSink : pfSink;
        const port = who === 'mw' ? service.port : postfix.port;
        const base = sink.messages;
        const meter = who === 'mw' ? await CpuMeter.start(service, redis) : null;
        const t0 = performance.now();
        await smtpSource(port, a.sessions, a.bigCount, 1_048_576);
        const sec = ((await sink.waitFor(base + a.bigCount, `${who} 1 MB`)) - t0) / 1000;
        const mbs = (a.bigCount * 1_048_576) / 1e6 / sec;
        (who === 'mw' ? rates.mwBig : rates.pfBig).push(mbs);
        console.log(`  ${who === 'mw' ? 'mailwarden' : 'Postfix   '} ${a.bigCount} x 1 MB: ${f1(mbs)} MB/s delivered`);
        if (meter) for (const l of await meter.report((a.bigCount * 1_048_576) / 1e6, 'MB', sec)) console.log(`  ${l}`);
      }
    }

    const small = a.phases.has('small');
    if (small) console.log(`\nsession latency, connect to QUIT, ${a.sessions} sessions, one connection per message (the bench's own client, ${Math.min(a.count, 2000)} x 10 KB):`);
    const latency: Record<string, number[]> = {};
    for (const [who, port] of small ? ([['mailwarden', service.port], ['Postfix', postfix.port]] as const) : []) {
      const t = await sessionLatencies(port, a.sessions, Math.min(a.count, 2000), 10_240);
      latency[who] = t;
      console.log(`  ${who.padEnd(10)} p50 ${f1(q(t, 0.5))} ms, p99 ${f1(q(t, 0.99))} ms, max ${f1(t.at(-1)!)} ms`);
    }

    const ratio = (x: number[], y: number[]) => median(x) / median(y);
    const warm = median(rates.mwSmall);
    console.log(`\nsummary (same run, same load; medians of ${a.runs}):`);
    if (small) {
      console.log(`  10 KB: mailwarden ${f1(warm)} msg/s, Postfix ${f1(median(rates.pfSmall))} msg/s, ratio ${ratio(rates.mwSmall, rates.pfSmall).toFixed(2)} (target >= 1.0)`);
    }
    if (a.phases.has('big')) {
      console.log(`  1 MB : mailwarden ${f1(median(rates.mwBig))} MB/s, Postfix ${f1(median(rates.pfBig))} MB/s, ratio ${ratio(rates.mwBig, rates.pfBig).toFixed(2)} (target >= 1.0)`);
    }
    if (small) {
      console.log(`  session p99 at ${a.sessions} sessions: mailwarden ${f1(q(latency.mailwarden!, 0.99))} ms (target < 100), Postfix ${f1(q(latency.Postfix!, 0.99))} ms`);
      console.log(`  cold: first ${a.cold} after start ${f1(coldRate)} msg/s = ${(coldRate / warm).toFixed(2)} x warm (target >= 0.8)`);
    } else {
      console.log(`  cold: first ${a.cold} x 10 KB after start ${f1(coldRate)} msg/s (no warm 10 KB phase to compare with)`);
    }
    console.log(`  runs: mailwarden 10 KB [${rates.mwSmall.map(f1).join(', ')}], Postfix 10 KB [${rates.pfSmall.map(f1).join(', ')}], mailwarden 1 MB [${rates.mwBig.map(f1).join(', ')}], Postfix 1 MB [${rates.pfBig.map(f1).join(', ')}]`);
  } finally {
    await service.stop().catch(() => undefined);
    await postfix?.stop().catch(() => undefined);
    mwSink.stop();
    pfSink.stop();
    const n = await deleteKeys(redis, prefix).catch(() => -1);
    if (!a.keepLogs) await rm(dir, { recursive: true, force: true });
    redis.disconnect();
    console.log(`cleaned up: service and Postfix stopped, ${n} Redis keys deleted`);
  }
}

export function postfixVersion(): string {
  try {
    return execFileSync('postconf', ['-d', '-h', 'mail_version'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}
