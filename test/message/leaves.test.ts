/**
 * Every leaf is looked at, whatever it claims to be (issue 8, section 3): body candidates whose bytes are a
 * file, active content in every HTML part, uuencoded and yEnc files in text, message/partial, messages in
 * attachments that do not say so, and conflicting MIME headers.
 */
import { describe, expect, it } from 'vitest';
import { scanMarkup } from '../../src/message/content/html-active.js';
import { findEncodedFiles } from '../../src/message/content/text-encoded-files.js';
import { markingPlace } from '../../src/policy/describe.js';
import { pdf, peExe, zipBuffer } from '../helpers/files.js';
import { base64Lines, crlf, multipart, parse } from './parse-helpers.js';

const HEAD = ['From: a@met.police.uk', 'To: b@met.police.uk', 'Subject: leaves', 'MIME-Version: 1.0'];

function mixed(parts: { headers: string[]; body: string }[], boundary = 'b1'): string {
  return crlf(...HEAD, `Content-Type: multipart/mixed; boundary="${boundary}"`, '') + multipart(boundary, parts);
}

function uuencode(name: string, data: Buffer): string {
  const enc = (v: number): string => String.fromCharCode(v === 0 ? 0x60 : v + 0x20);
  const lines = [`begin 644 ${name}`];
  for (let i = 0; i < data.length; i += 45) {
    const chunk = data.subarray(i, i + 45);
    let line = enc(chunk.length);
    for (let j = 0; j < chunk.length; j += 3) {
      const [a = 0, b = 0, c = 0] = [chunk[j], chunk[j + 1], chunk[j + 2]];
      line += enc(a >> 2) + enc(((a & 3) << 4) | (b >> 4)) + enc(((b & 15) << 2) | (c >> 6)) + enc(c & 63);
    }
    lines.push(line);
  }
  lines.push('`', 'end');
  return lines.join('\r\n');
}

function yenc(name: string, data: Buffer): string {
  let out = '';
  let line = '';
  for (const b of data) {
    const v = (b + 42) & 0xff;
    line += [0x00, 0x0a, 0x0d, 0x3d].includes(v) ? `=${String.fromCharCode((v + 64) & 0xff)}` : String.fromCharCode(v);
    if (line.length >= 128) {
      out += `${line}\r\n`;
      line = '';
    }
  }
  if (line) out += `${line}\r\n`;
  return `=ybegin line=128 size=${data.length} name=${name}\r\n${out}=yend size=${data.length}`;
}

describe('body candidates whose bytes are a file', () => {
  it('takes a program sent as text/plain without a name as an attachment', async () => {
    const msg = await parse(mixed([{ headers: ['Content-Type: text/plain', 'Content-Transfer-Encoding: base64'], body: base64Lines(peExe()) }]));
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]?.detected.family).toBe('executable');
    expect(msg.attachments[0]?.location).toEqual(['part 1 (declared text/plain)']);
    expect(msg.bodyText).toBe('');
  });

  it('takes a PDF sent as text/html as an attachment', async () => {
    const msg = await parse(mixed([{ headers: ['Content-Type: text/html', 'Content-Transfer-Encoding: base64'], body: base64Lines(pdf('x', ['y'])) }]));
    expect(msg.attachments.map((a) => a.detected.family)).toEqual(['pdf']);
  });

  it('leaves ordinary text bodies alone, UTF-16 and Shift_JIS included', async () => {
    const utf16 = Buffer.from('\ufeffHello team, the rota is attached.', 'utf16le');
    const sjis = Buffer.from([0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd, 0x0d, 0x0a]);
    const msg = await parse(
      mixed([
        { headers: ['Content-Type: text/plain; charset=utf-16', 'Content-Transfer-Encoding: base64'], body: base64Lines(utf16) },
        { headers: ['Content-Type: text/plain; charset=shift_jis', 'Content-Transfer-Encoding: base64'], body: base64Lines(sjis) },
      ]),
    );
    expect(msg.attachments).toEqual([]);
    expect(msg.bodyText).toContain('the rota is attached');
  });
});

