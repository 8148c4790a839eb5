/**
 * mailwarden's milter front end to end, behind a real Postfix (Debian's, a private instance):
 * the same decisions, reply texts, quarantine and audit as the relay, with Postfix keeping the
 * accepted mail. Quarantine in both modes: `custody` (held in mailwarden, released through
 * Postfix's reinjection listener) and `hold` (Postfix's hold queue).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeExe, sleep, startSink, type Sink } from '../fronts/smtp/harness.js';
import { auditRecords, milterRig as rig, waitFor, type Rig } from './milter-rig.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

function message(subject: string, opts: { attach?: Buffer; extra?: string[]; body?: string } = {}): string {
  const head = ['From: Alex Turner <alex.turner@met.police.uk>', 'To: partner@example.com', `Subject: ${subject}`, 'Message-ID: <' + subject.replace(/\W/g, '') + '@met.police.uk>', 'Date: Wed, 02 Dec 2026 10:00:00 +0000', 'MIME-Version: 1.0', ...(opts.extra ?? [])];
  if (!opts.attach) return [...head, 'Content-Type: text/plain; charset=utf-8', '', opts.body ?? 'Figures attached as agreed.', ''].join('\r\n');
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Here it is.',
    '--b1',
    'Content-Type: application/octet-stream; name="notes.txt"',
    'Content-Disposition: attachment; filename="notes.txt"',
    'Content-Transfer-Encoding: base64',
    '',
    opts.attach.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b1--',
    '',
  ].join('\r\n');
}

const send = (port: number, raw: string, to = ['partner@example.com']) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    .sendMail({ envelope: { from: 'alex.turner@met.police.uk', to }, raw })
    .then((i) => String(i.response), (e: { response?: string; message: string }) => e.response ?? e.message);

describe('milter front behind a real Postfix (custody mode)', () => {
  let sink: Sink;
  let r: Rig;
  beforeAll(async () => {
    sink = await startSink();
    r = await rig(sink, 'custody');
  });
  afterAll(async () => {
    await r?.stop();
    await sink?.close();
  });

  it('accepts clean mail: Postfix delivers it with our decision headers, forged ones deleted, the body byte for byte', async () => {
    const body = `${'The figures for the quarter, line by line. '.repeat(3)}\r\n`.repeat(2000);
    const reply = await send(r.postfix.port, message('milter-accept-1', { body, extra: ['X-Mailwarden-Decision: accept (forged)'] }));
    expect(reply).toMatch(/^250 /);
    const queueId = /queued as ([0-9A-F]+)/.exec(reply)![1]!;
    const got = (await sink.waitFor(1)).find((m) => m.raw.includes('milter-accept-1'))!;
    const text = got.raw.toString('latin1');
    expect(text).toMatch(/\r\nX-Mailwarden-Decision: accept\r\n/);
    expect(text).not.toContain('forged');
    const ref = /\r\nX-Mailwarden-Id: (\S+)\r\n/.exec(text)![1]!;
    const sentBody = message('milter-accept-1', { body }).split('\r\n\r\n').slice(1).join('\r\n\r\n');
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe(sentBody);
    const record = await waitFor('the decision record', async () => (await auditRecords(r.dir)).find((x) => x.ref === ref && x.type === 'decision'));
    expect(record.decision).toBe('accept');
    expect((record.envelope as { mtaQueueId?: string }).mtaQueueId).toBe(queueId);
    expect((record.envelope as { clientAddress?: string }).clientAddress).toBe('127.0.0.1');
  });

  it('rejects an executable with the relay\'s 550 text, at the client, and records it', async () => {
    const reply = await send(r.postfix.port, message('[Personal] milter-reject-1', { attach: fakeExe() }));
    // The relay's text: the first rule that refused, its reason, its clause, our ref.
    expect(reply).toMatch(/^550 5\.7\.1 personal-attachment-type: .*notes\.txt.*\(MPS Personal Use SOP 4\.3\) \(\+1 more\) ref \S+$/);
    const ref = / ref (\S+)$/.exec(reply)![1]!;
    const record = await waitFor('the reject record', async () => (await auditRecords(r.dir)).find((x) => x.ref === ref && x.type === 'decision'));
    expect(record.decision).toBe('reject');
    expect((record.findings as { rule: string }[]).map((f) => f.rule)).toContain('executable-content');
    expect(await r.postfix.log()).toMatch(/milter-reject: END-OF-MESSAGE .*5\.7\.1 personal-attachment-type/);
  });

  it('holds quarantined mail in mailwarden: never delivered until released, then delivered once through the reinjection listener', async () => {
    const before = sink.messages.length;
    // A macro-enabled Word file on business mail is held for review (macro-documents).
    const docm = await readFile(join(ROOT, 'fixtures/macro/docm-roster.eml'));
    const reply = await send(r.postfix.port, docm.toString('latin1'), ['alex.turner@met.police.uk']);
    expect(reply).toMatch(/^250 /);
    const held = await waitFor('the held record', async () =>
      (await auditRecords(r.dir)).find((x) => x.type === 'decision' && x.decision === 'quarantine' && (x.envelope as { mtaQueueId?: string }).mtaQueueId === /queued as ([0-9A-F]+)/.exec(reply)![1]),
    );
    await sleep(1000);
    expect(sink.messages.length).toBe(before);
    expect(await r.postfix.log()).toMatch(/milter-discard: END-OF-MESSAGE .*milter triggers DISCARD action/);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'quarantine', 'release', String(held.ref), '--by', 'J Bloggs', '--reason', 'approved by line manager', '--config', r.configFile], { cwd: ROOT });
    expect(stdout).toMatch(/released/i);
    await sink.waitFor(before + 1, 20_000);
    await sleep(1500);
    const delivered = sink.messages.slice(before);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.raw.toString('latin1')).toContain(`X-Mailwarden-Id: ${String(held.ref)}`);
    const released = await waitFor('the released record', async () => (await auditRecords(r.dir)).find((x) => x.ref === held.ref && x.type === 'released'));
    expect(released.actor).toBe('J Bloggs');
  });

  it('with mailwarden stopped, Postfix answers 451 (milter_default_action = tempfail)', async () => {
    await r.service.stop();
    const reply = await send(r.postfix.port, message('milter-down-1'));
    expect(reply).toMatch(/^451 4\.7\.1 /);
  });
});

describe('milter front behind a real Postfix (hold mode)', () => {
  let sink: Sink;
  let r: Rig;
  beforeAll(async () => {
    sink = await startSink();
    r = await rig(sink, 'hold');
  });
  afterAll(async () => {
    await r?.stop();
    await sink?.close();
  });

  it("puts held mail in Postfix's hold queue and records it with the Postfix queue id", async () => {
    const docm = await readFile(join(ROOT, 'fixtures/macro/docm-roster.eml'));
    const reply = await send(r.postfix.port, docm.toString('latin1'), ['alex.turner@met.police.uk']);
    expect(reply).toMatch(/^250 /);
    const queueId = /queued as ([0-9A-F]+)/.exec(reply)![1]!;
    await waitFor('the hold queue', async () => ((await r.postfix.queue()).some((q) => q.queue_id === queueId && q.queue_name === 'hold') ? true : undefined));
    const record = await waitFor('the held record', async () => (await auditRecords(r.dir)).find((x) => x.type === 'decision' && (x.envelope as { mtaQueueId?: string }).mtaQueueId === queueId));
    expect(record.decision).toBe('quarantine');
    expect(await r.postfix.log()).toMatch(/milter-hold: END-OF-MESSAGE .*milter triggers HOLD action/);
  });
});

describe('milter front behind a real Postfix, on a unix socket (only the end of the body answered)', () => {
  let sink: Sink;
  let r: Rig;
  beforeAll(async () => {
    sink = await startSink();
    r = await rig(sink, 'custody', {}, 'unix');
  });
  afterAll(async () => {
    await r?.stop();
    await sink?.close();
  });

  it('accepts clean mail with our headers and the body byte for byte, several messages on one Postfix connection', async () => {
    const body = `${'Rota for the week, shift by shift. '.repeat(3)}\r\n`.repeat(3000); // several body chunks
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: r.postfix.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
    try {
      for (const n of [1, 2, 3]) {
        const raw = message(`milter-unix-accept-${n}`, { body });
        const info = await transport.sendMail({ envelope: { from: 'alex.turner@met.police.uk', to: ['partner@example.com'] }, raw });
        expect(String(info.response)).toMatch(/^250 /);
      }
    } finally {
      transport.close();
    }
    const got = await sink.waitFor(3);
    for (const n of [1, 2, 3]) {
      const text = got.find((m) => m.raw.includes(`milter-unix-accept-${n}`))!.raw.toString('latin1');
      expect(text).toMatch(/\r\nX-Mailwarden-Decision: accept\r\n/);
      const sentBody = message(`milter-unix-accept-${n}`, { body }).split('\r\n\r\n').slice(1).join('\r\n\r\n');
      expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe(sentBody);
    }
  });

  it("rejects an executable with the relay's 550 text", async () => {
    const reply = await send(r.postfix.port, message('[Personal] milter-unix-reject-1', { attach: fakeExe() }));
    expect(reply).toMatch(/^550 5\.7\.1 personal-attachment-type: .* ref \S+$/);
  });
});
