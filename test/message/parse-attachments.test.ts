import { createHash, randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { markingsInSubject } from '../../src/message/markings.js';
import { base64Lines, crlf, multipart, parse, parseOptions } from './parse-helpers.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000)]);
const binary = randomBytes(10_000);

function mixedMessage(): string {
  return (
    crlf('From: a@example.org', 'To: b@example.org', 'Subject: files', 'Content-Type: multipart/mixed; boundary="outer"', '') +
    multipart('outer', [
      {
        headers: ['Content-Type: multipart/alternative; boundary="inner"'],
        body: multipart('inner', [
          { headers: ['Content-Type: text/plain'], body: 'See attached.' },
          { headers: ['Content-Type: text/html'], body: '<p>See attached.</p>' },
        ]),
      },
      {
        headers: ['Content-Type: application/pdf; name="ignored.pdf"', "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9%202024.pdf", 'Content-Transfer-Encoding: base64'],
        body: base64Lines(pdf),
      },
      {
        headers: [
          'Content-Type: application/octet-stream',
          "Content-Disposition: attachment; filename*0*=iso-8859-1''Gr%FC%DFe; filename*1=\" und\"; filename*2*=%20Bericht.bin",
          'Content-Transfer-Encoding: base64',
        ],
        body: base64Lines(binary),
      },
      { headers: ['Content-Type: text/csv', 'Content-Disposition: attachment; filename="=?utf-8?B?w7xiZXJzaWNodC5jc3Y=?="'], body: 'name,rank\r\nAlex,PC' },
      { headers: ['Content-Type: text/plain; name="notes.txt"', 'Content-Transfer-Encoding: quoted-printable'], body: 'caf=C3=A9 notes' },
      { headers: ['Content-Type: image/png', 'Content-ID: <logo@example.org>', 'Content-Disposition: inline'], body: 'not really a png' },
    ])
  );
}

describe('parseMessage: attachments', () => {
  it('lists every non-body leaf with name, type, disposition, Content-ID, size and sha256', async () => {
    const msg = await parse(mixedMessage());
    expect(msg.bodyText).toBe('See attached.');
    expect(msg.attachments.map((a) => a.id)).toEqual(['2', '3', '4', '5', '6']);
    const [resume, bin, list, notes, logo] = msg.attachments;
    expect(resume).toMatchObject({ name: 'Résumé 2024.pdf', rawName: null, declaredType: 'application/pdf', disposition: 'attachment', origin: 'part', depth: 0 });
    expect(resume?.size).toBe(pdf.length);
    expect(resume?.sha256).toBe(sha256(pdf));
    expect(resume?.location).toEqual(['Résumé 2024.pdf']);
    expect(bin).toMatchObject({ name: 'Grüße und Bericht.bin', size: binary.length, sha256: sha256(binary) });
    expect(list).toMatchObject({ name: 'übersicht.csv', declaredType: 'text/csv', size: 18, sha256: sha256(Buffer.from('name,rank\r\nAlex,PC')) });
    expect(notes).toMatchObject({ name: 'notes.txt', disposition: null, sha256: sha256(Buffer.from('café notes')) });
    expect(logo).toMatchObject({ name: null, contentId: 'logo@example.org', disposition: 'inline', declaredType: 'image/png', location: ['part 6'] });
    for (const a of msg.attachments) {
      expect(a.unscannable).toBeNull();
      expect(typeof a.detected.family).toBe('string');
    }
    expect(msg.anomalies).toEqual([]);
  });

  it('gives the same result whatever the chunk boundaries of the input', async () => {
    const raw = mixedMessage();
    const whole = await parse(raw, {}, 1 << 20);
    for (const size of [3, 7, 77, 1000]) {
      const cut = await parse(raw, {}, size);
      expect(cut.attachments.map((a) => [a.id, a.name, a.size, a.sha256])).toEqual(whole.attachments.map((a) => [a.id, a.name, a.size, a.sha256]));
      expect(cut.bodyText).toBe(whole.bodyText);
      expect(cut.sha256).toBe(whole.sha256);
    }
  });

  it('hashes and counts the raw input bytes', async () => {
    const raw = Buffer.from(mixedMessage());
    const msg = await parse(raw);
    expect(msg.size).toBe(raw.length);
    expect(msg.sha256).toBe(sha256(raw));
  });

  it('strips bidi controls from an RTLO name and keeps the declared one', async () => {
    const msg = await parse(
      crlf('Content-Type: multipart/mixed; boundary="b"', '') +
        multipart('b', [
          { headers: ['Content-Type: text/plain'], body: 'hi' },
          { headers: ['Content-Type: application/octet-stream', "Content-Disposition: attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe"], body: 'MZ' },
        ]),
    );
    const [item] = msg.attachments;
    expect(item?.name).toBe('invoicefdp.exe');
    expect(item?.rawName).toBe('invoice\u202Efdp.exe');
    expect(item?.nameTricks).toContain('bidi-control');
  });

  it('records bad base64 as a decode-error and the part as unscannable', async () => {
    const msg = await parse(
      crlf('Content-Type: multipart/mixed; boundary="b"', '') +
        multipart('b', [
          { headers: ['Content-Type: text/plain'], body: 'hi' },
          { headers: ['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64'], body: 'TVqQ!!AAMAAAAE\r\nAAA*' },
        ]),
    );
    expect(msg.anomalies).toContainEqual({ kind: 'decode-error', detail: 'part 2: invalid base64 (3 characters outside the alphabet)' });
    expect(msg.attachments[0]?.unscannable).toMatch(/invalid base64/);
  });

  it('treats an unknown transfer encoding as undecodable', async () => {
    const msg = await parse(crlf('Content-Type: multipart/mixed; boundary="b"', '') + multipart('b', [{ headers: ['Content-Type: application/zip', 'Content-Transfer-Encoding: x-uuencode'], body: 'begin 644 a.zip' }]));
    expect(msg.attachments[0]?.unscannable).toBe("unknown transfer encoding 'x-uuencode'");
    expect(msg.anomalies.map((a) => a.kind)).toEqual(['decode-error']);
  });

  it('opens attached messages (plain and base64) like the outer one', async () => {
    const innerMost = crlf('From: deep@example.org', 'Subject: RESTRICTED: deepest', '', 'deep body');
    const inner =
      crlf('From: Inner Sender <inner@Example.org>', 'Subject: inner subject', 'Content-Type: multipart/mixed; boundary="in"', '') +
      multipart('in', [
        { headers: ['Content-Type: text/plain'], body: 'inner body' },
        { headers: ['Content-Type: application/pdf', 'Content-Disposition: attachment; filename="inner.pdf"', 'Content-Transfer-Encoding: base64'], body: base64Lines(pdf) },
        { headers: ['Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="fwd.eml"', 'Content-Transfer-Encoding: base64'], body: base64Lines(Buffer.from(innerMost)) },
      ]);
    const msg = await parse(
      crlf('Subject: outer', 'Content-Type: multipart/mixed; boundary="out"', '') +
        multipart('out', [
          { headers: ['Content-Type: text/plain'], body: 'outer body' },
          { headers: ['Content-Type: application/octet-stream', 'Content-Disposition: attachment; filename="a.bin"'], body: 'abc' },
          { headers: ['Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="inner.eml"'], body: inner },
        ]),
    );
    expect(msg.bodyText).toBe('outer body');
    expect(msg.attachments.map((a) => [a.id, a.depth, a.declaredType])).toEqual([
      ['2', 0, 'application/octet-stream'],
      ['3', 0, 'message/rfc822'],
      ['3.2', 1, 'application/pdf'],
      ['3.3', 1, 'message/rfc822'],
    ]);
    const pdfPart = msg.attachments.find((a) => a.id === '3.2');
    expect(pdfPart?.sha256).toBe(sha256(pdf));
    expect(pdfPart?.location).toEqual(['inner.eml', 'inner.pdf']);
    expect(msg.attachments.find((a) => a.id === '3')?.detected.family).toBe('message');
    expect(msg.attachments.find((a) => a.id === '3.3')?.sha256).toBe(sha256(Buffer.from(innerMost)));
    expect(msg.attachedMessages).toEqual([
      { id: '3', subject: 'inner subject', from: [{ name: 'Inner Sender', address: 'inner@example.org' }], encryption: null },
      { id: '3.3', subject: 'RESTRICTED: deepest', from: [{ name: '', address: 'deep@example.org' }], encryption: null },
    ]);
    // Markings of attached messages count, with their source naming each attached message by its file name.
    const expected = markingsInSubject('RESTRICTED: deepest', parseOptions().markings).map((h) => ({ ...h, source: `attached-message:inner.eml:attached-message:fwd.eml:${h.source}` }));
    for (const hit of expected) expect(msg.markings).toContainEqual(hit);
    expect(msg.anomalies).toEqual([]);
  });

  describe('large parts', () => {
    let dir = '';
    afterEach(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = '';
    });

    it('spills a part over memoryPartBytes to a temp file that is gone afterwards', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mw-parse-test-'));
      const big = randomBytes(300_000);
      const created: string[] = [];
      const watcher = watch(dir, (_event, name) => name && created.push(String(name)));
      try {
        const msg = await parse(
          crlf('Content-Type: multipart/mixed; boundary="b"', '') +
            multipart('b', [
              { headers: ['Content-Type: text/plain'], body: 'big one' },
              { headers: ['Content-Type: application/octet-stream', 'Content-Disposition: attachment; filename="big.bin"', 'Content-Transfer-Encoding: base64'], body: base64Lines(big) },
            ]),
          { memoryPartBytes: 64 * 1024, tempDir: dir },
        );
        await new Promise((r) => setTimeout(r, 50));
        expect(msg.attachments[0]).toMatchObject({ size: big.length, sha256: sha256(big), unscannable: null });
        expect(created.some((n) => n.startsWith('mailwarden-'))).toBe(true);
        expect(await readdir(dir)).toEqual([]);
      } finally {
        watcher.close();
      }
    });

    it('counts a part past the temp quota as unscannable, still hashed', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mw-parse-test-'));
      const big = randomBytes(200_000);
      const msg = await parse(
        crlf('Content-Type: multipart/mixed; boundary="b"', '') +
          multipart('b', [{ headers: ['Content-Type: application/zip', 'Content-Transfer-Encoding: base64'], body: base64Lines(big) }]),
        { memoryPartBytes: 10_000, tempQuotaBytes: 50_000, tempDir: dir },
      );
      expect(msg.attachments[0]).toMatchObject({ size: big.length, sha256: sha256(big), unscannable: 'temporary space quota of 50000 bytes exceeded' });
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