describe('active content in every HTML part', () => {
  const alt = (html: string): string =>
    crlf(...HEAD, 'Content-Type: multipart/alternative; boundary="a1"', '') +
    multipart('a1', [
      { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'Please see the link.' },
      { headers: ['Content-Type: text/html; charset=utf-8'], body: html },
    ]);

  it('finds an entity-encoded javascript: link in the second alternative', async () => {
    const msg = await parse(alt('<p><a href="jav&#x61;script&colon;alert(1)">Open</a></p>'));
    expect(msg.bodyText).toBe('Please see the link.');
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]?.detected).toMatchObject({ family: 'executable', ext: 'html', activeContent: 'javascript: URL' });
  });

  it('lets a business HTML body link to a file for download: the file is not in the mail', async () => {
    const msg = await parse(alt('<p>The minutes: <a href="https://intranet.met.police.uk/minutes.docx" download>minutes.docx</a></p>'));
    expect(msg.attachments).toEqual([]);
  });

  it('still finds a program behind a download link when the link is a data: URI', async () => {
    const uri = `data:application/octet-stream;base64,${peExe().toString('base64')}`;
    const msg = await parse(alt(`<p><a download="minutes.docx" href="${uri}">minutes.docx</a></p>`));
    expect(msg.attachments.find((a) => a.origin === 'member')?.detected.family).toBe('executable');
  });

  it('decodes a program in a data: URI and inspects it like an archive member', async () => {
    const uri = `data:application/x-msdownload;base64,${peExe().toString('base64')}`;
    const msg = await parse(alt(`<p><a href="${uri}">invoice</a></p>`));
    const member = msg.attachments.find((a) => a.origin === 'member');
    expect(member?.detected.family).toBe('executable');
    expect(member?.location[0]).toBe('part 2 (declared text/html)');
  });

  it('accepts Outlook-style business HTML: cid: logos, mailto and tel links, inline CSS, data: images', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const html =
      '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0cm;font-family:"Calibri"}</style></head>' +
      '<body lang="EN-GB" link="#0563C1"><p class="MsoNormal" style="color:#1F497D">Regards,<o:p></o:p></p>' +
      '<a href="mailto:alex.turner@met.police.uk">alex.turner@met.police.uk</a> <a href="tel:+442071230000">020 7123 0000</a> ' +
      `<img src="cid:image001.png@01DB0000.00000000" alt="online=yes; onsite"><img src="data:image/png;base64,${png.toString('base64')}">` +
      '<a href="https://www.met.police.uk/javascript-guide">javascript: a guide</a></body></html>';
    const msg = await parse(alt(html));
    expect(msg.attachments).toEqual([]);
  });

  it('names what it finds', () => {
    expect(scanMarkup('<a href=" java\tscript:x">').active).toBe('javascript: URL');
    expect(scanMarkup('<a href="&#106avascript&colon;x">').active).toBe('javascript: URL');
    expect(scanMarkup('<a href="JaVa&Tab;ScRiPt&#x3A;x">').active).toBe('javascript: URL');
    expect(scanMarkup('<a href="&#x0A;&#x09;vbscript:msgbox">').active).toBe('vbscript: URL');
    expect(scanMarkup('<img src=x onerror=alert(1)>').active).toBe('event handler attribute (onerror)');
    // A download link fetches what is not in the mail (browsers ignore `download` across origins);
    // one to a blob: URL is smuggling, one to a data: URI hands its bytes back for inspection.
    expect(scanMarkup('<a href="https://intranet.met.police.uk/report.pdf" download>get</a>').active).toBeNull();
    expect(scanMarkup('<a href="report.pdf" download="report.pdf">get</a>').active).toBeNull();
    expect(scanMarkup('<a download href="blob:https://x.test/1234">get</a>').active).toBe('HTML smuggling (download of a blob: URL)');
    expect(scanMarkup('<a download="a.exe" href="data:application/octet-stream;base64,TVqQAAMAAAAEAAAA">get</a>').dataFiles.map((f) => f.bytes.subarray(0, 2).toString())).toEqual(['MZ']);
    expect(scanMarkup('<meta http-equiv="refresh" content="0; url=data:text/html;base64,PHNjcmlwdD4=">').active).toBe('meta refresh to a data: URI');
    expect(scanMarkup('<script>var b = new Blob([atob(p)]); navigator.msSaveOrOpenBlob(b, "a.iso");</script>').active).toMatch(/^HTML smuggling/);
    expect(scanMarkup('<svg><set attributeName="href" to="javascript:alert(1)"/></svg>').active).toBe('javascript: URL');
    expect(scanMarkup('<svg><style><img src=x onerror=alert(1)></style></svg>').active).toBe('event handler attribute (onerror)');
    expect(scanMarkup('<p>Visit online = often, say javascript: is fun</p>').active).toBeNull();
    expect(scanMarkup('<a href="data:text/plain,hello%20there">x</a>').dataFiles.map((f) => f.bytes.toString())).toEqual(['hello there']);
  });

  it('counts an SVG attachment with an entity-hidden handler URL as executable', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="&#x6A;avascript:alert(1)"><rect width="5" height="5"/></a></svg>';
    const msg = await parse(mixed([{ headers: ['Content-Type: image/svg+xml; name="map.svg"', 'Content-Disposition: attachment; filename="map.svg"'], body: svg }]));
    expect(msg.attachments[0]?.detected.family).toBe('executable');
  });
});

