/**
 * Hostile input for the leaf parsers (issue 8, "Speed and memory"): the active-content scanner, data: URIs,
 * uuencode and yEnc, hidden messages. Each ends in a finding in seconds, never a hang or a crash.
 */
import { describe, expect, it } from 'vitest';
import { peExe } from '../helpers/files.js';
import { base64Lines, crlf, multipart, parse } from './parse-helpers.js';

/** Generous: the machines are shared; unloaded each case takes a fraction of this. */
const BOUND_MS = 15_000;

const HEAD = ['From: a@met.police.uk', 'To: b@met.police.uk', 'Subject: hostile', 'MIME-Version: 1.0'];

function htmlBody(html: string): string {
  return crlf(...HEAD, 'Content-Type: multipart/mixed; boundary="h"', '') + multipart('h', [{ headers: ['Content-Type: text/html; charset=us-ascii', 'Content-Transfer-Encoding: 7bit'], body: html }]);
}

async function timed(raw: string | Buffer): Promise<{ ms: number; msg: Awaited<ReturnType<typeof parse>> }> {
  const start = performance.now();
  const msg = await parse(raw, {}, 64 * 1024);
  return { ms: performance.now() - start, msg };
}

/** 76-character lines, as a mailer folds a long HTML attribute. */
const folded = (s: string): string => (s.match(/.{1,76}/g) ?? []).join('\r\n');

describe('leaf parsers: hostile input', () => {
  it('ends a 20 MB data: URI in an HTML body in an unscannable finding, fast', async () => {
    const payload = Buffer.alloc(15 * 1024 * 1024, 0x41).toString('base64');
    const { ms, msg } = await timed(htmlBody(folded(`<a href="data:application/octet-stream;base64,${payload}">x</a>`)));
    const html = msg.attachments.find((a) => a.declaredType === 'text/html');
    expect(html?.unscannable).toMatch(/not fully scanned/);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('ends 10,000 data: URIs with a count limit, and skips 10,000 data: images cheaply', async () => {
    const files = Array.from({ length: 10_000 }, (_, i) => `<a href="data:text/plain,file%20${i}">${i}</a>`).join('\r\n');
    const first = await timed(htmlBody(files));
    expect(first.msg.attachments[0]?.unscannable).toMatch(/more than 50 files in data: URIs/);
    expect(first.msg.attachments.filter((a) => a.origin === 'member')).toHaveLength(50);
    expect(first.ms).toBeLessThan(BOUND_MS);
    const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=', 'base64').toString('base64');
    const images = Array.from({ length: 10_000 }, () => `<img src="data:image/gif;base64,${gif}">`).join('\r\n');
    const second = await timed(htmlBody(images));
    expect(second.msg.attachments).toEqual([]);
    expect(second.ms).toBeLessThan(BOUND_MS);
  });

  it('reads deeply entity-encoded HTML in one pass: 1 MB of blanks before the scheme, &amp; nested a million deep', async () => {
    const blanks = '&#x09;'.repeat(180_000);
    const deep = `${'&amp;'.repeat(1_000_000)}colon;`;
    // one long line: a line break inside a character reference would spoil it for the browser too
    const { ms, msg } = await timed(htmlBody(`<p title="${deep}">x</p><a href="${blanks}jav&#x61;script&colon;alert(1)">y</a>`));
    expect(msg.attachments[0]?.detected.family).toBe('executable');
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('ends an HTML part of 20 MB (unclosed tags and quotes) in a finding', async () => {
    const html = `<div class="${'x'.repeat(1000)}\r\n`.repeat(20 * 1024);
    const { ms, msg } = await timed(htmlBody(html));
    expect(msg.attachments[0]?.unscannable).toMatch(/markup over/);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('never trusts a yEnc size or a uuencode length: output is bounded by the text', async () => {
    const huge = `=ybegin line=128 size=999999999999999 name=big.bin\r\n${'kkkk'.repeat(30)}\r\n=yend size=999999999999999`;
    const uuLines = Array.from({ length: 200_000 }, () => `M${'!'.repeat(60)}`).join('\r\n');
    const body = `${huge}\r\n\r\nbegin 644 many.bin\r\n${uuLines}\r\n\`\r\nend\r\n`;
    const raw = crlf(...HEAD, 'Content-Type: multipart/mixed; boundary="u"', '') + multipart('u', [{ headers: ['Content-Type: text/plain'], body }]);
    const { ms, msg } = await timed(raw);
    const big = msg.attachments.find((a) => a.name === 'big.bin');
    expect(big?.size).toBe(120);
    // 12 MB of text: the first 8 MB are decoded, and the rest is said to be unscanned
    expect(msg.attachments.find((a) => a.name === 'many.bin')?.size).toBeLessThan(200_000 * 45);
    expect(msg.attachments.find((a) => a.declaredType === 'text/plain')?.unscannable).toMatch(/not fully scanned for uuencoded/);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('ends .eml attachments nested 12 deep (each sent as octet-stream) at the depth limit', async () => {
    let inner = crlf('From: x@example.org', 'To: y@example.org', 'Subject: bottom', 'Message-ID: <b@x>', 'MIME-Version: 1.0', 'Content-Type: application/octet-stream; name="tool.exe"', 'Content-Transfer-Encoding: base64', '', base64Lines(peExe()));
    for (let d = 0; d < 12; d++) {
      inner =
        crlf('From: x@example.org', 'To: y@example.org', `Subject: level ${d}`, `Message-ID: <l${d}@x>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"', '') +
        multipart('m', [{ headers: ['Content-Type: application/octet-stream; name="fwd.eml"', 'Content-Transfer-Encoding: base64'], body: base64Lines(Buffer.from(inner)) }]);
    }
    const { ms, msg } = await timed(inner);
    expect(msg.attachments.some((a) => /nested too deep/.test(a.unscannable ?? ''))).toBe(true);
    expect(ms).toBeLessThan(BOUND_MS);
  });
});
