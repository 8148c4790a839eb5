import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { armour as pgpArmour, cmsDetachedSignature, cmsEnveloped, pgpEncrypted, pgpPacket } from '../../scripts/fixture-lib/crypto.js';
import { base64Lines, crlf, multipart, parse } from './parse-helpers.js';

/** A structurally real CMS ContentInfo (BER indefinite lengths for enveloped data, as streaming encoders write). */
function cms(kind: 'enveloped' | 'signed' | 'auth-enveloped'): Buffer {
  const seed = randomBytes(8).toString('hex');
  return kind === 'signed' ? cmsDetachedSignature(seed) : cmsEnveloped(seed, { kind, streamed: true, size: 600 });
}

/** BER element: tag, then a definite length, or indefinite (0x80 ... 00 00) when asked. */
function tlv(tag: number, content: Buffer, indefinite = false): Buffer {
  if (indefinite) return Buffer.concat([Buffer.from([tag, 0x80]), content, Buffer.from([0, 0])]);
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}
const oid = (...bytes: number[]): Buffer => tlv(0x06, Buffer.from(bytes));
const PKCS7 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];

/** CMS SignedData carrying `entity` as id-data; `streamed` = BER indefinite lengths and a chunked OCTET STRING, as openssl -stream writes. */
function signedData(entity: Buffer, streamed: boolean): Buffer {
  const chunks = streamed
    ? tlv(0x24, Buffer.concat([tlv(0x04, entity.subarray(0, 10)), tlv(0x04, entity.subarray(10))]), true)
    : tlv(0x04, entity);
  const encap = tlv(0x30, Buffer.concat([oid(...PKCS7, 0x01), tlv(0xa0, chunks, streamed)]), streamed);
  const digestAlgorithms = tlv(0x31, tlv(0x30, oid(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01)));
  const body = tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), digestAlgorithms, encap, tlv(0x31, Buffer.alloc(0))]), streamed);
  return tlv(0x30, Buffer.concat([oid(...PKCS7, 0x02), tlv(0xa0, body, streamed)]), streamed);
}

/** PGP armour: encrypted packets for a MESSAGE, a signature packet for a SIGNATURE. */
const armour = (what: 'MESSAGE' | 'SIGNATURE'): string =>
  crlf(...pgpArmour(what === 'MESSAGE' ? pgpEncrypted(randomBytes(8).toString('hex'), 300) : pgpPacket(2, randomBytes(300)), what, ['Version: GnuPG v2']).trimEnd().split('\n'));

const smimeHeaders = (type: string): string[] => [`Content-Type: ${type}`, 'Content-Disposition: attachment; filename="smime.p7m"', 'Content-Transfer-Encoding: base64'];