describe('uuencode and yEnc in text', () => {
  it('decodes a uuencoded program in a text body', async () => {
    const body = `Here is the tool.\r\n\r\n${uuencode('tool.exe', peExe())}\r\n\r\nThanks`;
    const msg = await parse(mixed([{ headers: ['Content-Type: text/plain'], body }]));
    const member = msg.attachments.find((a) => a.name === 'tool.exe');
    expect(member?.detected.family).toBe('executable');
    expect(msg.bodyText).toContain('Here is the tool.');
  });

  it('decodes a yEnc zip in a text body', async () => {
    const zip = await zipBuffer([{ path: 'run.exe', data: peExe() }]);
    const raw = mixed([{ headers: ['Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit'], body: `The file:\r\n${yenc('files.zip', zip)}\r\n` }]);
    const msg = await parse(Buffer.from(raw, 'latin1'));
    expect(msg.attachments.some((a) => a.name === 'run.exe' && a.detected.family === 'executable')).toBe(true);
  });

  it('does not take prose that mentions "begin 644" for uuencode', () => {
    expect(findEncodedFiles('To set the mode:\nbegin 644 is what uuencode writes first\nthen the data lines follow.\nend\n').files).toEqual([]);
  });
});

describe('messages and fragments', () => {
  it('calls message/partial unscannable', async () => {
    const msg = await parse(mixed([{ headers: ['Content-Type: message/partial; id="abc@x"; number=1; total=2'], body: 'Subject: part one\r\n\r\nhalf' }]));
    expect(msg.attachments[0]?.unscannable).toMatch(/message\/partial.*cannot be put back together/);
  });

  it('opens an .eml sent as application/octet-stream and finds the program in it', async () => {
    const inner = crlf('From: x@example.org', 'To: y@example.org', 'Subject: plan', 'Message-ID: <i@x>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="in"', '') +
      multipart('in', [
        { headers: ['Content-Type: text/plain'], body: 'see attached' },
        { headers: ['Content-Type: application/octet-stream; name="setup.exe"', 'Content-Transfer-Encoding: base64'], body: base64Lines(peExe()) },
      ]);
    const msg = await parse(mixed([{ headers: ['Content-Type: application/octet-stream; name="plan.eml"', 'Content-Transfer-Encoding: base64'], body: base64Lines(Buffer.from(inner)) }]));
    const eml = msg.attachments.find((a) => a.name === 'plan.eml');
    expect(eml?.detected.family).toBe('message');
    expect(eml?.unscannable).toBeNull();
    expect(msg.attachments.find((a) => a.name === 'setup.exe')?.detected.family).toBe('executable');
    expect(msg.attachedMessages.map((m) => m.subject)).toContain('plan');
  });

  it('takes a message/rfc822 part whose bytes are a program as that program', async () => {
    const msg = await parse(mixed([{ headers: ['Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64'], body: base64Lines(peExe()) }]));
    expect(msg.attachments.map((a) => a.detected.family)).toEqual(['executable']);
    expect(msg.anomalies).toEqual([]);
    expect(msg.attachedMessages).toEqual([]);
  });

  it('opens an .eml inside a zip the same way', async () => {
    const inner = crlf('From: x@example.org', 'To: y@example.org', 'Subject: RESTRICTED: zipped plan', 'Message-ID: <z@x>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="in"', '') +
      multipart('in', [
        { headers: ['Content-Type: text/plain'], body: 'see attached' },
        { headers: ['Content-Type: application/octet-stream; name="setup.exe"', 'Content-Transfer-Encoding: base64'], body: base64Lines(peExe()) },
      ]);
    const zip = await zipBuffer([{ path: 'mail/plan.eml', data: Buffer.from(inner) }]);
    const msg = await parse(mixed([{ headers: ['Content-Type: application/zip; name="mail.zip"', 'Content-Transfer-Encoding: base64'], body: base64Lines(zip) }]));
    expect(msg.attachments.find((a) => a.name === 'setup.exe')?.location).toEqual(['mail.zip', 'mail/plan.eml', 'setup.exe']);
    expect(msg.markings.map((h) => h.source)).toContain('attached-message:mail.zip > mail/plan.eml:subject');
  });

  it('names attached messages by file name in marking places', () => {
    expect(markingPlace({ level: 'SECRET', rank: 5, source: 'attached-message:plan.eml:subject', text: 'SECRET' })).toBe('in plan.eml: the subject');
    expect(markingPlace({ level: 'SECRET', rank: 5, source: 'attached-message:a.eml:attached-message:b.eml:body', text: 'SECRET' })).toBe('in a.eml: b.eml: the body text');
  });
});

