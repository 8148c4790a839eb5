/**
 * Encrypted mail is judged on what can be seen (envelope, headers, subject): encryption is the
 * approved way to send marked mail, but nothing above RESTRICTED leaves the internal domains.
 * Signed is not encrypted.
 */
import { cmsDetachedSignature, cmsEnveloped } from '../crypto.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { base64Lines, multipart, raw, text } from '../mime.js';
import { external, publicWebmail, secure, staff } from '../people.js';
import { Prng } from '../prng.js';
import { alternative, businessText, pgpArmour } from './common.js';

const { alex, priya, sarah, hannah } = staff;

/** DER start of a CMS ContentInfo with the given content-type OID, then opaque bytes: not valid CMS. */
function cmsNoise(oid: Buffer, seed: string, size = 1400): Buffer {
  const body = new Prng(seed).bytes(size);
  const inner = Buffer.concat([oid, Buffer.from([0xa0, 0x82, (size >> 8) & 0xff, size & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x30, 0x82, (inner.length >> 8) & 0xff, inner.length & 0xff]), inner]);
}

/** DER OIDs: id-envelopedData 1.2.840.113549.1.7.3, id-signedData 1.2.840.113549.1.7.2, id-ct-authEnvelopedData 1.2.840.113549.1.9.16.1.23. */
const ENVELOPED = Buffer.from('06092a864886f70d010703', 'hex');
const SIGNED = Buffer.from('06092a864886f70d010702', 'hex');
const AUTH_ENVELOPED = Buffer.from('060b2a864886f70d0109100117', 'hex');

/** The CMS payload: real EnvelopedData / AuthEnvelopedData; signed-data as undecodable noise. */
function cms(oid: Buffer, seed: string): Buffer {
  if (oid === SIGNED) return cmsNoise(oid, seed);
  return cmsEnveloped(seed, { kind: oid === AUTH_ENVELOPED ? 'auth-enveloped' : 'enveloped' });
}

/** The application/pkcs7-mime leaf as Outlook writes it. */
function p7m(seed: string, params: string, oid = ENVELOPED) {
  return raw(
    [
      ['Content-Type', `application/pkcs7-mime;${params} name="smime.p7m"`],
      ['Content-Disposition', 'attachment; filename="smime.p7m"'],
      ['Content-Transfer-Encoding', 'base64'],
    ],
    base64Lines(cms(oid, seed)),
  );
}

