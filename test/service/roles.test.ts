/**
 * Two start-up promises of the README, with real service processes, real SMTP and real Redis:
 *  - "Beyond one machine": `serve --role smtp` takes mail and runs no workers, `serve --role worker`
 *    delivers it and listens on no SMTP port; both share one config (spool, audit dir, Redis,
 *    queue prefix) and both stop cleanly on SIGTERM.
 *  - "Redis must keep its data": against a Redis whose maxmemory-policy is not noeviction the
 *    service logs a loud (error level) warning and starts all the same; with noeviction it is quiet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropKeys, plainMessage, sleep, startSink, testConfig, testPrefix, type Sink } from '../fronts/smtp/harness.js';
import { redisAnswers } from '../../src/service/redis-bootstrap.js';
import { freePort, killChildren, registerChild, startServiceProcess, type LogLine, type ServiceProcess } from './service-process.js';

let sink: Sink;
const dirs: string[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  sink = await startSink();
});

afterAll(async () => {
  killChildren();
  await sink?.close();
  for (const p of prefixes) await dropKeys(p);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mw-roles-'));
  dirs.push(dir);
  return dir;
}

/** Polls `pred` every 50 ms; throws after `timeoutMs`. */
async function waitUntil(what: string, pred: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** 'open' when something accepts a TCP connection on 127.0.0.1:port, 'refused' when nothing listens. */
function probePort(port: number): Promise<'open' | 'refused' | 'other'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (r: 'open' | 'refused' | 'other') => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(3000, () => done('other'));
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'other'));
  });
}

const msgIs = (text: string) => (l: LogLine) => l.msg === text;

describe('roles as separate processes', () => {
  it('an smtp process takes the mail, a worker process delivers it, neither does the other job', async () => {
    const dir = await tempDir();
    const prefix = testPrefix();
    prefixes.push(prefix);
    const smtpPort = await freePort();
    const workerListenPort = await freePort();
    const configFile = join(dir, 'mailwarden.yaml');
    await writeFile(configFile, JSON.stringify(testConfig(dir, prefix, sink.port, { listen: `127.0.0.1:${smtpPort}` })));

    // The worker gets a listen address of its own: if it opened an SMTP front, it would be there.
    const worker = startServiceProcess(configFile, ['--role', 'worker', '--listen', `127.0.0.1:${workerListenPort}`]);
    const smtp = startServiceProcess(configFile, ['--role', 'smtp']);
    const [workerStarted, smtpStarted] = await Promise.all([
      worker.waitForLog(msgIs('mailwarden started')),
      smtp.waitForLog(msgIs('mailwarden started')),
    ]);
    expect(workerStarted.role).toBe('worker');
    expect(smtpStarted.role).toBe('smtp');
    expect((await smtp.waitForLog(msgIs('SMTP front listening'))).listen).toBe(`127.0.0.1:${smtpPort}`);

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true, pool: false });
    const subject = `roles-split-${Date.now()}`;
    const info = await transport.sendMail({
      envelope: { from: 'alex.smith@met.police.uk', to: ['partner@example.com'] },
      raw: plainMessage({ subject }),
    });
    transport.close();
    expect(info.response).toMatch(/^250 2\.0\.0 Queued as \S+/);
    const ref = /Queued as (\S+)/.exec(info.response)![1]!;

    // Delivered to the upstream, by the worker process.
    const sunk = () => sink.messages.find((m) => m.raw.includes(`Subject: ${subject}\r\n`));
    await waitUntil('the message at the sink', () => sunk() !== undefined);
    expect(sunk()!.rcptTo).toEqual(['partner@example.com']);
    expect(sunk()!.raw.toString('latin1')).toContain(`X-Mailwarden-Id: ${ref}`);
    const attempt = await worker.waitForLog((l) => l.msg === 'delivery attempt' && l.ref === ref);
    expect(attempt.delivered).toEqual(['partner@example.com']);
    expect(smtp.lines.some((l) => l.msg === 'delivery attempt')).toBe(false);

    // Each process ran its own part only.
    expect(smtp.lines.filter(msgIs('workers started'))).toHaveLength(0);
    expect(worker.lines.filter(msgIs('workers started'))).toHaveLength(1);
    expect(worker.lines.filter(msgIs('SMTP front listening'))).toHaveLength(0);
    expect(await probePort(workerListenPort)).toBe('refused');
    expect(await probePort(smtpPort)).toBe('open');

    const [smtpCode, workerCode] = await Promise.all([smtp.terminate(), worker.terminate()]);
    expect(smtpCode).toBe(0);
    expect(workerCode).toBe(0);
    expect(smtp.lines.some(msgIs('mailwarden stopped'))).toBe(true);
    expect(worker.lines.some(msgIs('mailwarden stopped'))).toBe(true);
  }, 60_000);
});

