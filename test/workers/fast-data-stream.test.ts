/**
 * The faster DataStream transform must behave exactly like nodemailer's own: same bytes out for
 * the same bytes in, however the input is chunked, and the same byte counters. And it must be in
 * place: if a nodemailer upgrade changes DataStream, the patch stands down and this test says so.
 */
import { PassThrough } from 'node:stream';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { fastDataStream, fastTransform } from '../../src/workers/fast-data-stream.js';
import '../../src/workers/upstream.js';

type Transform = NonNullable<typeof fastDataStream.original>;

/** Runs `transform` as a DataStream would over `parts`: the output and the two counters. */
function run(transform: Transform, parts: readonly Buffer[]): { out: Buffer; inBytes: number; outBytes: number } {
  const pushed: Buffer[] = [];
  const state = { inByteCount: 0, outByteCount: 0, lastByte: false as number | false, push: (b: Buffer) => pushed.push(b) > 0 };
  for (const part of parts) transform.call(state, part, 'latin1', (err) => expect(err ?? null).toBeNull());
  return { out: Buffer.concat(pushed), inBytes: state.inByteCount, outBytes: state.outByteCount };
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

describe('fast DataStream transform', () => {
  it('is installed on both nodemailer builds', () => {
    expect(fastDataStream.reason).toBeNull();
    expect(fastDataStream.installed).toBe(true);
    expect(fastDataStream.classes).toHaveLength(2);
    for (const cls of fastDataStream.classes) expect(cls.prototype._transform).toBe(fastTransform);
    expect(fastDataStream.original).not.toBe(fastTransform);
  });

  it('gives the same bytes and counters as nodemailer on random input in random chunks', () => {
    const original = fastDataStream.original!;
    const rnd = random(20261123);
    // The bytes the rules care about, and two that they do not.
    const alphabet = [0x0d, 0x0a, 0x2e, 0x41, 0x20];
    for (let t = 0; t < 20_000; t++) {
      const bytes = Buffer.from(Array.from({ length: rnd(48) }, () => alphabet[rnd(alphabet.length)]!));
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; ) {
        const n = 1 + rnd(9);
        parts.push(bytes.subarray(i, i + n));
        i += n;
      }
      const want = run(original, parts);
      const got = run(fastTransform, parts);
      if (!got.out.equals(want.out)) {
        expect.fail(`input ${JSON.stringify(bytes.toString('latin1'))} in ${parts.length} parts: ${JSON.stringify(got.out.toString('latin1'))}, nodemailer ${JSON.stringify(want.out.toString('latin1'))}`);
      }
      expect([got.inBytes, got.outBytes]).toEqual([want.inBytes, want.outBytes]);
    }
  });

  it('gives the same bytes on mail-shaped input: long lines, dots, bare line ends, strings', () => {
    const original = fastDataStream.original!;
    const body = Buffer.from(
      ['.starts with a dot', 'plain line', '', '..two dots', 'bare\rcr', 'bare\nlf', '.', 'x'.repeat(5000), '\r.\r', 'end.'].join('\r\n'),
    );
    for (const size of [1, 2, 3, 7, 64, 1000, body.length]) {
      const parts: Buffer[] = [];
      for (let i = 0; i < body.length; i += size) parts.push(body.subarray(i, i + size));
      expect(run(fastTransform, parts).out.equals(run(original, parts).out)).toBe(true);
    }
    // nodemailer accepts strings too
    expect(run(fastTransform, ['.a\nb' as unknown as Buffer]).out.toString()).toBe('..a\r\nb');
  });

  it('is what a real send uses: dots and bare line ends arrive as SMTP requires', async () => {
    const received: Buffer[] = [];
    const sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((ok) => sink.listen(0, '127.0.0.1', ok));
    const port = (sink.server.address() as { port: number }).port;
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
      const raw = new PassThrough();
      const sent = transport.sendMail({ envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw });
      raw.write('Subject: dots\r\n\r\n.first\r\nmid');
      raw.write('dle\n.after bare lf\r\n.');
      raw.end('\r\nlast\r\n');
      await sent;
      transport.close();
    } finally {
      await new Promise<void>((ok) => sink.close(() => ok()));
    }
    // The sink removes the stuffing; bare LF became CRLF on the way.
    expect(received.map((b) => b.toString('latin1'))).toEqual(['Subject: dots\r\n\r\n.first\r\nmiddle\r\n.after bare lf\r\n.\r\nlast\r\n']);
  });
});
