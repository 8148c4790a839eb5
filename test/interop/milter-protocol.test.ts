/**
 * The milter codec and session against a real Postfix (Debian's, a private instance per file):
 * negotiation, the commands it really sends, header and body reconstruction byte for byte, and
 * each final reply's effect at the SMTP client. The handler here is a small one that decides by
 * subject; mailwarden's own milter handler is tested end to end in milter-front.test.ts.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer, { type Transporter } from 'nodemailer';
import pino from 'pino';
import type { MilterReply } from '../../src/fronts/milter/codec.js';
import { MILTER_ACTIONS, MILTER_MACROS, MILTER_PROTOCOL } from '../../src/fronts/milter/negotiation.js';
import { END_OF_HEADERS, headerBytes, outgoingValue } from '../../src/fronts/milter/rebuild.js';
import { listenMilter, type MilterServer } from '../../src/fronts/milter/server.js';
import type { MessageFilter, MilterEnvelope } from '../../src/fronts/milter/session.js';
import { startSink, type Sink } from '../fronts/smtp/harness.js';
import { startPostfix, type PostfixFixture } from './postfix.js';

const seen: { env: MilterEnvelope; bytes: Buffer }[] = [];

class RebuildingFilter implements MessageFilter {
  private readonly parts: Buffer[] = [];
  private subject = '';
  constructor(private readonly env: MilterEnvelope) {}
  header(name: string, value: string) {
    if (name.toLowerCase() === 'subject') this.subject = value;
    this.parts.push(headerBytes(name, value, this.env.protocol));
  }
  endOfHeaders() {
    this.parts.push(END_OF_HEADERS);
  }
  body(chunk: Buffer) {
    this.parts.push(Buffer.from(chunk));
  }
  async end(): Promise<readonly MilterReply[]> {
    const bytes = Buffer.concat(this.parts);
    seen.push({ env: this.env, bytes });
    if (this.subject.includes('REJECTME')) return [{ type: 'replycode', text: '550 5.7.1 executable-content: refused by the test (SOP 4.3) ref T1' }];
    if (this.subject.includes('HOLDME')) return [{ type: 'quarantine', reason: 'held by the test' }, { type: 'accept' }];
    const sha = createHash('sha256').update(bytes).digest('hex');
    return [{ type: 'addheader', name: 'X-Seen-Sha256', value: outgoingValue(sha, this.env.protocol) }, { type: 'accept' }];
  }
  abort() {}
}

let sink: Sink;
let milter: MilterServer;
let postfix: PostfixFixture;
let transport: Transporter;

beforeAll(async () => {
  sink = await startSink();
  milter = await listenMilter({
    listen: { host: '127.0.0.1', port: 0 },
    session: { actions: MILTER_ACTIONS, protocol: MILTER_PROTOCOL, macroLists: MILTER_MACROS },
    handler: () => ({ startMessage: (env) => new RebuildingFilter(env) }),
    maxConnections: 50,
    idleTimeoutMs: 60_000,
    logger: pino({ level: 'silent' }),
  });
  const port = (milter.address() as { port: number }).port;
  postfix = await startPostfix({ relayPort: sink.port, milter: `inet:127.0.0.1:${port}` });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: postfix.port, secure: false, ignoreTLS: true, pool: false });
});

afterAll(async () => {
  transport?.close();
  await postfix?.stop();
  await milter?.close(100);
  await sink?.close();
});

function raw(subject: string, body: string, extra: string[] = []): string {
  return [
    'From: Alex Turner <alex.turner@met.police.uk>',
    'To: sam@example.com',
    `Subject: ${subject}`,
    'X-NoSpace:value',
    'X-TwoSpaces:  two',
    'X-Folded: part one',
    '\tpart two',
    'Message-ID: <t1@met.police.uk>',
    'Date: Wed, 02 Dec 2026 10:00:00 +0000',
    ...extra,
    '',
    body,
  ].join('\r\n');
}

describe('milter protocol against a real Postfix', () => {
  it('rebuilds the message byte for byte as Postfix delivers it, and the added header arrives', async () => {
    const body = `${'a long line '.repeat(20)}\r\n.leading dot\r\n${'x'.repeat(70)}\r\n`.repeat(3000); // > 65,535 bytes: several B chunks
    const info = await transport.sendMail({ envelope: { from: 'alex.turner@met.police.uk', to: ['sam@example.com'] }, raw: raw('hello', body) });
    expect(info.response).toMatch(/^250 /);
    const [got] = await sink.waitFor(1);
    const delivered = got!.raw;
    // Postfix prepends its Received: line (which it never shows the milter) and appends our header.
    const text = delivered.toString('latin1');
    const added = /\r\nX-Seen-Sha256: ([0-9a-f]{64})\r\n/.exec(text);
    expect(added, 'the header the milter added').not.toBeNull();
    const withoutAdded = text.replace(/X-Seen-Sha256: [0-9a-f]{64}\r\n/, '');
    const withoutReceived = withoutAdded.replace(/^Received: [^]*?\r\n(?![ \t])/, '');
    const last = seen[seen.length - 1]!;
    expect(createHash('sha256').update(last.bytes).digest('hex')).toBe(added![1]);
    expect(last.bytes.toString('latin1')).toBe(withoutReceived);
    expect(last.env.mailFrom).toBe('alex.turner@met.police.uk');
    expect(last.env.rcptTo).toEqual(['sam@example.com']);
    expect(last.env.client?.address).toBe('127.0.0.1');
    expect(last.env.macro('i')).toMatch(/^[0-9A-F]{6,}$/);
    expect(last.env.macro('j')).toBe('mx.mailwarden.test');
    expect(String(info.response)).toContain(last.env.macro("i")!);
  });

  it('gives the client the reject text verbatim', async () => {
    const err = await transport.sendMail({ envelope: { from: 'alex.turner@met.police.uk', to: ['sam@example.com'] }, raw: raw('REJECTME', 'x\r\n') }).catch((e: unknown) => e);
    expect((err as { response?: string }).response).toBe('550 5.7.1 executable-content: refused by the test (SOP 4.3) ref T1');
    expect(await postfix.log()).toMatch(/milter-reject: END-OF-MESSAGE/);
  });

  it('puts a quarantined message on Postfix hold', async () => {
    const before = sink.messages.length;
    const info = await transport.sendMail({ envelope: { from: 'alex.turner@met.police.uk', to: ['sam@example.com'] }, raw: raw('HOLDME', 'x\r\n') });
    expect(info.response).toMatch(/^250 /);
    const queueId = /queued as ([0-9A-F]+)/.exec(String(info.response))![1]!;
    const deadline = Date.now() + 5000;
    let held = false;
    while (!held && Date.now() < deadline) {
      held = (await postfix.queue()).some((q) => q.queue_id === queueId && q.queue_name === 'hold');
      if (!held) await new Promise((r) => setTimeout(r, 100));
    }
    expect(held).toBe(true);
    expect(sink.messages.length).toBe(before);
  });

  it('several messages on one SMTP connection each get their own verdict', async () => {
    const pooled = nodemailer.createTransport({ host: '127.0.0.1', port: postfix.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: 10 });
    try {
      const subjects = ['one', 'REJECTME two', 'three'];
      const results = await Promise.all(
        subjects.map((s) => pooled.sendMail({ envelope: { from: 'a@met.police.uk', to: ['b@example.com'] }, raw: raw(s, `${s}\r\n`) }).then((i) => i.response as string, (e: { response?: string }) => e.response ?? "")),
      );
      expect(results[0]).toMatch(/^250 /);
      expect(results[1]).toMatch(/^550 5\.7\.1 /);
      expect(results[2]).toMatch(/^250 /);
    } finally {
      pooled.close();
    }
  });
});
