/**
 * The durability promise, with the real service process: SIGKILL it in the middle of a load, start
 * it again, and every message it answered 250 reaches the upstream. Then the signals: SIGHUP with
 * a broken config is refused (the process keeps running), SIGTERM stops it cleanly.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropKeys, plainMessage, sleep, startSink, testConfig, testPrefix, type Sink } from '../fronts/smtp/harness.js';
import { freePort, killChildren, startServiceProcess } from './service-process.js';

let sink: Sink;
let dir: string;
const prefix = testPrefix();

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-crash-'));
});

afterAll(async () => {
  killChildren();
  await sink?.close();
  await dropKeys(prefix);
  await rm(dir, { recursive: true, force: true });
});

describe('service process', () => {
  it('delivers every message answered 250 after a SIGKILL mid-load and a restart', async () => {
    const port = await freePort();
    const configFile = join(dir, 'mailwarden.yaml');
    const config = testConfig(dir, prefix, sink.port, { listen: `127.0.0.1:${port}` });
    await writeFile(configFile, JSON.stringify(config));

    const first = startServiceProcess(configFile);
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
    const second = startServiceProcess(configFile);
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
