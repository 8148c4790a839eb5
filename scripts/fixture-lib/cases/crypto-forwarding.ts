/**
 * Encryption proven by structure (PGP packets, CMS DER) and the forwarding signals Exchange and
 * Postfix really leave, with the staff home addresses people build from their names. Each class
 * has a case that must be caught and a look-alike that must not.
 */
import { armour, cmsEnveloped, pgpCompressed, pgpLiteral, pgpOldPacket, pgpPacket } from '../crypto.js';
import { peExe } from '../executables.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { base64Lines, file, multipart, raw, text } from '../mime.js';
import { alexHome, external, publicWebmail, staff } from '../people.js';
import { Prng } from '../prng.js';
import { zipBuffer } from '../zip.js';
import { alternative, businessText } from './common.js';

const { alex, priya, sarah, hannah } = staff;

/** The application/pkcs7-mime leaf as Outlook writes it. */
function p7m(payload: Buffer) {
  return raw(
    [
      ['Content-Type', 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'],
      ['Content-Disposition', 'attachment; filename="smime.p7m"'],
      ['Content-Transfer-Encoding', 'base64'],
    ],
    base64Lines(payload),
  );
}

/** PGP/MIME: the version part and the armoured payload. */
function pgpMime(armoured: string) {
  return multipart(
    'encrypted',
    [
      raw([['Content-Type', 'application/pgp-encrypted'], ['Content-Description', 'PGP/MIME version identification']], 'Version: 1\n'),
      raw([['Content-Type', 'application/octet-stream; name="encrypted.asc"'], ['Content-Disposition', 'inline; filename="encrypted.asc"']], armoured),
    ],
    { params: { protocol: 'application/pgp-encrypted' }, preamble: 'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)' },
  );
}

const GNUPG = ['Version: GnuPG v2'];
const witness = publicWebmail.witness;

/** A message body that an inbox rule or a mailbox forward sends on unchanged. */
const forwardedBody = () => alternative(businessText(priya, 'Alex,\n\nActions from today: chase the phone download, book the ABE interview, update the victim.'));

function forwardCase(file: string, description: string, headers: readonly (readonly [string, string])[], to = publicWebmail.forwardTarget.address): FixtureCase {
  return messageCase({
    file,
    description,
    from: priya.mailbox,
    to: [alex.mailbox],
    envelope: { from: alex.address, to: [to] },
    expect: { decision: 'reject', rules: ['auto-forward-outside', 'business-to-webmail'], marking: null },
    message: () => ({ subject: 'Handover - Op LARCH actions', extraHeaders: headers, body: forwardedBody() }),
  });
}

export const cryptoForwardingCases: FixtureCase[] = [
  // --- PGP: armour is not encryption; packets are.
  messageCase({
    file: 'encryption/pgp-literal-restricted-to-gmail.eml',
    description: 'Inline PGP armour around a compressed literal packet (no encryption): the RESTRICTED text inside is readable by anyone and goes to gmail unencrypted.',
    from: alex.mailbox,
    to: [witness.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted', 'business-to-webmail'], absent: ['personal-encrypted'], marking: 'RESTRICTED', encrypted: false },
    message: () => ({
      subject: 'Your statement',
      plainClient: true,
      body: text(armour(pgpCompressed(pgpLiteral('RESTRICTED\n\nMr Osei, your statement and the suspect details are below.\n\nSuspect: D HOLLIS, 14 Laurel Grove.\n')), 'MESSAGE', GNUPG)),
    }),
  }),
  messageCase({
    file: 'encryption/pgp-mime-literal-exe.eml',
    description: 'PGP/MIME whose payload is a literal packet carrying a Windows program: not encrypted, the program is found.',
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['unscannable'], marking: null, encrypted: false },
    message: () => ({ subject: 'Tool for the analysis', plainClient: true, body: pgpMime(armour(pgpLiteral(peExe('Analyser'), 'analyser.exe'), 'MESSAGE', GNUPG)) }),
  }),
  messageCase({
    file: 'encryption/pgp-mime-symmetric-old-format.eml',
    description: 'PGP/MIME really encrypted (symmetric session key, old-format encrypted data packet, no armour checksum) with a RESTRICTED subject to gmail: encrypted.',
    from: alex.mailbox,
    to: [witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['marked-unencrypted', 'unscannable'], marking: 'RESTRICTED', encrypted: true },
    message: () => {
      const rng = new Prng('pgp-symmetric');
      const skesk = pgpPacket(3, Buffer.concat([Buffer.from([4, 9, 3, 8]), rng.bytes(8), Buffer.from([0x60])]));
      const data = Buffer.concat([skesk, pgpOldPacket(9, rng.bytes(900))]);
      return { subject: 'RESTRICTED: your statement', plainClient: true, body: pgpMime(armour(data, 'MESSAGE', GNUPG).replace(/\n=[A-Za-z0-9+/]{4}\n/, '\n')) };
    },
  }),
  // --- S/MIME: the CMS structure must cover the whole payload.
  messageCase({
    file: 'encryption/smime-zip-glued-after.eml',
    description: 'An smime.p7m whose real EnvelopedData is followed by a zip holding a program: a disguised payload (unscannable), and the zip is inspected.',
    from: sarah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'reject', rules: ['unscannable', 'executable-content'], absent: ['marked-unencrypted'], marking: null, encrypted: false },
    message: async () => {
      const zip = await zipBuffer([{ path: 'Partnership tasking.exe', data: peExe('Tasking') }]);
      return { subject: 'Partnership tasking', body: p7m(Buffer.concat([cmsEnveloped('smime-glued'), zip])) };
    },
  }),
  messageCase({
    file: 'encryption/smime-trailing-data.eml',
    description: 'An smime.p7m with 4 KB of other data after its CMS structure: not proven encrypted, unscannable.',
    from: priya.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['personal-encrypted'], marking: null, encrypted: false },
    message: () => ({ subject: 'Disclosure bundle - D HOLLIS', body: p7m(Buffer.concat([cmsEnveloped('smime-trailing'), new Prng('trailing').bytes(4096)])) }),
  }),
  messageCase({
    file: 'encryption/smime-ber-streamed.eml',
    description: 'S/MIME enveloped-data in BER with indefinite lengths and a chunked encrypted content (as streaming encoders write), RESTRICTED subject: encrypted.',
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'unscannable'], marking: 'RESTRICTED', encrypted: true },
    message: () => ({ subject: 'RESTRICTED - problem profile final', body: p7m(cmsEnveloped('smime-streamed', { streamed: true, size: 3000 })) }),
  }),

  // --- Forwarding: each Exchange header alone, redelivery, and what is not forwarding.
  forwardCase('forwarding/exchange-forwardingloop-to-gmail.eml', 'Exchange mailbox forwarding (X-MS-Exchange-ForwardingLoop only) to a gmail address.', [
    ['X-MS-Exchange-ForwardingLoop', 'alex.turner@met.police.uk;9b1c8a4e-2f3d-4e5a-8b6c-7d8e9f0a1b2c'],
  ]),
  forwardCase('forwarding/exchange-inbox-rules-loop-to-gmail.eml', 'An inbox rule forward (X-MS-Exchange-Inbox-Rules-Loop only) to a gmail address.', [
    ['X-MS-Exchange-Inbox-Rules-Loop', 'alex.turner@met.police.uk'],
  ]),
  forwardCase('forwarding/exchange-autoforwarded-to-gmail.eml', 'X-MS-Exchange-Organization-AutoForwarded: true only, to a gmail address.', [
    ['X-MS-Exchange-Organization-AutoForwarded', 'true'],
  ]),
  forwardCase('forwarding/exchange-generated-source-to-gmail.eml', 'X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent only, to a gmail address.', [
    ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent'],
  ]),
  forwardCase('forwarding/x-original-to-internal-to-gmail.eml', 'Postfix delivered the message to our mailbox (X-Original-To, Delivered-To) and a .forward sends it on to gmail.', [
    ['Delivered-To', 'alex.turner@met.police.uk'],
    ['X-Original-To', 'alex.turner@met.police.uk'],
  ]),
  forwardCase('forwarding/resent-redirect-to-gmail.eml', 'An Outlook "redirect to" rule: Resent-* fields without Auto-Submitted, to a gmail address.', [
    ['Resent-From', alex.mailbox],
    ['Resent-To', publicWebmail.forwardTarget.address],
    ['Resent-Date', 'Tue, 4 Mar 2025 07:00:02 +0000'],
  ]),
  messageCase({
    file: 'forwarding/delivered-to-internal-then-home.eml',
    description: "Delivered to Alex's mailbox (Delivered-To), then sent on to his own gmail address: auto-forwarding to home.",
    from: priya.mailbox,
    to: [alex.mailbox],
    envelope: { from: alex.address, to: [alexHome.gmail.address] },
    expect: { decision: 'reject', rules: ['auto-forward-outside', 'business-to-home-address'], absent: ['business-to-webmail'], marking: null },
    message: () => ({ subject: 'Handover - Op LARCH actions', extraHeaders: [['Delivered-To', alex.address]], body: forwardedBody() }),
  }),
  messageCase({
    file: 'forwarding/delivered-to-external-to-gmail.eml',
    description: 'A Delivered-To naming an outside address (copied from a received message) says nothing about our mailboxes: webmail monitor only.',
    from: alex.mailbox,
    to: [witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'RE: Your statement - Rushey Green',
      extraHeaders: [['Delivered-To', witness.address], ['In-Reply-To', '<CAF7x1y2z3@mail.gmail.com>']],
      body: alternative(businessText(alex, 'Dear Mr Osei,\n\nThank you, Thursday at 17:00 is fine.')),
    }),
  }),
  messageCase({
    file: 'forwarding/out-of-office-inbox-rule-to-gmail.eml',
    description: 'An out-of-office reply sent by an inbox rule (Auto-Submitted: auto-replied with the rule headers) to a member of the public: not forwarding.',
    from: alex.mailbox,
    to: [witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'Automatic reply: Statement - Rushey Green',
      extraHeaders: [
        ['Auto-Submitted', 'auto-replied'],
        ['X-Auto-Response-Suppress', 'All'],
        ['X-MS-Exchange-Inbox-Rules-Loop', alex.address],
        ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent'],
      ],
      body: alternative('I am on annual leave until Monday 10 March. For urgent matters please call 101 quoting your crime reference number, or 999 in an emergency.\n\nDS Alex Turner\n'),
    }),
  }),

  // --- Home addresses built from the sender's name, and a public look-alike.
  ...[
    ['recipients/home-address-initials-year.eml', 'a.j.turner84@gmail.com', 'first and middle initials, surname, birth year'],
    ['recipients/home-address-reversed.eml', 'turner.alex@outlook.com', 'surname then first name'],
    ['recipients/home-address-initial-underscore-year.eml', 'aturner_1984@yahoo.co.uk', 'initial fused with the surname, underscore, year'],
  ].map(([fileName, address, how]) =>
    messageCase({
      file: fileName as string,
      description: `Untagged mail from Alex Turner to ${address} (${how}): a staff home address.`,
      from: alex.mailbox,
      to: [address as string],
      expect: { decision: 'quarantine', rules: ['business-to-home-address'], absent: ['business-to-webmail', 'auto-forward-outside'], marking: null },
      message: () => ({
        subject: 'Rota and case notes',
        body: multipart('mixed', [text(businessText(alex, 'Notes and the rota, to finish at home.')), file(Buffer.from('Op LARCH - outstanding actions\n'), { filename: 'actions.txt', contentType: 'text/plain' })]),
      }),
    }),
  ),
  messageCase({
    file: 'recipients/public-webmail-same-surname.eml',
    description: 'A member of the public who shares the sender\'s surname but not the first name or initial (b.turner1962@gmail.com): webmail monitor only, not a home address.',
    from: alex.mailbox,
    to: ['Brian Turner <b.turner1962@gmail.com>'],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['business-to-home-address'], marking: null },
    message: () => ({
      subject: 'Your report - bicycle theft, Catford',
      body: alternative(businessText(alex, 'Dear Mr Turner,\n\nThank you for your report. Your crime reference number is 01/123456/25.')),
    }),
  }),
  messageCase({
    file: 'recipients/reply-to-gmail-no-signal.eml',
    description: 'An ordinary reply to a member of the public on gmail carries no forwarding signal: webmail monitor only.',
    from: alex.mailbox,
    to: [witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['auto-forward-outside', 'business-to-home-address'], marking: null },
    message: () => ({
      subject: 'RE: Statement - Rushey Green',
      extraHeaders: [['In-Reply-To', '<CAF7x1y2z4@mail.gmail.com>'], ['References', '<CAF7x1y2z4@mail.gmail.com>']],
      body: alternative(businessText(alex, 'Dear Mr Osei,\n\nThank you, I have your message and will call you tomorrow.')),
    }),
  }),
];
