import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cmsStructure } from '../../src/message/cms-structure.js';
import { armourBlocks, pgpContent } from '../../src/message/openpgp.js';
import {
  armour,
  cmsDetachedSignature,
  cmsEnveloped,
  pgpCompressed,
  pgpEncrypted,
  pgpLiteral,
  pgpOldPacket,
  pgpPacket,
  tlv,
} from '../../scripts/fixture-lib/crypto.js';
import { peExe } from '../../scripts/fixture-lib/executables.js';
import { zipBuffer } from '../../scripts/fixture-lib/zip.js';
import { base64Lines, crlf, multipart, parse } from './parse-helpers.js';

const LIMITS = { maxExpandedBytes: 100 * 1024 * 1024, maxRatio: 100 };
const decode = (text: string): Buffer => armourBlocks(text)[0]?.binary ?? Buffer.alloc(0);

describe('OpenPGP packets', () => {
  it('counts session-key packets followed by encrypted data as encrypted, in both header formats', () => {
    expect(pgpContent(pgpEncrypted('a'), LIMITS)).toEqual({ kind: 'encrypted' });
    const skesk = pgpPacket(3, Buffer.from([4, 9, 3, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0x60]));
    expect(pgpContent(Buffer.concat([pgpPacket(10, Buffer.from('PGP')), skesk, pgpOldPacket(9, randomBytes(300))]), LIMITS)).toEqual({ kind: 'encrypted' });
    expect(pgpContent(Buffer.concat([skesk, pgpPacket(20, randomBytes(100))]), LIMITS)).toEqual({ kind: 'encrypted' });
  });

  it('reads literal data, directly, compressed (ZIP and ZLIB) and with partial body lengths', () => {
    const literal = pgpContent(pgpLiteral('RESTRICTED plan', 'plan.txt'), LIMITS);
    expect(literal).toMatchObject({ kind: 'readable', fileName: 'plan.txt', how: 'literal data' });
    if (literal.kind === 'readable') expect(literal.data.toString()).toBe('RESTRICTED plan');
    for (const algorithm of [1, 2] as const) {
      const packed = pgpContent(pgpCompressed(pgpLiteral('compressed text'), algorithm), LIMITS);
      expect(packed).toMatchObject({ kind: 'readable', how: 'compressed literal data' });
      if (packed.kind === 'readable') expect(packed.data.toString()).toBe('compressed text');
    }
    // New-format partial body: a 512-byte chunk (0xe9), then the final length.
    const body = Buffer.concat([Buffer.from([0x62, 0]), Buffer.alloc(4), Buffer.alloc(600, 0x41)]);
    const partial = Buffer.concat([Buffer.from([0xc0 | 11, 0xe9]), body.subarray(0, 512), Buffer.from([body.length - 512]), body.subarray(512)]);
    const read = pgpContent(partial, LIMITS);
    expect(read.kind === 'readable' && read.data.length).toBe(600);
    // A signed message (one-pass signature, literal, signature) is readable too.
    const signed = Buffer.concat([pgpPacket(4, Buffer.alloc(13)), pgpLiteral('signed'), pgpPacket(2, Buffer.alloc(40))]);
    expect(pgpContent(signed, LIMITS)).toMatchObject({ kind: 'readable' });
  });

  it('calls bzip2, trailing packets, encrypted data inside compression and unknown packets unscannable', () => {
    expect(pgpContent(pgpPacket(8, Buffer.from([3, 0x42, 0x5a, 0x68])), LIMITS)).toMatchObject({ kind: 'unscannable', reason: expect.stringMatching(/bzip2/) });
    expect(pgpContent(Buffer.concat([pgpEncrypted('b'), pgpLiteral('hidden')]), LIMITS)).toMatchObject({ kind: 'unscannable', reason: expect.stringMatching(/follow the encrypted data/) });
    expect(pgpContent(pgpCompressed(pgpEncrypted('c')), LIMITS)).toMatchObject({ kind: 'unscannable' });
    expect(pgpContent(pgpPacket(6, randomBytes(200)), LIMITS)).toMatchObject({ kind: 'unscannable', reason: expect.stringMatching(/packet tags 6/) });
    expect(pgpContent(pgpOldPacket(9, randomBytes(100)), LIMITS)).toMatchObject({ kind: 'unscannable' });
    expect(pgpContent(Buffer.from('not pgp at all'), LIMITS)).toMatchObject({ kind: 'unscannable' });
  });

  it('bounds decompression by the expansion limits', () => {
    const bomb = pgpCompressed(pgpLiteral(Buffer.alloc(50 * 1024 * 1024)));
    const started = Date.now();
    expect(pgpContent(bomb, { maxExpandedBytes: 8 * 1024 * 1024, maxRatio: 100 })).toMatchObject({ kind: 'unscannable', reason: expect.stringMatching(/expands past/) });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('decodes armour with and without a checksum and refuses a wrong one', () => {
    const good = armour(pgpEncrypted('d'), 'MESSAGE', ['Version: GnuPG v2', 'Comment: https://gnupg.invalid']);
    expect(pgpContent(decode(good), LIMITS)).toEqual({ kind: 'encrypted' });
    const noChecksum = good.replace(/\n=[A-Za-z0-9+/]{4}\n/, '\n');
    expect(armourBlocks(noChecksum)[0]?.problem).toBeNull();
    const wrong = good.replace(/\n=[A-Za-z0-9+/]{4}\n/, '\n=AAAA\n');
    expect(armourBlocks(wrong)[0]).toMatchObject({ binary: null, problem: expect.stringMatching(/checksum/) });
    expect(armourBlocks(good.replace('-----END PGP MESSAGE-----', ''))[0]?.problem).toMatch(/no END line/);
  });
});

describe('CMS structure', () => {
  it('accepts EnvelopedData and AuthEnvelopedData, definite and indefinite, and detached SignedData', () => {
    expect(cmsStructure(cmsEnveloped('e'))).toEqual({ valid: true, kind: 'enveloped', trailing: 0 });
    expect(cmsStructure(cmsEnveloped('f', { streamed: true }))).toEqual({ valid: true, kind: 'enveloped', trailing: 0 });
    expect(cmsStructure(cmsEnveloped('g', { kind: 'auth-enveloped' }))).toEqual({ valid: true, kind: 'auth-enveloped', trailing: 0 });
    expect(cmsStructure(cmsDetachedSignature('h'))).toEqual({ valid: true, kind: 'signed', trailing: 0 });
  });

  it('sees data glued after the structure and a header glued before other bytes', async () => {
    const zip = await zipBuffer([{ path: 'tool.exe', data: peExe() }]);
    expect(cmsStructure(Buffer.concat([cmsEnveloped('i'), zip]))).toEqual({ valid: true, kind: 'enveloped', trailing: zip.length });
    // A ContentInfo header whose length covers a zip: the enveloped-data OID, then no EnvelopedData.
    const oid = Buffer.from('06092a864886f70d010703', 'hex');
    const disguised = tlv(0x30, Buffer.concat([oid, tlv(0xa0, zip)]));
    expect(cmsStructure(disguised)).toMatchObject({ valid: false, claims: 'enveloped' });
    // EnvelopedData with no recipient, or without encrypted content.
    const noRecipient = tlv(0x30, Buffer.concat([oid, tlv(0xa0, tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([0])), tlv(0x31, Buffer.alloc(0)), tlv(0x30, Buffer.alloc(0))])))]));
    expect(cmsStructure(noRecipient)).toMatchObject({ valid: false, problem: expect.stringMatching(/no recipient/) });
  });

  it('ends hostile DER in a finding at once: truncated, huge lengths, indefinite lengths nested 1000 deep', () => {
    const started = Date.now();
    const whole = cmsEnveloped('j');
    expect(cmsStructure(whole.subarray(0, whole.length - 100))).toMatchObject({ valid: false, claims: 'enveloped' });
    expect(cmsStructure(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x06, 0x09]))).toMatchObject({ valid: false });
    expect(cmsStructure(Buffer.from([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]))).toMatchObject({ valid: false });
    const deep = Buffer.concat([Buffer.from('3080'.repeat(1000), 'hex'), Buffer.alloc(2000)]);
    expect(cmsStructure(deep)).toMatchObject({ valid: false });
    const deepAfterOid = Buffer.concat([Buffer.from('308006092a864886f70d010703a080', 'hex'), Buffer.from('3080'.repeat(1000), 'hex'), Buffer.alloc(2004)]);
    expect(cmsStructure(deepAfterOid)).toMatchObject({ valid: false, claims: 'enveloped' });
    expect(cmsStructure(randomBytes(1 << 20))).toMatchObject({ valid: false });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

