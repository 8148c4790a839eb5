/**
 * The relay end to end: nodemailer or a raw SMTP client -> the service (front + workers, real Redis,
 * real spool) -> an smtp-server sink as the upstream.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runQuarantine } from '../../../src/cli/quarantine.js';
import { fakeExe, plainMessage, RawSmtp, REDIS_URL, sleep, spoolFiles, startRelay, startSink, type Relay, type Reply, type Sink } from './harness.js';

let sink: Sink;
let relay: Relay;

beforeAll(async () => {
  sink = await startSink();
  relay = await startRelay(sink.port);
});

afterAll(async () => {
  await relay?.stop();
  await sink?.close();
});

function client() {
  return nodemailer.createTransport({ host: '127.0.0.1', port: relay.port, secure: false, ignoreTLS: true, name: 'client.test' });
}

/** The message that reached the sink whose raw bytes contain `marker`. */
async function arrived(marker: string, timeoutMs = 15_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = sink.messages.find((m) => m.raw.includes(marker));
    if (hit) return hit.raw;
    if (Date.now() > deadline) throw new Error(`message ${marker} did not arrive`);
    await sleep(50);
  }
}

/** Splits what the sink got into our prepended header lines and the rest. */
function splitOurs(raw: Buffer, original: Buffer): string[] {
  expect(raw.subarray(raw.length - original.length).equals(original)).toBe(true);
  return raw
    .subarray(0, raw.length - original.length)
    .toString('latin1')
    .split('\r\n')
    .filter((l) => l !== '');
}

