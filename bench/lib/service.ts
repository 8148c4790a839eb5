/**
 * What the relay benchmarks share: the real service as a child process (as `npm start` runs it,
 * with its own temp spool, audit dir and Redis prefix), its RSS and per-thread CPU, Redis's CPU,
 * and clean-up of the Redis keys a run made.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** How to run the service under test. */
export interface ServiceRun {
  readonly redis: string;
  /** Run the TypeScript sources through tsx instead of dist/. */
  readonly tsx?: boolean;
  /** Another build's cli/main.js. */
  readonly service?: string | undefined;
  /** Extra node flags, space-separated. */
  readonly nodeArgs?: string;
  /** More lines for the service's YAML config. */
  readonly extraConfig?: readonly string[];
  /** More arguments for `mailwarden serve` (`--role milter,worker`). */
  readonly serveArgs?: readonly string[];
  /** The log line that says the service is ready, its port in group 1 (default: the SMTP front's). */
  readonly readyLog?: RegExp;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
export const f1 = (n: number) => n.toFixed(1);
export const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;

export class Service {
  child: ChildProcess | null = null;
  port = 0;
  private peakKb = 0;
  private sampler: NodeJS.Timeout | null = null;

  constructor(
    readonly dir: string,
    readonly prefix: string,
    private readonly run: ServiceRun,
  ) {}

  get logFile(): string {
    return join(this.dir, 'service.log');
  }

