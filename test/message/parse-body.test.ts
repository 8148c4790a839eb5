import { describe, expect, it } from 'vitest';
import { markingsInHeaders, markingsInSubject, markingsInText } from '../../src/message/markings.js';
import { base64Lines, crlf, multipart, parse, parseOptions } from './parse-helpers.js';

describe('parseMessage: body text', () => {
  it('decodes text/plain by charset and transfer encoding', async () => {
    const qp = await parse(crlf('Subject: x', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', 'Caf=E9 au lait, soft=', ' break and =3D sign'));
    expect(qp.bodyText).toBe('Café au lait, soft break and = sign\n');
    const b64 = await parse(crlf('Subject: x', 'Content-Type: text/plain; charset=koi8-r', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]))));
    expect(b64.bodyText).toBe('Привет');
    expect(b64.anomalies).toEqual([]);
  });

  it('reads an unknown charset as latin1 and records a decode-error', async () => {
    const raw = Buffer.concat([Buffer.from(crlf('Subject: x', 'Content-Type: text/plain; charset=x-klingon', '')), Buffer.from('caf\xe9', 'latin1')]);
    const msg = await parse(raw);
    expect(msg.bodyText).toBe('café');
    expect(msg.anomalies).toContainEqual({ kind: 'decode-error', detail: "part 1: unknown charset 'x-klingon' read as latin1" });
  });

  it('refuses UTF-7 (a way to smuggle markup) like an unknown charset', async () => {
    const msg = await parse(crlf('Content-Type: text/plain; charset=utf-7', '', '+ADw-b+AD4-'));
    expect(msg.bodyText).toBe('+ADw-b+AD4-\n');
    expect(msg.anomalies.map((a) => a.kind)).toEqual(['decode-error']);
  });

  it('prefers text/plain in multipart/alternative and strips tags when only HTML exists', async () => {
    const alt = await parse(
      crlf('Subject: alt', 'Content-Type: multipart/alternative; boundary="a"', '') +
        multipart('a', [
          { headers: ['Content-Type: text/plain'], body: 'Plain version' },
          { headers: ['Content-Type: text/html'], body: '<p>HTML version</p>' },
        ]),
    );
    expect(alt.bodyText).toBe('Plain version');
    expect(alt.attachments).toEqual([]);

    const html = await parse(
      crlf('Subject: html', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '') +
        '<html><head><title>t</title><style>p{color:red}</style></head><body>\r\n<p>OFFICIAL-SENSITIVE</p>\r\n' +
        '<div>Fish &amp; chips &#163;5 &lt;cheap&gt; caf=C3=A9</div><script>document.write("hidden")</script>' +
        '<p title="a > b">after</p><!-- a comment -->end</body></html>\r\n',
    );
    expect(html.bodyText).toBe('OFFICIAL-SENSITIVE\nFish & chips £5 <cheap> café\nafter\nend\n');
  });

  it('uses HTML when the plain alternative is blank', async () => {
    const msg = await parse(
      crlf('Content-Type: multipart/alternative; boundary="a"', '') +
        multipart('a', [
          { headers: ['Content-Type: text/plain'], body: '  ' },
          { headers: ['Content-Type: text/html'], body: '<b>Real text</b>' },
        ]),
    );
    expect(msg.bodyText).toBe('Real text');
  });

  it('joins several plain body parts and unwraps format=flowed', async () => {
    const msg = await parse(
      crlf('Content-Type: multipart/mixed; boundary="m"', '') +
        multipart('m', [
          { headers: ['Content-Type: text/plain; format=flowed'], body: 'This line is \r\nsoft broken.\r\n>quoted\r\n Stuffed' },
          { headers: ['Content-Type: image/png', 'Content-Disposition: inline'], body: 'png' },
          { headers: ['Content-Type: text/plain'], body: 'Second part' },
        ]),
    );
    expect(msg.bodyText).toBe('This line is soft broken.\n>quoted\nStuffed\nSecond part');
    expect(msg.attachments.map((a) => a.id)).toEqual(['2']);
  });

  it('caps the body text at maxBodyTextChars', async () => {
    const msg = await parse(crlf('Content-Type: text/plain', '', 'a'.repeat(5000)), { maxBodyTextChars: 1000 });
    expect(msg.bodyText).toBe('a'.repeat(1000));
  });

  it('collects markings from the subject, the headers and the body with the shared scanners', async () => {
    const subject = 'RESTRICTED: operation plan';
    const body = 'Protective Marking: OFFICIAL-SENSITIVE\nText of the plan.\n';
    const msg = await parse(crlf(`Subject: ${subject}`, 'X-Protective-Marking: VER=2012.3, NS=gov.uk, SEC=PROTECT', 'Content-Type: text/plain', '', body.replace(/\n/g, '\r\n')));
    const scheme = parseOptions().markings;
    const expected = [
      ...markingsInSubject(subject, scheme),
      ...markingsInHeaders(msg.headers.fields, scheme),
      ...markingsInText(body + '\n', scheme, 'body'),
    ];
    expect(msg.markings).toEqual(expected);
  });
});