const smime = (payload: Buffer, type = 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'): string =>
  crlf('Subject: RESTRICTED: plan', `Content-Type: ${type}`, 'Content-Disposition: attachment; filename="smime.p7m"', 'Content-Transfer-Encoding: base64', '', base64Lines(payload));

const crlfText = (text: string): string => text.replace(/\r?\n/g, '\r\n');

describe('parseMessage: encryption proven by structure', () => {
  it('opens inline armour around a literal packet and inspects its text and markings', async () => {
    const body = crlfText(armour(pgpCompressed(pgpLiteral('RESTRICTED\n\nThe raid is on Thursday at 06:00.\n'))));
    const msg = await parse(crlf('Subject: plan', 'Content-Type: text/plain', '') + body);
    expect(msg.encryption).toBeNull();
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]).toMatchObject({ origin: 'member', location: ['PGP armour in the body text', 'PGP compressed literal data'], unscannable: null, detected: { family: 'text' } });
    expect(msg.markings.map((m) => m.level)).toContain('RESTRICTED');
  });

  it('finds a program inside a PGP/MIME payload that is only a literal packet', async () => {
    const exe = peExe();
    const msg = await parse(
      crlf('Subject: pgp', 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="p"', '') +
        multipart('p', [
          { headers: ['Content-Type: application/pgp-encrypted'], body: 'Version: 1' },
          { headers: ['Content-Type: application/octet-stream; name="encrypted.asc"'], body: crlfText(armour(pgpLiteral(exe, 'tool.exe'))) },
        ]),
    );
    expect(msg.encryption).toBeNull();
    const member = msg.attachments.find((a) => a.name === 'tool.exe');
    expect(member).toMatchObject({ origin: 'member', detected: { family: 'executable' } });
    expect(member?.location).toEqual(['encrypted.asc', 'tool.exe']);
  });

  it('keeps real inline and PGP/MIME encryption encrypted, and calls encrypted armour beside prose unscannable', async () => {
    const inline = await parse(crlf('Content-Type: text/plain', '') + crlfText(armour(pgpEncrypted('k'))));
    expect(inline.encryption).toBe('pgp-inline');
    expect(inline.attachments).toEqual([]);
    const prose = await parse(crlf('Content-Type: text/plain', '', 'The plan, in clear:') + crlfText(armour(pgpEncrypted('l'))));
    expect(prose.encryption).toBeNull();
    expect(prose.attachments[0]?.unscannable).toMatch(/PGP encrypted/);
    const keyOnly = await parse(crlf('Content-Type: text/plain', '', 'My key:') + crlfText(armour(pgpPacket(6, randomBytes(200)), 'PUBLIC KEY BLOCK')));
    expect(keyOnly.attachments).toEqual([]);
  });

  it('calls S/MIME with a zip glued after it unscannable and inspects the glued bytes', async () => {
    const zip = await zipBuffer([{ path: 'tool.exe', data: peExe() }]);
    const msg = await parse(smime(Buffer.concat([cmsEnveloped('m'), zip])));
    expect(msg.encryption).toBeNull();
    expect(msg.attachments[0]?.unscannable).toMatch(/followed by \d+ bytes of other data/);
    expect(msg.attachments.some((a) => a.name === 'tool.exe' && a.detected.family === 'executable')).toBe(true);
    expect(msg.markings.map((m) => m.level)).toContain('RESTRICTED');
  });

  it('does not take a detached signature part that is not CMS as a signature', async () => {
    const msg = await parse(
      crlf('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"', '') +
        multipart('s', [
          { headers: ['Content-Type: text/plain'], body: 'Signed text' },
          { headers: ['Content-Type: application/pkcs7-signature; name="smime.p7s"', 'Content-Transfer-Encoding: base64'], body: base64Lines(Buffer.concat([cmsDetachedSignature('n'), peExe()])) },
        ]),
    );
    expect(msg.attachments[0]).toMatchObject({ name: 'smime.p7s', unscannable: expect.stringMatching(/followed by \d+ bytes/) });
    expect(msg.attachments[1]).toMatchObject({ location: ['smime.p7s', 'data after the S/MIME structure'], detected: { family: 'executable' } });
  });

  it('ends a 20 MB armoured block, in the body and as a part, in a finding within seconds', async () => {
    const started = Date.now();
    const big = crlfText(armour(pgpLiteral(randomBytes(15 * 1024 * 1024), 'data.bin')));
    const inBody = await parse(crlf('Content-Type: text/plain', '') + big);
    expect(inBody.encryption).toBeNull();
    expect(inBody.attachments.some((a) => a.unscannable !== null)).toBe(true);
    const asPart = await parse(
      crlf('Content-Type: multipart/mixed; boundary="b"', '') +
        multipart('b', [
          { headers: ['Content-Type: text/plain'], body: 'see attached' },
          { headers: ['Content-Type: application/pgp-encrypted; name="data.asc"', 'Content-Disposition: attachment; filename="data.asc"'], body: big },
        ]),
    );
    expect(asPart.encryption).toBeNull();
    expect(asPart.attachments.find((a) => a.name === 'data.bin')).toMatchObject({ origin: 'member', size: 15 * 1024 * 1024 });
    const hugeLength = crlfText(armour(Buffer.concat([Buffer.from([0xcb, 0xff, 0x7f, 0xff, 0xff, 0xff]), randomBytes(64)])));
    const lying = await parse(crlf('Content-Type: text/plain', '') + hugeLength);
    expect(lying.attachments[0]?.unscannable).toMatch(/longer than the data/);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});

describe('parseMessage: binary OpenPGP files', () => {
  const withFile = (name: string, data: Buffer): string =>
    crlf('Content-Type: multipart/mixed; boundary="b"', '') +
    multipart('b', [
      { headers: ['Content-Type: text/plain'], body: 'see attached' },
      { headers: [`Content-Type: application/octet-stream; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64'], body: base64Lines(data) },
    ]);

  it('calls an encrypted .gpg file unscannable and opens a readable one', async () => {
    const encrypted = await parse(withFile('plan.gpg', pgpEncrypted('o')));
    expect(encrypted.attachments[0]).toMatchObject({ name: 'plan.gpg', unscannable: 'encrypted (PGP)' });
    const readable = await parse(withFile('plan.gpg', pgpCompressed(pgpLiteral('RESTRICTED\n\nThe plan.\n', 'plan.txt'), 2)));
    expect(readable.attachments[0]).toMatchObject({ name: 'plan.gpg', unscannable: null });
    expect(readable.attachments[1]).toMatchObject({ name: 'plan.txt', location: ['plan.gpg', 'plan.txt'] });
    expect(readable.markings.map((m) => m.level)).toContain('RESTRICTED');
    const junk = await parse(withFile('plan.gpg', Buffer.concat([Buffer.from([0xc1, 0xff]), randomBytes(100)])));
    expect(junk.attachments[0]?.unscannable).toMatch(/PGP data cannot be read/);
  });
});

describe('parseMessage: PGP armour inside an archive', () => {
  it('calls encrypted armour in a zip unscannable and opens a literal packet there', async () => {
    const zip = await zipBuffer([
      { path: 'secret.asc', data: Buffer.from(armour(pgpEncrypted('p'))) },
      { path: 'notes.asc', data: Buffer.from(armour(pgpLiteral(peExe(), 'run.exe'))) },
    ]);
    const msg = await parse(
      crlf('Content-Type: multipart/mixed; boundary="b"', '') +
        multipart('b', [
          { headers: ['Content-Type: text/plain'], body: 'see attached' },
          { headers: ['Content-Type: application/zip; name="files.zip"', 'Content-Disposition: attachment; filename="files.zip"', 'Content-Transfer-Encoding: base64'], body: base64Lines(zip) },
        ]),
    );
    expect(msg.attachments.find((a) => a.name === 'secret.asc')?.unscannable).toBe('encrypted (PGP)');
    expect(msg.attachments.find((a) => a.name === 'run.exe')).toMatchObject({ location: ['files.zip', 'notes.asc', 'run.exe'], detected: { family: 'executable' } });
  });
});

describe('parseMessage: hostile S/MIME payloads end in a finding', () => {
  it.each([
    ['indefinite lengths nested 1000 deep', Buffer.concat([Buffer.from('308006092a864886f70d010703a080', 'hex'), Buffer.from('3080'.repeat(1000), 'hex'), Buffer.alloc(2004)])],
    ['a length of 4 GB', Buffer.concat([Buffer.from('3084ffffffff06092a864886f70d010703a080', 'hex'), randomBytes(4096)])],
    ['truncated DER', cmsEnveloped('q').subarray(0, 900)],
  ])('%s', async (_what, payload) => {
    const started = Date.now();
    const msg = await parse(smime(payload));
    expect(msg.encryption).toBeNull();
    expect(msg.attachments[0]?.unscannable).toMatch(/not valid CMS/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