  async start(sinkPort: number): Promise<void> {
    const config = [
      'hostname: bench.mailwarden.test',
      'listen: 127.0.0.1:0',
      `dashboard: { listen: '127.0.0.1:0', usersFile: '${join(this.dir, 'dashboard-users')}' }`,
      `upstream: { address: '127.0.0.1:${sinkPort}' }`,
      `redis: { url: '${this.run.redis}', queuePrefix: '${this.prefix}', autoStart: false }`,
      `spool: { dir: '${join(this.dir, 'spool')}' }`,
      `audit: { dir: '${join(this.dir, 'audit')}' }`,
      `policy: { file: '${join(ROOT, 'config/policy.yaml')}' }`,
      'log: { level: info }',
      ...(this.run.extraConfig ?? []),
    ].join('\n');
    const configFile = join(this.dir, 'mailwarden.yaml');
    writeFileSync(configFile, `${config}\n`);
    const entry = this.run.tsx ? ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')] : [resolve(this.run.service ?? join(ROOT, 'dist/cli/main.js'))];
    const nodeArgs = this.run.nodeArgs ? this.run.nodeArgs.split(' ').filter(Boolean) : [];
    // Logs go to a file, as in production: pino's cost is part of the measurement, the bench's pipe is not.
    const out = openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, [...nodeArgs, ...entry, 'serve', '--config', configFile, ...(this.run.serveArgs ?? [])], {
      cwd: ROOT, // for `--import tsx`; every path in the config is absolute
      env: { ...process.env, NODE_ENV: 'production', ...noOverrides() },
      stdio: ['ignore', out, out],
    });
    const exited = new Promise<never>((_, fail) =>
      this.child!.once('exit', (code) => fail(new Error(`service exited (${code}) during start:\n${tail(this.logFile)}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + 60_000;
    while (!this.port) {
      if (Date.now() > deadline) throw new Error(`service did not start within 60 s:\n${tail(this.logFile)}`);
      await Promise.race([sleep(50), exited]);
      const m = (this.run.readyLog ?? /"listen":"127\.0\.0\.1:(\d+)"/).exec(readFileSync(this.logFile, 'utf8'));
      if (m) this.port = Number(m[1]);
    }
    this.sampler = setInterval(() => this.sample(), 20);
    this.sampler.unref();
  }

  /** Resets the peak (the sampler's, and the kernel's VmHWM when allowed). */
  resetPeak(): void {
    this.peakKb = 0;
    try {
      writeFileSync(`/proc/${this.child!.pid}/clear_refs`, '5');
    } catch {
      // not allowed here: the sampler's peak is what we have
    }
    this.sample();
  }

  /** Peak RSS in MB since resetPeak: the larger of the sampled peak and VmHWM. */
  peakMb(): number {
    this.sample();
    return Math.max(this.peakKb, statusKb('VmHWM', this.child!.pid!)) / 1024;
  }

  rssMb(): number {
    return statusKb('VmRSS', this.child!.pid!) / 1024;
  }

  /** CPU seconds (user + system) the service has used so far. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.child!.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  /** CPU seconds (user, system) per thread id; the main thread's id is the pid. */
  threadCpu(): Map<string, { user: number; sys: number }> {
    const out = new Map<string, { user: number; sys: number }>();
    const pid = this.child!.pid!;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(tid, { user: Number(fields[11]) / 100, sys: Number(fields[12]) / 100 });
      } catch {
        // thread ended meanwhile
      }
    }
    return out;
  }

  private sample(): void {
    if (!this.child?.pid || this.child.exitCode !== null) return;
    this.peakKb = Math.max(this.peakKb, statusKb('VmRSS', this.child.pid));
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
}

/** The bench's own config must win over a developer's environment. */
function noOverrides(): Record<string, undefined> {
  return { REDIS_URL: undefined, MAILWARDEN_LISTEN: undefined, MAILWARDEN_UPSTREAM: undefined, MAILWARDEN_ROLE: undefined, MAILWARDEN_LOG_LEVEL: undefined, MAILWARDEN_CONFIG: undefined };
}

export function statusKb(field: string, pid: number): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * CPU used during a phase by the service (per thread), Redis and the bench itself (client and
 * sink), per unit of work: where the machine's two cores went.
 */
export class CpuMeter {
  private constructor(
    private readonly service: Service,
    private readonly redis: Redis,
    private readonly service0: number,
    private readonly threads0: Map<string, { user: number; sys: number }>,
    private readonly redis0: number,
    private readonly bench0: NodeJS.CpuUsage,
  ) {}

  static async start(service: Service, redis: Redis): Promise<CpuMeter> {
    return new CpuMeter(service, redis, service.cpuSeconds(), service.threadCpu(), await redisCpuSeconds(redis), process.cpuUsage());
  }

  /** Report lines for `units` of work (messages, MB) done in `seconds`. */
  async report(units: number, unit: string, seconds: number): Promise<string[]> {
    const cpu = this.service.cpuSeconds() - this.service0;
    const redisCpu = (await redisCpuSeconds(this.redis)) - this.redis0;
    const benchUs = process.cpuUsage(this.bench0);
    const benchCpu = (benchUs.user + benchUs.system) / 1e6;
    const per = (sec: number) => `${f1((sec / units) * 1000)} ms/${unit} (${Math.round((sec / seconds) * 100)}% of a core)`;
    // The main thread (SMTP front), the busiest other thread (the workers' thread when role all
    // runs one), and the rest (V8's GC helpers, libuv's file-system pool).
    const pid = String(this.service.child!.pid);
    const deltas = [...this.service.threadCpu()].map(([tid, t]) => {
      const before = this.threads0.get(tid) ?? { user: 0, sys: 0 };
      return { tid, user: t.user - before.user, sys: t.sys - before.sys };
    });
    const main = deltas.find((d) => d.tid === pid) ?? { user: 0, sys: 0 };
    const others = deltas.filter((d) => d.tid !== pid).sort((a, b) => b.user + b.sys - (a.user + a.sys));
    const top = others[0] ?? { user: 0, sys: 0 };
    const rest = others.slice(1).reduce((a, d) => ({ user: a.user + d.user, sys: a.sys + d.sys }), { user: 0, sys: 0 });
    const ms = (t: { user: number; sys: number }) => `${f1((t.user / units) * 1000)}+${f1((t.sys / units) * 1000)}`;
    return [
      `  CPU   : service ${per(cpu)}, redis ${per(redisCpu)}, bench client+sink ${per(benchCpu)}`,
      `  service threads, ms/${unit} user+sys: main ${ms(main)}, busiest other ${ms(top)}, the other ${others.length - 1} ${ms(rest)}`,
    ];
  }
}

/** CPU seconds Redis has used (INFO cpu), to see how much of the machine the queues cost. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return get('used_cpu_sys') + get('used_cpu_user');
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  // Escape the glob characters of the prefix ({ } are not special, but [ ] * ? \ are).
  const pattern = `${prefix.replace(/[[\]*?\\]/g, '\\$&')}*`;
  for (let i = 0; i < 100_000; i++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

/** Builds dist/ as `npm start` runs it; a type error elsewhere in the tree still emits, so only a missing entry is fatal. */
export async function build(run: ServiceRun & { readonly noBuild?: boolean }): Promise<void> {
  if (run.tsx || run.noBuild || run.service) return;
  const code = await new Promise<number | null>((ok) => {
    const tsc = spawn(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    tsc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    tsc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    tsc.on('exit', (c) => {
      if (c !== 0) console.log(`warning: tsc reported errors (dist/ emitted anyway):\n${out.split('\n').slice(0, 5).join('\n')}`);
      ok(c);
    });
  });
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error(`build failed (tsc exit ${code}): no dist/cli/main.js`);
}
