import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readHeaderBlock } from '../../src/message/header-block.js';
import { buildDsn, enhancedStatus } from '../../src/workers/dsn.js';
import { mimeParts } from './mime.js';

const sidecar = {
  id: '01jabcdefgkmnpqrstvw',
  receivedAt: '2025-03-04T10:00:00.000Z',
  envelope: { mailFrom: 'alice@example.gov.uk', rcptTo: ['bob@partner.example'] },
  size: 10,
  sha256: '',
  messageId: '<m1@example.gov.uk>',
  subject: 'Report',
  verdict: { decision: 'accept', personal: false, marking: null, encrypted: false, findings: [], policyVersion: 'p', monitorMode: false },
  addHeaders: [],
  state: 'queued',
  outcomes: [],
} as const;

describe('DSN', () => {
  it('reads only the header block, bounded, cut at a line end', async () => {
    const msg = 'Subject: a\r\nFrom: b\r\n\r\nsecret body\r\n';
    expect((await readHeaderBlock(Readable.from([Buffer.from(msg)]))).toString()).toBe('Subject: a\r\nFrom: b\r\n');
    const big = Buffer.from(`Subject: a\r\nX-Long: ${'y'.repeat(100_000)}\r\n\r\nbody`);
    expect((await readHeaderBlock(Readable.from([big]), 1024)).toString()).toBe('Subject: a\r\n');
    expect((await readHeaderBlock(Readable.from([Buffer.from('Subject: only')]))).toString()).toBe('Subject: only\r\n');
  });

  it('takes the enhanced status from the reply, else from its class', () => {
    expect(enhancedStatus({ rcpt: 'a', code: 550, response: '550 5.1.1 unknown' })).toBe('5.1.1');
    expect(enhancedStatus({ rcpt: 'a', code: 554, response: '554 go away' })).toBe('5.0.0');
    expect(enhancedStatus({ rcpt: 'a', code: 451, response: 'connect ECONNREFUSED' })).toBe('4.0.0');
  });

  it('builds a parseable multipart/report with one block per failed recipient and one-line diagnostics', async () => {
    const raw = buildDsn({
      sidecar,
      failed: [
        { rcpt: 'bob@partner.example', code: 550, response: '550-5.1.1 first line\r\n550 5.1.1 second line' },
        { rcpt: 'eve@partner.example', code: 552, response: '552 5.3.4 too big' },
      ],
      headerBlock: Buffer.from('Subject: Report\r\nFrom: alice@example.gov.uk\r\n'),
      reportingMta: 'mw.example',
      now: new Date('2025-03-05T10:00:00Z'),
    });
    const parts = await mimeParts(raw);
    expect(parts.map((p) => p.contentType)).toEqual(['multipart/report', 'text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    expect(parts[0]!.headers).toMatch(/^To: <alice@example\.gov\.uk>$/m);
    expect(parts[0]!.headers).toMatch(/^In-Reply-To: <m1@example\.gov\.uk>$/m);
    const status = parts[2]!.body;
    expect(status).toContain('Arrival-Date: Tue, 04 Mar 2025 10:00:00 +0000');
    expect(status).toMatch(/^Diagnostic-Code: smtp; 550-5\.1\.1 first line 550 5\.1\.1 second line$/m);
    expect(status).toMatch(/^Status: 5\.3\.4$/m);
    expect(status.match(/^Action: failed$/gm)).toHaveLength(2);
  });
});