describe('the maxmemory-policy check at start', () => {
  let redisChild: ChildProcess | undefined;
  let redisUrl = '';

  beforeAll(async () => {
    const redisDir = await tempDir();
    const port = await freePort();
    redisUrl = `redis://127.0.0.1:${port}`;
    redisChild = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'],
      { cwd: redisDir, stdio: 'ignore' },
    );
    registerChild(redisChild);
    let spawnError: Error | undefined;
    redisChild.once('error', (err) => (spawnError = err));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (spawnError) throw spawnError;
      if (await redisAnswers(redisUrl)) break;
      if (Date.now() > deadline || redisChild.exitCode !== null) throw new Error(`the private redis-server did not answer at ${redisUrl}`);
      await sleep(100);
    }
  }, 30_000);

  afterAll(() => {
    if (redisChild && redisChild.exitCode === null && redisChild.signalCode === null) redisChild.kill('SIGKILL');
  });

  async function setPolicy(policy: string): Promise<void> {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      await redis.config('SET', 'maxmemory-policy', policy);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', policy]);
    } finally {
      redis.disconnect();
    }
  }

  /** A service (role all) on the private Redis, started until its 'mailwarden started' line. */
  async function startOnPrivateRedis(): Promise<{ service: ServiceProcess; port: number }> {
    const dir = await tempDir();
    const prefix = testPrefix(); // its keys live in the private Redis, which goes with the test
    const port = await freePort();
    const configFile = join(dir, 'mailwarden.yaml');
    await writeFile(configFile, JSON.stringify(testConfig(dir, prefix, sink.port, { listen: `127.0.0.1:${port}`, redis: { url: redisUrl } })));
    const service = startServiceProcess(configFile);
    const started = await service.waitForLog(msgIs('mailwarden started'));
    expect(started.redis).toBe(redisUrl); // the private one, not the shared Redis
    return { service, port };
  }

  const aboutPolicy = (l: LogLine) => typeof l.msg === 'string' && l.msg.includes('maxmemory-policy');

  it('warns loudly when the policy is not noeviction, and starts all the same', async () => {
    await setPolicy('allkeys-lru');
    const { service, port } = await startOnPrivateRedis();
    const warning = service.lines.find(aboutPolicy);
    expect(warning).toBeDefined();
    expect(warning!.level).toBe(50);
    expect(warning!.maxmemoryPolicy).toBe('allkeys-lru');
    expect(String(warning!.msg)).toMatch(/^REDIS maxmemory-policy IS 'allkeys-lru', NOT 'noeviction': when memory runs out Redis will DROP QUEUED JOBS/);
    expect(String(warning!.msg)).toContain('CONFIG SET maxmemory-policy noeviction');
    // Still started: listening, and answering SMTP.
    expect((await service.waitForLog(msgIs('SMTP front listening'))).listen).toBe(`127.0.0.1:${port}`);
    expect(await probePort(port)).toBe('open');
    expect(service.child.exitCode).toBeNull();
    expect(await service.terminate()).toBe(0);
  }, 60_000);

  it('says nothing about the policy when it is noeviction', async () => {
    await setPolicy('noeviction');
    const { service, port } = await startOnPrivateRedis();
    // The check runs before 'mailwarden started', which startOnPrivateRedis waited for.
    expect(service.lines.filter(aboutPolicy)).toEqual([]);
    expect(service.lines.filter((l) => typeof l.level === 'number' && l.level >= 50)).toEqual([]);
    expect((await service.waitForLog(msgIs('SMTP front listening'))).listen).toBe(`127.0.0.1:${port}`);
    expect(await service.terminate()).toBe(0);
  }, 60_000);
});
