/**
 * The milter front under faults, behind a real Postfix: mailwarden (a child process) killed with
 * SIGKILL in the middle of a load loses nothing Postfix answered 250 for (accepted mail is
 * Postfix's and reaches the sink; held mail was kept in our spool before Postfix was told to
 * discard it, and after a restart it is there to review), and every message the client was told
 * to retry never arrives (one kept as held just before the kill may be there twice, after the
 * client's retry: the duplicate window, never a loss). Then a 20 MB message passes with the milter process's memory bounded.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropKeys, sleep, startSink, testConfig, testPrefix, type Sink } from '../fronts/smtp/harness.js';
import { killChildren, startServiceProcess, type ServiceProcess } from '../service/service-process.js';
import { freeLowPort, startPostfix, type PostfixFixture } from './postfix.js';
import { waitFor } from './milter-rig.js';

const ROOT = join(import.meta.dirname, '..', '..');
let sink: Sink;
let postfix: PostfixFixture;
let dir: string;
let prefix: string;
let configFile: string;
let milterPort: number;

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-milter-crash-'));
  prefix = testPrefix();
  milterPort = await freeLowPort();
  configFile = join(dir, 'mailwarden.yaml');
  await writeFile(configFile, JSON.stringify(testConfig(dir, prefix, sink.port, { milter: { listen: `inet:127.0.0.1:${milterPort}` } })));
  postfix = await startPostfix({ relayPort: sink.port, milter: `inet:127.0.0.1:${milterPort}` });
});

afterAll(async () => {
  killChildren();
  await postfix?.stop();
  await sink?.close();
  await dropKeys(prefix);
  if (dir) await rm(dir, { recursive: true, force: true });
});

let running: ServiceProcess | null = null;

async function startMilter(): Promise<ServiceProcess> {
  const p = startServiceProcess(configFile, ['--role', 'milter,worker']);
  running = p;
  await p.waitForLog((l) => l.msg === 'milter front listening');
  return p;
}

afterEach(async () => {
  // A failed test must not leave its service holding the milter port for the next one.
  if (running && running.child.exitCode === null && running.child.signalCode === null) await running.terminate();
  running = null;
});

function plain(tag: string, body = 'Figures as agreed.\r\n'): string {
  return ['From: Alex Turner <alex.turner@met.police.uk>', 'To: partner@example.com', `Subject: ${tag}`, `Message-ID: <${tag}@met.police.uk>`, 'Date: Wed, 02 Dec 2026 10:00:00 +0000', '', body].join('\r\n');
}

function lastComplete(lines: string[]): { state: string; subject: string } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]!) as { state: string; subject: string };
    } catch {
      // a torn line: the one before it stands
    }
  }
  return null;
}

/** The spool's held messages, by the tag in their subject. */
async function heldTags(): Promise<Set<string>> {
  const msg = join(dir, 'spool', 'msg');
  const tags = new Set<string>();
  for (const f of (await readdir(msg).catch(() => [] as string[])).filter((f) => f.endsWith('.json'))) {
    // As the spool reads it: the last complete line counts. A file with none is a commit the
    // SIGKILL cut short (created, not yet written): never answered, and swept at the next start.
    const lines = (await readFile(join(msg, f), 'utf8')).split('\n').filter(Boolean);
    const last = lastComplete(lines);
    if (!last) continue;
    const tag = /crash-\d+/.exec(last.subject)?.[0];
    if (last.state === 'held' && tag) tags.add(tag);
  }
  return tags;
}