export const encryptionCases: FixtureCase[] = [
  messageCase({
    file: 'encryption/smime-restricted-to-public-gmail.eml',
    description: 'RESTRICTED mail, S/MIME enveloped-data, to a witness on gmail: encrypted, so not marked-unencrypted; webmail monitor only.',
    from: alex.mailbox,
    to: [publicWebmail.witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['marked-unencrypted', 'unscannable'], marking: 'RESTRICTED', encrypted: true },
    message: () => ({ subject: 'RESTRICTED: your statement for signature', body: p7m('smime-gmail', ' smime-type=enveloped-data;') }),
  }),
  messageCase({
    file: 'encryption/smime-p7m-without-smime-type.eml',
    description: 'An smime.p7m at the top level without an smime-type parameter (older clients): counts as encrypted.',
    from: priya.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'unscannable'], marking: 'OFFICIAL-SENSITIVE', encrypted: true },
    message: () => ({ subject: 'OFFICIAL-SENSITIVE: interview disclosure - D HOLLIS', body: p7m('smime-notype', '') }),
  }),
  messageCase({
    file: 'encryption/smime-p7m-only-part.eml',
    description: 'An smime.p7m as the only part of a multipart/mixed: counts as encrypted.',
    from: sarah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'unscannable'], marking: 'RESTRICTED', encrypted: true },
    message: () => ({ subject: 'Partnership tasking [RESTRICTED]', body: multipart('mixed', [p7m('smime-onlypart', ' smime-type=enveloped-data;')]) }),
  }),
  messageCase({
    file: 'encryption/smime-authenveloped.eml',
    description: 'S/MIME authEnveloped-data (AES-GCM) with a RESTRICTED subject to an external partner: encrypted.',
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted'], marking: 'RESTRICTED', encrypted: true },
    message: () => ({ subject: 'RESTRICTED - problem profile draft', body: p7m('smime-authenv', ' smime-type=authEnveloped-data;', AUTH_ENVELOPED) }),
  }),
  messageCase({
    file: 'encryption/pgp-mime.eml',
    description: 'PGP/MIME (multipart/encrypted; protocol="application/pgp-encrypted") with a RESTRICTED subject to an external partner.',
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'unscannable'], marking: 'RESTRICTED', encrypted: true },
    message: () => ({
      subject: '[RESTRICTED] Intelligence package - Op LARCH',
      plainClient: true,
      body: multipart(
        'encrypted',
        [
          raw([['Content-Type', 'application/pgp-encrypted'], ['Content-Description', 'PGP/MIME version identification']], 'Version: 1\n'),
          raw(
            [
              ['Content-Type', 'application/octet-stream; name="encrypted.asc"'],
              ['Content-Description', 'OpenPGP encrypted message'],
              ['Content-Disposition', 'inline; filename="encrypted.asc"'],
            ],
            pgpArmour('pgp-mime'),
          ),
        ],
        { params: { protocol: 'application/pgp-encrypted' }, preamble: 'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)' },
      ),
    }),
  }),
  messageCase({
    file: 'encryption/pgp-inline.eml',
    description: 'Inline PGP armour as the whole body, OFFICIAL-SENSITIVE subject, to an external partner.',
    from: priya.mailbox,
    to: [external.housing.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE', encrypted: true },
    message: () => ({ subject: 'OFFICIAL-SENSITIVE: strategy meeting minutes', plainClient: true, body: text(pgpArmour('pgp-inline')) }),
  }),
  messageCase({
    file: 'encryption/signed-not-encrypted.eml',
    description: 'multipart/signed (S/MIME detached signature) is not encryption: the OFFICIAL-SENSITIVE banner inside goes out in clear.',
    from: priya.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], absent: ['unscannable', 'malformed'], marking: 'OFFICIAL-SENSITIVE', encrypted: false },
    message: () => ({
      subject: 'Pre-interview disclosure - D HOLLIS',
      body: multipart(
        'signed',
        [
          alternative(businessText(priya, 'Mr Clarke,\n\nPre-interview disclosure for your client is set out below.\n\nYour client was arrested on 1 March 2025 on suspicion of theft from motor vehicles on Rushey Green. Officers will put CCTV evidence to him in interview.', 'OFFICIAL-SENSITIVE')),
          raw(
            [
              ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
              ['Content-Transfer-Encoding', 'base64'],
              ['Content-Disposition', 'attachment; filename="smime.p7s"'],
            ],
            base64Lines(cmsDetachedSignature('signed-detached')),
          ),
        ],
        { params: { protocol: 'application/pkcs7-signature', micalg: 'sha-256' } },
      ),
    }),
  }),
  messageCase({
    file: 'encryption/confidential-smime-to-gsi.eml',
    description: 'CONFIDENTIAL, S/MIME encrypted, to the secure government network: above what any listed network is accredited for.',
    from: alex.mailbox,
    to: [secure.homeOffice.mailbox],
    expect: { decision: 'reject', rules: ['marked-too-high'], absent: ['marked-unencrypted'], marking: 'CONFIDENTIAL', encrypted: true },
    message: () => ({ subject: 'CONFIDENTIAL: CHIS tasking review - Op KESTREL', body: p7m('smime-confidential', ' smime-type=enveloped-data;') }),
  }),
  messageCase({
    file: 'unscannable/smime-opaque-signed.eml',
    description: 'Opaque S/MIME signed-data (smime-type=signed-data) whose DER cannot be unwrapped: the content cannot be inspected.',
    from: sarah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['personal-encrypted'], marking: null, encrypted: false },
    message: () => ({ subject: 'Duty officer handover', body: p7m('smime-opaque', ' smime-type=signed-data;', SIGNED) }),
  }),
];