describe('conflicting MIME headers', () => {
  it('makes two different Content-Type fields in one part malformed', async () => {
    const msg = await parse(mixed([{ headers: ['Content-Type: text/plain', 'Content-Type: application/x-msdownload'], body: 'hello' }]));
    expect(msg.anomalies.some((a) => a.kind === 'malformed' && /2 different Content-Type/.test(a.detail))).toBe(true);
  });

  it('makes two different Content-Transfer-Encoding fields malformed', async () => {
    const msg = await parse(mixed([{ headers: ['Content-Type: text/plain', 'Content-Transfer-Encoding: 7bit', 'Content-Transfer-Encoding: base64'], body: 'aGVsbG8=' }]));
    expect(msg.anomalies.some((a) => /Content-Transfer-Encoding/.test(a.detail))).toBe(true);
  });

  it('makes two Content-Disposition fields with different file names malformed', async () => {
    const msg = await parse(mixed([{ headers: ['Content-Type: application/octet-stream', 'Content-Disposition: attachment; filename="a.pdf"', 'Content-Disposition: attachment; filename="a.exe"'], body: 'x' }]));
    expect(msg.anomalies.some((a) => /Content-Disposition/.test(a.detail))).toBe(true);
  });

  it('makes a nested multipart that reuses the enclosing boundary malformed', async () => {
    const body = crlf(...HEAD, 'Content-Type: multipart/mixed; boundary="same"', '', '--same', 'Content-Type: multipart/alternative; boundary="same"', '', '--same', 'Content-Type: text/plain', '', 'hi', '--same--', '--same--');
    const msg = await parse(body);
    expect(msg.anomalies.some((a) => /same as an enclosing/.test(a.detail))).toBe(true);
  });

  it('leaves a repeated identical header and distinct nested boundaries alone', async () => {
    const body = crlf(...HEAD, 'Content-Type: multipart/mixed; boundary="o"', '', '--o', 'Content-Type: multipart/alternative; boundary="i"', '', '--i', 'Content-Type: text/plain', 'Content-Type: text/plain', '', 'hi', '--i--', '--o--');
    const msg = await parse(body);
    expect(msg.anomalies).toEqual([]);
  });
});