async function auditRecords(): Promise<Record<string, unknown>[]> {
  const dir = join(relay.dir, 'audit');
  const files = await readdir(dir).catch(() => [] as string[]);
  const out: Record<string, unknown>[] = [];
  for (const f of files.filter((f) => f.endsWith('.jsonl'))) {
    for (const line of (await readFile(join(dir, f), 'utf8')).split('\n')) if (line.trim()) out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

async function auditRecordFor(ref: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rec = (await auditRecords()).find((r) => r.ref === ref && r.type === 'decision');
    if (rec) return rec;
    if (Date.now() > deadline) throw new Error(`no audit decision record for ${ref}`);
    await sleep(100);
  }
}

describe('SMTP relay', () => {
  it('accepts clean mail and delivers it byte for byte with our headers', async () => {
    const original = Buffer.from(plainMessage({ subject: 'accept-1' }));
    const info = await client().sendMail({ envelope: { from: 'alex.smith@met.police.uk', to: ['partner@example.com'] }, raw: original });
    const m = /^250 2\.0\.0 Queued as (\S+)$/.exec(info.response);
    expect(m).not.toBeNull();
    const ref = m![1]!;
    const raw = await arrived('accept-1');
    const ours = splitOurs(raw, original);
    expect(ours).toHaveLength(3);
    expect(ours[0]).toMatch(
      new RegExp(`^Received: from client\\.test \\(\\[127\\.0\\.0\\.1\\]\\) by mw\\.test \\(mailwarden\\) with ESMTP id ${ref} for <partner@example\\.com>; \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000$`),
    );
    expect(ours[1]).toBe('X-Mailwarden-Decision: accept');
    expect(ours[2]).toBe(`X-Mailwarden-Id: ${ref}`);
    const line = relay.log.find((l) => l.msg === 'smtp transaction' && l.ref === ref);
    expect(line).toMatchObject({ decision: 'accept', client: '127.0.0.1', mailFrom: 'alex.smith@met.police.uk', reply: info.response });
    expect(line?.size).toBe(original.length);
  });

  it('answers a client that sends whole messages, bodies and all, in one write (the second empty)', async () => {
    // Not what RFC 2920 allows (the body waits for 354), but some clients do it; smtp-server's
    // parser stalls a session whose next DATA ends inside the previous message's continuation
    // (docs/decisions/smtp-server-fast-data-feed.md): the relay must still answer every command.
    const { client: raw, greeting } = await RawSmtp.open(relay.port);
    expect(greeting.code).toBe(220);
    const first = plainMessage({ subject: 'blind-pipeline-1' });
    raw.socket.write(
      'EHLO client.test\r\n' +
        `MAIL FROM:<alex.smith@met.police.uk>\r\nRCPT TO:<partner@example.com>\r\nDATA\r\n${first}.\r\n` +
        'MAIL FROM:<alex.smith@met.police.uk>\r\nRCPT TO:<partner@example.com>\r\nDATA\r\n.\r\nNOOP\r\n',
    );
    const replies: Reply[] = [];
    for (let i = 0; i < 10; i++) replies.push(await raw.next(10_000));
    // EHLO, MAIL, RCPT, 354, queued; MAIL, RCPT, 354, queued (an empty message carries nothing); NOOP.
    expect(replies.map((r) => r.code)).toEqual([250, 250, 250, 354, 250, 250, 250, 354, 250, 250]);
    expect(replies[4]!.text).toMatch(/^2\.0\.0 Queued as /);
    expect(replies[8]!.text).toMatch(/^2\.0\.0 Queued as /);
    expect((await raw.cmd('QUIT')).code).toBe(221);
    await arrived('blind-pipeline-1');
  });

  it('rewrites bare LF and bare CR to CRLF before spooling; the upstream gets the rewritten bytes', async () => {
    const text = plainMessage({ subject: 'bare-lf-1', body: 'line one\nline two\rline three' })
      .replace(/\r\n/g, '\n')
      .replace(/\n$/, '\r\n'); // DATA itself ends with CRLF.CRLF
    const { client: c } = await RawSmtp.open(relay.port);
    const reply = await c.send('alex.smith@met.police.uk', ['partner@example.com'], text);
    c.close();
    expect(reply.code).toBe(250);
    const normalised = Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
    const raw = await arrived('bare-lf-1');
    expect(splitOurs(raw, normalised)).toHaveLength(3);
  });

  it('removes forged X-Mailwarden-* headers', async () => {
    const original = plainMessage({
      subject: 'fake-hdr-1',
      extraHeaders: ['X-Mailwarden-Decision: accept', 'X-Mailwarden-Id: forged', 'x-mailwarden-findings: none,', '  folded continuation'],
    });
    const info = await client().sendMail({ envelope: { from: 'alex.smith@met.police.uk', to: ['partner@example.com'] }, raw: original });
    const ref = /Queued as (\S+)/.exec(info.response)![1]!;
    const text = (await arrived('fake-hdr-1')).toString('latin1');
    expect(text.match(/^x-mailwarden-decision:/gim)).toHaveLength(1);
    expect(text.match(/^x-mailwarden-id:/gim)).toHaveLength(1);
    expect(text).toContain(`X-Mailwarden-Id: ${ref}\r\n`);
    expect(text).not.toMatch(/: forged|folded continuation|x-mailwarden-findings/i);
  });

  it('rejects with 550 5.7.1 naming rule, reason, clause and ref; nothing is spooled or delivered; the decision is audited', async () => {
    const original = plainMessage({ subject: 'RESTRICTED figures reject-1' });
    const { client: c } = await RawSmtp.open(relay.port);
    const reply = await c.send('alex.smith@met.police.uk', ['partner@example.com'], original);
    c.close();
    expect(reply.code).toBe(550);
    const m = /^5\.7\.1 marked-unencrypted: .+RESTRICTED.+ \(WMP Inf\/27 2\.10\.1\) ref (\S+)$/.exec(reply.text);
    expect(m, reply.text).not.toBeNull();
    const ref = m![1]!;
    const record = await auditRecordFor(ref);
    expect(record).toMatchObject({ decision: 'reject', ref });
    expect(await spoolFiles(join(relay.dir, 'spool'), 'msg')).not.toContain(`${ref}.eml`);
    // A later message arrives; the rejected one never does.
    await client().sendMail({ envelope: { from: 'alex.smith@met.police.uk', to: ['partner@example.com'] }, raw: plainMessage({ subject: 'after-reject-1' }) });
    await arrived('after-reject-1');
    expect(sink.messages.some((x) => x.raw.includes('reject-1') && !x.raw.includes('after-reject-1'))).toBe(false);
  });

  it('holds quarantined mail with 250, does not deliver it until a reviewer releases it', async () => {
    const rcpts = Array.from({ length: 51 }, (_, i) => `p${i}@example.com`);
    const { client: c } = await RawSmtp.open(relay.port);
    const reply = await c.send('alex.smith@met.police.uk', rcpts, plainMessage({ subject: 'held-1' }));
    c.close();
    expect(reply.code).toBe(250);
    const ref = /^2\.0\.0 Held for review ref (\S+)$/.exec(reply.text)![1]!;
    const sidecar = JSON.parse(await readFile(join(relay.dir, 'spool', 'msg', `${ref}.json`), 'utf8')) as Record<string, unknown>;
    expect(sidecar.state).toBe('held');
    expect((sidecar.verdict as { decision: string }).decision).toBe('quarantine');
    expect(sidecar.addHeaders).toContain('X-Mailwarden-Decision: quarantine');
    // The sidecar's size and sha256 are those of the spooled bytes (the parse's hash: the writer does not hash).
    const spooled = await readFile(join(relay.dir, 'spool', 'msg', `${ref}.eml`));
    expect(sidecar.size).toBe(spooled.length);
    expect(sidecar.sha256).toBe(createHash('sha256').update(spooled).digest('hex'));
    await sleep(500);
    expect(sink.messages.some((x) => x.raw.includes('held-1'))).toBe(false);

    // A reviewer releases it from the command line: now it is delivered, once, to every recipient.
    let out = '';
    const io = { stdout: new PassThrough().on('data', (d: Buffer) => (out += d.toString())), stderr: new PassThrough() };
    expect(await runQuarantine(['release', ref, '--by', 'J Bloggs', '--reason', 'mailing list agreed', '--config', relay.configFile], io)).toBe(0);
    expect(out).toContain(ref);
    const deadline = Date.now() + 15_000;
    while (!sink.messages.some((x) => x.raw.includes('held-1')) && Date.now() < deadline) await sleep(50);
    const delivered = sink.messages.filter((x) => x.raw.includes('held-1'));
    expect(delivered).toHaveLength(1);
    expect([...delivered[0]!.rcptTo].sort()).toEqual([...rcpts].sort());
    expect(delivered[0]!.raw.toString('latin1')).toContain('X-Mailwarden-Decision: quarantine');
  });

  it('catches an executable behind a MIME boundary hidden by a bare CR', async () => {
    const exe = fakeExe().toString('base64');
    const message = [
      'From: alex.smith@met.police.uk',
      'To: partner@example.com',
      'Subject: bare-cr-boundary',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      // mailsplit, splitting on LF only, would read this as one text line; the recipient's MTA
      // (after nodemailer rewrites the CR) sees a boundary and an attachment.
      'hello\r--b1',
      'Content-Type: application/octet-stream; name="tool.exe"',
      'Content-Disposition: attachment; filename="tool.exe"',
      'Content-Transfer-Encoding: base64',
      '',
      exe,
      '--b1--',
      '',
    ].join('\r\n');
    const { client: c } = await RawSmtp.open(relay.port);
    const reply = await c.send('alex.smith@met.police.uk', ['partner@example.com'], message);
    c.close();
    expect(reply.code).toBe(550);
    expect(reply.text).toMatch(/^5\.7\.1 executable-content: /);
  });

  it('inspects the part a bare CR hid from a LF-only parser (the audit lists it)', async () => {
    const message = [
      'From: alex.smith@met.police.uk',
      'To: partner@example.com',
      'Subject: bare-cr-hidden-part',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b2"',
      '',
      '--b2',
      'Content-Type: text/plain',
      '',
      'see attached\r--b2',
      'Content-Type: text/plain; name="hidden-notes.txt"',
      'Content-Disposition: attachment; filename="hidden-notes.txt"',
      '',
      'nothing to see',
      '--b2--',
      '',
    ].join('\r\n');
    const { client: c } = await RawSmtp.open(relay.port);
    const reply = await c.send('alex.smith@met.police.uk', ['partner@example.com'], message);
    c.close();
    expect(reply.code).toBe(250);
    const ref = /Queued as (\S+)/.exec(reply.text)![1]!;
    const record = await auditRecordFor(ref);
    const names = (record.attachments as { name: string | null }[]).map((a) => a.name);
    expect(names).toContain('hidden-notes.txt');
    const delivered = (await arrived('bare-cr-hidden-part')).toString('latin1');
    expect(delivered).toContain('see attached\r\n--b2\r\n');
  });

  it('refuses a mail loop (more than 50 Received:) with 554 5.4.6', async () => {
    const loop = plainMessage({ subject: 'loop-1', extraHeaders: Array.from({ length: 51 }, (_, i) => `Received: from hop${i} by hop${i + 1}; Mon, 2 Jun 2025 10:00:00 +0000`) });
    const { client: c } = await RawSmtp.open(relay.port);
    const reply = await c.send('alex.smith@met.police.uk', ['partner@example.com'], loop);
    c.close();
    expect(reply.code).toBe(554);
    expect(reply.text).toMatch(/^5\.4\.6 /);
  });

  it('keeps nothing when the client disconnects mid-DATA', async () => {
    const spoolDir = join(relay.dir, 'spool');
    // msg/ and done/ together: an earlier message finishing meanwhile moves from one to the other.
    const count = async () => (await spoolFiles(spoolDir, 'msg')).length + (await spoolFiles(spoolDir, 'done')).length;
    const before = await count();
    const { client: c } = await RawSmtp.open(relay.port);
    await c.envelope('alex.smith@met.police.uk', ['partner@example.com']);
    expect((await c.cmd('DATA')).code).toBe(354);
    c.socket.write(plainMessage({ subject: 'gone-1', body: 'x'.repeat(200_000) }));
    await sleep(200);
    c.socket.destroy();
    await sleep(500);
    expect(await spoolFiles(spoolDir, 'tmp')).toEqual([]);
    expect(await count()).toBe(before);
    const gone = relay.log.find((l) => l.msg === 'client disconnected during DATA');
    expect(gone?.ref).toEqual(expect.any(String));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${relay.prefix}*${String(gone!.ref)}*`);
    redis.disconnect();
    expect(keys).toEqual([]);
    // The service is still healthy afterwards.
    const { client: c2 } = await RawSmtp.open(relay.port);
    expect((await c2.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'after-gone-1' }))).code).toBe(250);
    c2.close();
  });
});
