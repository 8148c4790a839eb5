/**
 * The durability promise, with the real service process: SIGKILL it in the middle of a load, start
 * it again, and every message it answered 250 reaches the upstream. Then the signals: SIGHUP with
 * a broken config is refused (the process keeps running), SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropKeys, plainMessage, sleep, startSink, testConfig, testPrefix, type Sink } from '../fronts/smtp/harness.js';

let sink: Sink;
let dir: string;
const prefix = testPrefix();
const children: ChildProcess[] = [];

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-crash-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sink?.close();
  await dropKeys(prefix);
  await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface ServiceProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  waitForLog(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startProcess(configFile: string): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', configFile], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDIS_URL: '' },
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ msg: p });
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    async waitForLog(pred, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`service log line not seen; stderr: ${stderr.slice(-2000)}`);
        }
        await sleep(50);
      }
    },
  };
}

describe('service process', () => {
  it('delivers every message answered 250 after a SIGKILL mid-load and a restart', async () => {
    const port = await freePort();
    const configFile = join(dir, 'mailwarden.yaml');
    const config = testConfig(dir, prefix, sink.port, { listen: `127.0.0.1:${port}` });
    await writeFile(configFile, JSON.stringify(config));

    const first = startProcess(configFile);
    await first.waitForLog((l) => l.msg === 'mailwarden started');

    const accepted = new Set<string>();
    let stop = false;
    let n = 0;
    const senders = Array.from({ length: 6 }, async () => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: false });
      while (!stop) {
        const subject = `crash-load-${n++}`;
        try {
          const info = await transport.sendMail({
            envelope: { from: 'alex.smith@met.police.uk', to: ['partner@example.com'] },
            raw: plainMessage({ subject }),
          });
          if (info.response.startsWith('250')) accepted.add(subject);
        } catch {
          // the service was killed under this transaction: no 250, nothing owed
          await sleep(20);
        }
      }
    });
    while (accepted.size < 40) await sleep(10);
    first.child.kill('SIGKILL');
    await first.exited;
    await sleep(300);
    stop = true;
    await Promise.all(senders);
    expect(accepted.size).toBeGreaterThanOrEqual(40);
    const second = startProcess(configFile);
    await second.waitForLog((l) => l.msg === 'mailwarden started');
    const missing = () => [...accepted].filter((s) => !sink.messages.some((m) => m.raw.includes(`Subject: ${s}\r\n`)));
    // Jobs that were active at the kill come back through BullMQ's stalled-job check once their
    // lock expires (30 s lock, 30 s check by default): allow for both.
    const deadline = Date.now() + 90_000;
    while (missing().length > 0 && Date.now() < deadline) await sleep(200);
    expect(missing()).toEqual([]);
    // SIGHUP with a broken config: refused loudly, the process keeps running.
    await writeFile(configFile, 'smtp:\n  size: lots\n');
    second.child.kill('SIGHUP');
    await second.waitForLog((l) => l.level === 50 && String(l.msg).startsWith('RELOAD REFUSED'));
    expect(second.child.exitCode).toBeNull();
    // SIGTERM: a clean stop.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.lines.some((l) => l.msg === 'mailwarden stopped')).toBe(true);
  }, 150_000);
});