describe('milter front behind Postfix under SIGKILL', () => {
  it('loses nothing Postfix answered 250 for, and delivers nothing it told the client to retry', async () => {
    let service = await startMilter();
    const docm = (await readFile(join(ROOT, 'fixtures/macro/docm-roster.eml'), 'latin1')).replace(/^Subject: (.*)$/m, 'Subject: $1 TAG');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: postfix.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 8 });
    const replies = new Map<string, string>();
    const total = 80;
    const sends = Array.from({ length: total }, (_, i) => {
      const tag = `crash-${i}`;
      const held = i % 5 === 0; // a macro document: held for review
      const raw = held ? docm.replace('TAG', tag) : plain(tag, `${'The quarterly figures, line by line. '.repeat(20)}\r\n`.repeat(50));
      return transport
        .sendMail({ envelope: { from: 'alex.turner@met.police.uk', to: [held ? 'priya.shah@met.police.uk' : 'partner@example.com'] }, raw })
        .then((r) => replies.set(tag, String(r.response)), (e: { response?: string; message: string }) => replies.set(tag, e.response ?? e.message));
    });
    // Kill it once a good part of the load has been answered, with more still in flight.
    await waitFor('the first answers', async () => (replies.size >= 20 ? true : undefined), 60_000);
    service.child.kill('SIGKILL');
    await service.exited;
    await Promise.all(sends);
    transport.close();
    const ok = [...replies].filter(([, r]) => /^250 /.test(r)).map(([t]) => t);
    const retry = [...replies].filter(([, r]) => /^4\d\d /.test(r)).map(([t]) => t);
    expect(ok.length).toBeGreaterThan(0);
    expect(retry.length, 'some messages must have met the dead milter').toBeGreaterThan(0);
    expect(ok.length + retry.length).toBe(total);

    service = await startMilter();
    const isHeld = (t: string) => Number(t.slice(6)) % 5 === 0;
    // Accepted mail is Postfix's: it reaches the sink. Held mail is in our spool, to be reviewed.
    const accepted = ok.filter((t) => !isHeld(t));
    await waitFor('every accepted message at the sink', async () =>
      accepted.every((t) => sink.messages.some((m) => m.raw.includes(`Subject: ${t}\r\n`))) ? true : undefined, 60_000);
    const held = await heldTags();
    for (const t of ok.filter(isHeld)) expect(held.has(t), `${t} was answered 250 and must be held`).toBe(true);
    for (const t of retry) {
      expect(sink.messages.some((m) => m.raw.includes(`Subject: ${t}\r\n`)), `${t} was answered 4xx and must not arrive`).toBe(false);
    }
    // Held mail kept before Postfix heard the discard is the duplicate window (the client retries, the
    // retry is held again: two copies to review, never a loss): at most the messages in flight.
    const heldButRetried = retry.filter((t) => held.has(t));
    expect(heldButRetried.every(isHeld)).toBe(true);
    expect(heldButRetried.length).toBeLessThanOrEqual(8);
  }, 180_000);

  it('passes a 20 MB message with the milter process in bounded memory', async () => {
    const service = await startMilter();
    const pid = service.child.pid!;
    const rss = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    await sleep(500);
    const before = await rss();
    let peak = before;
    const sampler = setInterval(() => void rss().then((v) => (peak = Math.max(peak, v)), () => undefined), 20);
    const line = 'Z'.repeat(76);
    const attachment = `${line}\r\n`.repeat(Math.ceil((20 * 1024 * 1024) / 78));
    const raw = [
      'From: Alex Turner <alex.turner@met.police.uk>', 'To: partner@example.com', 'Subject: big-20mb', 'Message-ID: <big-20mb@met.police.uk>', 'Date: Wed, 02 Dec 2026 10:00:00 +0000', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'The survey, as a data file.', '--b',
      'Content-Type: application/octet-stream; name="survey.dat"', 'Content-Disposition: attachment; filename="survey.dat"', 'Content-Transfer-Encoding: base64', '', attachment + '--b--', '',
    ].join('\r\n');
    const before20 = sink.messages.length;
    const reply = await nodemailer
      .createTransport({ host: '127.0.0.1', port: postfix.port, secure: false, ignoreTLS: true })
      .sendMail({ envelope: { from: 'alex.turner@met.police.uk', to: ['partner@example.com'] }, raw })
      .then((r) => String(r.response), (e: { response?: string; message: string }) => e.response ?? e.message);
    clearInterval(sampler);
    expect(reply).toMatch(/^250 /);
    await sink.waitFor(before20 + 1, 60_000);
    expect(raw.length).toBeGreaterThan(20 * 1024 * 1024);
    // Streamed: the milter's memory grows by far less than the message.
    expect(peak - before).toBeLessThan(64);
  }, 120_000);
});
