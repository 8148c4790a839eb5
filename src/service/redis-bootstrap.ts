/**
 * Redis is required. A newcomer running `npm start` should not need to know that: when nothing
 * answers at the DEFAULT local URL and `redis-server` is on the PATH, we start one as a child
 * process (data in var/redis, AOF on, noeviction), say so in the log, and stop it on exit.
 * Any other URL that does not answer is an operator's Redis: we fail and say how to get one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DEFAULT_REDIS_URL } from '../config/service-schema.js';

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

export interface RedisHandle {
  readonly url: string;
  /** The child redis-server we started, if any. */
  readonly child: ChildProcess | null;
  /** Stops the child redis-server (no-op when Redis was already running). */
  stop(): Promise<void>;
}

export interface EnsureRedisOptions {
  readonly url: string;
  readonly autoStart: boolean;
  readonly dataDir: string;
  readonly logger: Logger;
  /** The only URL we may start a child for. Default DEFAULT_REDIS_URL (tests pass another free port). */
  readonly autoStartUrl?: string;
  /** How long to wait for the child to answer. Default 10 s. */
  readonly startTimeoutMs?: number;
}

/** True when a Redis answers PING at `url` within about a second. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export function findOnPath(command: string, pathVar = process.env.PATH ?? ''): string | null {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export async function ensureRedis(opts: EnsureRedisOptions): Promise<RedisHandle> {
  const none: RedisHandle = { url: opts.url, child: null, stop: async () => {} };
  if (await redisAnswers(opts.url)) return none;
  const howTo =
    `No Redis answers at ${opts.url}. mailwarden needs one (AOF on, maxmemory-policy noeviction): ` +
    `install it (apt-get install redis-server, brew install redis) and start mailwarden again, ` +
    `or run 'docker compose up -d redis', or point --redis / REDIS_URL at your Redis.`;
  if (opts.url !== (opts.autoStartUrl ?? DEFAULT_REDIS_URL) || !opts.autoStart) throw new RedisUnavailableError(howTo);
  const binary = findOnPath('redis-server');
  if (!binary) throw new RedisUnavailableError(`${howTo} (redis-server is not on the PATH, so none was started)`);
  return startChildRedis(binary, opts);
}

async function startChildRedis(binary: string, opts: EnsureRedisOptions): Promise<RedisHandle> {
  const port = new URL(opts.url).port || '6379';
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const args = [
    '--bind', '127.0.0.1', '--port', port, '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction', '--save', '', '--daemonize', 'no',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  // A crash of ours must not leave an orphan holding the port.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  while (!(await redisAnswers(opts.url, 500))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw new RedisUnavailableError(`redis-server (${binary}) did not start on port ${port}: ${output.join('').trim().slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  opts.logger.warn(
    { pid: child.pid, port: Number(port), dataDir: dir },
    `no Redis was running at ${opts.url}: started redis-server as a child process (AOF on, noeviction, data in ${dir}); it stops when mailwarden stops`,
  );
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) opts.logger.error({ code, signal }, 'the child redis-server exited');
  });
  return {
    url: opts.url,
    child,
    async stop() {
      if (exited) return;
      stopping = true;
      process.off('exit', killOnExit);
      child.kill('SIGTERM'); // redis-server flushes the AOF and exits
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
      opts.logger.info('child redis-server stopped');
    },
  };
}