describe('parseMessage: encryption', () => {
  it('recognises a top-level S/MIME enveloped message and lists no attachment for its payload', async () => {
    for (const type of ['application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"', 'application/x-pkcs7-mime; name=smime.p7m']) {
      const msg = await parse(crlf('Subject: RESTRICTED: encrypted', ...smimeHeaders(type), '', base64Lines(cms('enveloped'))));
      expect(msg.encryption).toBe('smime');
      expect(msg.attachments).toEqual([]);
      expect(msg.subject).toBe('RESTRICTED: encrypted');
      expect(msg.anomalies).toEqual([]);
    }
    const auth = await parse(crlf(...smimeHeaders('application/pkcs7-mime; smime-type=authEnveloped-data'), '', base64Lines(cms('auth-enveloped'))));
    expect(auth.encryption).toBe('smime');
  });

  it('recognises smime.p7m as the only part of a multipart', async () => {
    const msg = await parse(crlf('Content-Type: multipart/mixed; boundary="b"', '') + multipart('b', [{ headers: smimeHeaders('application/octet-stream'), body: base64Lines(cms('enveloped')) }]));
    expect(msg.encryption).toBe('smime');
    expect(msg.attachments).toEqual([]);
  });

  it('treats an encrypted attachment beside a readable body as unscannable, not as message encryption', async () => {
    const msg = await parse(
      crlf('Content-Type: multipart/mixed; boundary="b"', '') +
        multipart('b', [
          { headers: ['Content-Type: text/plain'], body: 'readable' },
          { headers: smimeHeaders('application/pkcs7-mime; smime-type=enveloped-data'), body: base64Lines(cms('enveloped')) },
        ]),
    );
    expect(msg.encryption).toBeNull();
    expect(msg.attachments[0]).toMatchObject({ unscannable: 'encrypted (S/MIME enveloped-data)', detected: { family: 'encrypted', encrypted: true } });
  });

  it('does not believe an S/MIME label on content that is not CMS', async () => {
    const msg = await parse(crlf('Subject: x', ...smimeHeaders('application/pkcs7-mime; smime-type=enveloped-data'), '', base64Lines(Buffer.from('MZ\x90\x00 not cms at all'))));
    expect(msg.encryption).toBeNull();
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]?.unscannable).toBe('declared S/MIME but the content is not CMS');
  });

  it('recognises PGP/MIME and inline PGP armour', async () => {
    const pgpMime = await parse(
      crlf('Subject: pgp', 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="p"', '') +
        multipart('p', [
          { headers: ['Content-Type: application/pgp-encrypted'], body: 'Version: 1' },
          { headers: ['Content-Type: application/octet-stream; name="encrypted.asc"'], body: armour('MESSAGE') },
        ]),
    );
    expect(pgpMime.encryption).toBe('pgp-mime');
    expect(pgpMime.attachments).toEqual([]);

    const inline = await parse(crlf('Subject: inline', 'Content-Type: text/plain', '', armour('MESSAGE')));
    expect(inline.encryption).toBe('pgp-inline');

    const withProse = await parse(crlf('Content-Type: text/plain', '', 'Hello, the plan is attached in clear:', armour('MESSAGE')));
    expect(withProse.encryption).toBeNull();
  });

  it('does not count multipart/signed as encryption and inspects the signed content', async () => {
    const content = multipart('inner', [
      { headers: ['Content-Type: text/plain'], body: 'Signed text' },
      { headers: ['Content-Type: application/pdf', 'Content-Disposition: attachment; filename="a.pdf"'], body: '%PDF-1.4 x' },
    ]);
    const smimeSigned = await parse(
      crlf('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"', '') +
        multipart('s', [
          { headers: ['Content-Type: multipart/mixed; boundary="inner"'], body: content },
          { headers: ['Content-Type: application/pkcs7-signature; name="smime.p7s"', 'Content-Transfer-Encoding: base64'], body: base64Lines(cms('signed')) },
        ]),
    );
    expect(smimeSigned.encryption).toBeNull();
    expect(smimeSigned.bodyText).toBe('Signed text');
    expect(smimeSigned.attachments.map((a) => [a.id, a.name])).toEqual([['1.2', 'a.pdf']]);

    const pgpSigned = await parse(
      crlf('Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary="s"', '') +
        multipart('s', [
          { headers: ['Content-Type: text/plain'], body: 'Signed by PGP' },
          { headers: ['Content-Type: application/pgp-signature'], body: armour('SIGNATURE') },
        ]),
    );
    expect(pgpSigned.encryption).toBeNull();
    expect(pgpSigned.bodyText).toBe('Signed by PGP');
    expect(pgpSigned.attachments).toEqual([]);
  });

  it('counts opaque signed-data as unscannable', async () => {
    const msg = await parse(crlf(...smimeHeaders('application/pkcs7-mime; smime-type=signed-data'), '', base64Lines(cms('signed'))));
    expect(msg.encryption).toBeNull();
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]?.unscannable).toMatch(/^opaque signed-data/);
  });

  it('unwraps opaque signed-data at the top and inspects the signed entity as the message', async () => {
    const pdf = Buffer.from('%PDF-1.4 signed attachment');
    const entity = Buffer.from(
      crlf('Content-Type: multipart/mixed; boundary="e"', '') +
        multipart('e', [
          { headers: ['Content-Type: text/plain'], body: 'Signed body text' },
          { headers: ['Content-Type: application/pdf', 'Content-Disposition: attachment; filename="plan.pdf"', 'Content-Transfer-Encoding: base64'], body: base64Lines(pdf) },
        ]),
    );
    for (const streamed of [false, true]) {
      const msg = await parse(crlf('Subject: opaque', ...smimeHeaders('application/pkcs7-mime; smime-type=signed-data'), '', base64Lines(signedData(entity, streamed))));
      expect(msg.encryption).toBeNull();
      expect(msg.bodyText).toBe('Signed body text');
      expect(msg.attachments.map((a) => [a.id, a.name, a.size, a.unscannable])).toEqual([['1.2', 'plan.pdf', pdf.length, null]]);
      expect(msg.anomalies).toEqual([]);
    }
  });

  it('records the encryption of an attached message in its summary', async () => {
    const inner = crlf('Subject: inner secret', 'From: x@example.org', ...smimeHeaders('application/pkcs7-mime; smime-type=enveloped-data'), '', base64Lines(cms('enveloped')));
    const msg = await parse(
      crlf('Content-Type: multipart/mixed; boundary="b"', '') +
        multipart('b', [
          { headers: ['Content-Type: text/plain'], body: 'forwarding' },
          { headers: ['Content-Type: message/rfc822'], body: inner },
        ]),
    );
    expect(msg.encryption).toBeNull();
    expect(msg.attachedMessages).toEqual([{ id: '2', subject: 'inner secret', from: [{ name: '', address: 'x@example.org' }], encryption: 'smime' }]);
    expect(msg.attachments.map((a) => [a.id, a.unscannable])).toEqual([['2', 'attached message is encrypted (smime)']]);
  });
});
