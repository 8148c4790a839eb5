import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/message/parse.js';
import { base64Lines, crlf, multipart, parse, parseOptions } from './parse-helpers.js';

/**
 * Generous bounds: these machines are shared (load averages of 10 on 2 cores happen), and the
 * point is "seconds, not minutes or a hang"; unloaded, each case takes a fraction of its bound.
 */
const FAST_MS = 5_000;
const SLOW_MS = 15_000;

/** Runs the parse and returns the result with the time it took. */
async function timed(data: Buffer | string, inspection = {}): Promise<{ ms: number; msg: Awaited<ReturnType<typeof parse>> }> {
  const start = performance.now();
  const msg = await parse(data, inspection, 64 * 1024);
  return { ms: performance.now() - start, msg };
}

function nested(depth: number): string {
  let body = crlf('Content-Type: text/plain', '', 'bottom');
  for (let d = depth; d > 0; d--) body = crlf(`Content-Type: multipart/mixed; boundary="n${d}"`, '', `--n${d}`) + body + crlf(`--n${d}--`);
  return 'Subject: deep\r\n' + body;
}

describe('parseMessage: hostile input', () => {
  it('ends 200-deep nesting as a parse-limit, fast', async () => {
    const { ms, msg } = await timed(nested(200));
    expect(msg.anomalies).toContainEqual({ kind: 'parse-limit', detail: 'MIME nesting deeper than 50 levels' });
    expect(msg.subject).toBe('deep');
    expect(ms).toBeLessThan(FAST_MS);
    // Just inside the limit, the same shape parses cleanly.
    const ok = await timed(nested(49));
    expect(ok.msg.anomalies).toEqual([]);
    expect(ok.msg.bodyText).toBe('bottom');
  });

  it('ends a 200-deep chain of attached messages as a parse-limit', async () => {
    let raw = crlf('Subject: bottom', '', 'x');
    for (let i = 0; i < 200; i++) raw = crlf(`Subject: level ${i}`, 'Content-Type: message/rfc822', '') + raw;
    const { ms, msg } = await timed(raw);
    expect(msg.anomalies).toContainEqual({ kind: 'parse-limit', detail: 'MIME nesting deeper than 50 levels' });
    expect(msg.subject).toBe('level 199');
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('strips hostile HTML in linear time', async () => {
    const { ms, msg } = await timed(crlf('Content-Type: text/html', '', '<a title="'.repeat(200_000) + '<p x\'>' + '<!--'.repeat(200_000)));
    expect(msg.bodyText).toBe('');
    expect(ms).toBeLessThan(SLOW_MS);
  });

  it('stops at maxParts with 3,000 parts, keeps what came before, and drains the rest', async () => {
    const parts = Array.from({ length: 3000 }, (_, i) => ({ headers: ['Content-Type: application/octet-stream', `Content-Disposition: attachment; filename="f${i}.bin"`], body: `data ${i}` }));
    const raw = Buffer.from(crlf('Subject: many', 'Content-Type: multipart/mixed; boundary="m"', '') + multipart('m', parts));
    const { ms, msg } = await timed(raw);
    expect(msg.anomalies).toContainEqual({ kind: 'parse-limit', detail: 'more than 1000 MIME parts' });
    expect(msg.attachments).toHaveLength(999);
    expect(msg.attachments[998]?.name).toBe('f998.bin');
    expect(msg.size).toBe(raw.length);
    expect(ms).toBeLessThan(SLOW_MS);
  });

  it('bounds a 200 KB header line', async () => {
    const { ms, msg } = await timed(crlf('Subject: ' + 'A'.repeat(200 * 1024), 'To: ' + Array.from({ length: 8000 }, (_, i) => `u${i}@example.org`).join(', '), '', 'body'));
    expect(msg.subject.length).toBe(64 * 1024);
    expect(msg.anomalies).toContainEqual({ kind: 'parse-limit', detail: "message: header field 'subject' longer than 65536 characters was truncated" });
    // Addresses are read from the whole value, so a long recipient list is still counted.
    expect(msg.to).toHaveLength(8000);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('handles an 8 MB line in a body and in a header', async () => {
    const body = await timed(crlf('Subject: long', 'Content-Type: text/plain', '', 'x'.repeat(8 * 1024 * 1024)));
    expect(body.msg.bodyText.length).toBe(1024 * 1024);
    expect(body.ms).toBeLessThan(SLOW_MS);

    const b64 = randomBytes(6 * 1024 * 1024);
    const attachment = await timed(
      crlf('Content-Type: multipart/mixed; boundary="q"', '') +
        multipart('q', [{ headers: ['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64'], body: b64.toString('base64') }]),
    );
    expect(attachment.msg.attachments[0]?.size).toBe(b64.length);
    expect(attachment.ms).toBeLessThan(SLOW_MS);

    const header = await timed(crlf('Subject: ' + 'y'.repeat(8 * 1024 * 1024), '', 'body'));
    expect(header.msg.anomalies.map((a) => a.kind)).toEqual(['parse-limit']);
    expect(header.msg.anomalies[0]?.detail).toMatch(/header/i);
    expect(header.ms).toBeLessThan(SLOW_MS);
  });

  it('turns garbage bytes into a malformed anomaly', async () => {
    const garbage = randomBytes(2 * 1024 * 1024);
    const { ms, msg } = await timed(garbage);
    expect(msg.anomalies.length).toBeGreaterThan(0);
    expect(msg.anomalies.every((a) => a.kind === 'malformed' || a.kind === 'parse-limit' || a.kind === 'decode-error')).toBe(true);
    expect(msg.size).toBe(garbage.length);
    expect(ms).toBeLessThan(SLOW_MS);
    const lines = await timed(crlf('\u0001\u0002 no colon here', 'neither here', '', 'body'));
    expect(lines.msg.anomalies).toEqual([{ kind: 'malformed', detail: 'message: 2 line(s) in the header block are not header fields' }]);
  });

  it('reports truncated MIME (no closing boundary) as malformed and keeps the parts it saw', async () => {
    const msg = await parse(
      crlf('Subject: cut', 'Content-Type: multipart/mixed; boundary="t"', '') +
        multipart('t', [
          { headers: ['Content-Type: text/plain'], body: 'hello' },
          { headers: ['Content-Type: application/pdf', 'Content-Transfer-Encoding: base64'], body: base64Lines(Buffer.from('%PDF-1.4 cut short')) },
        ], true),
    );
    expect(msg.anomalies).toEqual([{ kind: 'malformed', detail: 'message: multipart/mixed has no closing boundary (truncated?)' }]);
    expect(msg.bodyText).toBe('hello');
    expect(msg.attachments.map((a) => a.id)).toEqual(['2']);
    const noBoundary = await parse(crlf('Content-Type: multipart/mixed', '', 'text'));
    expect(noBoundary.anomalies).toEqual([{ kind: 'malformed', detail: 'message: multipart/mixed without a boundary' }]);
    const neverStarts = await parse(crlf('Content-Type: multipart/mixed; boundary="zz"', '', 'no parts here'));
    expect(neverStarts.anomalies).toEqual([{ kind: 'malformed', detail: 'message: multipart/mixed never reaches its first boundary' }]);
  });

  it('honours maxHeaderBytes from the policy', async () => {
    const msg = await parse(crlf('Subject: x', 'X-Pad: ' + 'p'.repeat(5000), '', 'body'), { maxHeaderBytes: 4096 });
    expect(msg.anomalies.map((a) => a.kind)).toEqual(['parse-limit']);
  });

  it('rejects with the abort reason, even while the source is still sending', async () => {
    const controller = new AbortController();
    const source = new Readable({ read() {} });
    source.push(crlf('Subject: slow', 'Content-Type: text/plain', '', 'first line'));
    const parsing = parseMessage(source, parseOptions({}, controller.signal));
    const reason = new Error('inspection timed out');
    setTimeout(() => controller.abort(reason), 20);
    await expect(parsing).rejects.toBe(reason);
    // The source is still drained, so the sender is not blocked.
    source.push(Buffer.alloc(1024 * 1024, 0x61));
    source.push(null);
    await new Promise((r) => source.once('end', r));
    expect(source.readableEnded).toBe(true);

    const already = new AbortController();
    already.abort(new Error('too late'));
    await expect(parseMessage(Readable.from([Buffer.from('Subject: x\r\n\r\n')]), parseOptions({}, already.signal))).rejects.toThrow('too late');
  });

  it('rejects with the source error when reading the message fails', async () => {
    const source = new Readable({ read() {} });
    source.push(crlf('Subject: broken pipe', '', 'partial'));
    setTimeout(() => source.destroy(new Error('client went away')), 10);
    await expect(parseMessage(source, parseOptions())).rejects.toThrow('client went away');
  });
});
