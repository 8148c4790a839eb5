import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deliveryBytes, DeliveryStream } from '../../src/workers/delivery-stream.js';

async function run(input: Buffer, addHeaders: string[], chunkSize: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) chunks.push(input.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(new DeliveryStream(addHeaders))) out.push(c as Buffer);
  return Buffer.concat(out);
}

const original = Buffer.from(
  [
    'From: Alice <alice@example.gov.uk>',
    'X-Mailwarden-Decision: accept',
    'To: bob@partner.example',
    'x-mailwarden-findings: forged,',
    '\tcontinued forged line',
    ' and another',
    'Subject: Hello',
    '  folded subject line',
    'X-MAILWARDEN-ID: 123',
    'X-Mailwarden: not ours (no dash)',
    '',
    'Body line 1',
    'X-Mailwarden-Decision: in the body stays',
    '',
  ].join('\r\n'),
);

const expected = Buffer.from(
  [
    'Received: from ws1 by mailwarden',
    'X-Mailwarden-Decision: accept',
    'From: Alice <alice@example.gov.uk>',
    'To: bob@partner.example',
    'Subject: Hello',
    '  folded subject line',
    'X-Mailwarden: not ours (no dash)',
    '',
    'Body line 1',
    'X-Mailwarden-Decision: in the body stays',
    '',
  ].join('\r\n'),
);

describe('DeliveryStream', () => {
  it('prepends our headers and drops forged X-Mailwarden-* fields with their continuations, at every chunk size', async () => {
    for (const size of [1, 2, 3, 5, 7, 13, 14, 64, 4096]) {
      const out = await run(original, ['Received: from ws1 by mailwarden', 'X-Mailwarden-Decision: accept'], size);
      expect(out.toString('latin1'), `chunk size ${size}`).toBe(expected.toString('latin1'));
    }
  });

  it('passes the body through untouched, binary included', async () => {
    const body = Buffer.alloc(300_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const input = Buffer.concat([Buffer.from('Subject: x\r\nX-Mailwarden-Id: f\r\n\r\n'), body]);
    const out = await run(input, ['X-Mailwarden-Id: real'], 65_536);
    expect(out.equals(Buffer.concat([Buffer.from('X-Mailwarden-Id: real\r\nSubject: x\r\n\r\n'), body]))).toBe(true);
  });

  it('handles a header-only message without a final newline, and an empty one', async () => {
    expect((await run(Buffer.from('Subject: a\r\nX-Mailwarden-Id: 1'), ['A: b'], 4)).toString()).toBe('A: b\r\nSubject: a\r\n');
    expect((await run(Buffer.from('Subj'), ['A: b'], 2)).toString()).toBe('A: b\r\nSubj');
    expect((await run(Buffer.alloc(0), ['A: b'], 1)).toString()).toBe('A: b\r\n');
  });

  it('keeps memory bounded on a huge header line (streams it, decides from its start)', async () => {
    const long = 'X-Other: ' + 'a'.repeat(2_000_000);
    const input = Buffer.from(`${long}\r\nX-Mailwarden-Id: ${'b'.repeat(100_000)}\r\n\r\nbody`);
    const out = await run(input, [], 8192);
    expect(out.toString()).toBe(`${long}\r\n\r\nbody`);
  });

  it('deliveryBytes (the whole-buffer path for small messages) gives the same bytes as the stream', async () => {
    const headers = ['Received: from ws1 by mailwarden', 'X-Mailwarden-Decision: accept'];
    expect(deliveryBytes(headers, original).toString('latin1')).toBe(expected.toString('latin1'));
    for (const input of [Buffer.from('Subject: a\r\nX-Mailwarden-Id: 1'), Buffer.from('Subj'), Buffer.alloc(0)]) {
      expect(deliveryBytes(['A: b'], input).equals(await run(input, ['A: b'], 3))).toBe(true);
    }
  });
});
