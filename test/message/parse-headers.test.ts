import { describe, expect, it } from 'vitest';
import { crlf, parse } from './parse-helpers.js';

describe('parseMessage: headers', () => {
  it('decodes B and Q encoded subjects in different charsets', async () => {
    const cases: [string, string][] = [
      ['=?utf-8?B?w4ljb2xlIGTDqXTDqQ==?=', 'École dété'.replace('dété', 'd\u00e9t\u00e9')],
      ['=?iso-8859-1?Q?Caf=E9_cr=E8me?=', 'Café crème'],
      ['=?windows-1252?Q?=93quoted=94?=', '\u201cquoted\u201d'],
      ['=?koi8-r?B?8NLJ18XU?=', 'Привет'],
      ['=?utf-8?Q?Part_one_?= =?utf-8?Q?and_two?=', 'Part one and two'],
      ['Plain =?UTF-8?B?4oCTIGRhc2g=?= end', 'Plain – dash end'],
    ];
    for (const [encoded, decoded] of cases) {
      const msg = await parse(crlf(`Subject: ${encoded}`, 'From: a@example.org', '', 'body'));
      expect(msg.subject).toBe(decoded);
      expect(msg.headers.get('Subject')).toBe(decoded);
    }
  });

  it('keeps every field in order, unfolded, with duplicates countable', async () => {
    const msg = await parse(
      crlf(
        'Received: from a by b; Mon, 1 Jan 2024 10:00:00 +0000',
        'Received: from c',
        '\tby d; Mon, 1 Jan 2024 09:00:00 +0000',
        'Subject: folded',
        '  subject line',
        'X-Protective-Marking: VER=2012.3, NS=gov.uk, SEC=OFFICIAL',
        'Received: from e by f',
        '',
        'body',
      ),
    );
    expect(msg.headers.fields.map((f) => f.name)).toEqual(['received', 'received', 'subject', 'x-protective-marking', 'received']);
    expect(msg.headers.count('received')).toBe(3);
    expect(msg.headers.count('RECEIVED')).toBe(3);
    expect(msg.headers.getAll('Received')[1]).toBe('from c\tby d; Mon, 1 Jan 2024 09:00:00 +0000');
    expect(msg.subject).toBe('folded  subject line');
    expect(msg.headers.has('x-protective-marking')).toBe(true);
    expect(msg.headers.has('cc')).toBe(false);
    expect(msg.headers.get('cc')).toBeUndefined();
    expect(msg.headers.getAll('cc')).toEqual([]);
  });

  it('reads raw UTF-8 header bytes and falls back to latin1 for invalid UTF-8', async () => {
    const head = Buffer.concat([
      Buffer.from('Subject: Gr\u00fc\u00dfe aus K\u00f6ln\r\n', 'utf8'),
      Buffer.from('X-Latin: caf\xe9\r\n', 'latin1'),
      Buffer.from('\r\nbody\r\n'),
    ]);
    const msg = await parse(head);
    expect(msg.subject).toBe('Grüße aus Köln');
    expect(msg.headers.get('x-latin')).toBe('café');
  });

  it('parses From/To/Cc/Bcc into addresses with lower-case domains', async () => {
    const msg = await parse(
      crlf(
        'From: =?utf-8?Q?J=C3=B6rg_M=C3=BCller?= <Joerg.Mueller@MET.Police.UK>',
        'To: "Smith, John" <John.Smith@Example.ORG>, plain@Example.org (Plain Person),',
        ' Alex Turner alex.turner@GMAIL.com',
        'Cc: Team: one@a.example, "Two" <two@B.example>;, undisclosed-recipients:;',
        'Bcc: <hidden@Secret.Example>',
        'To: second-to@example.net',
        'Subject: addresses',
        '',
        'body',
      ),
    );
    expect(msg.from).toEqual([{ name: 'Jörg Müller', address: 'Joerg.Mueller@met.police.uk' }]);
    expect(msg.to).toEqual([
      { name: 'Smith, John', address: 'John.Smith@example.org' },
      { name: 'Plain Person', address: 'plain@example.org' },
      { name: 'Alex Turner', address: 'alex.turner@gmail.com' },
      { name: '', address: 'second-to@example.net' },
    ]);
    expect(msg.cc).toEqual([
      { name: '', address: 'one@a.example' },
      { name: 'Two', address: 'two@b.example' },
    ]);
    expect(msg.bcc).toEqual([{ name: '', address: 'hidden@secret.example' }]);
  });

  it('does not let an encoded display name inject an address', async () => {
    // The decoded name holds a comma and an angle address: it must stay a name.
    const msg = await parse(crlf('To: =?utf-8?Q?Evil=2C_=3Cboss=40corp.example=3E?= <real@target.example>', '', 'x'));
    expect(msg.to).toEqual([{ name: 'Evil, <boss@corp.example>', address: 'real@target.example' }]);
  });

  it('ignores a byte order mark in front of the first header but counts its bytes', async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf('Subject: saved on Windows', '', 'x'))]);
    const msg = await parse(raw);
    expect(msg.subject).toBe('saved on Windows');
    expect(msg.anomalies).toEqual([]);
    expect(msg.size).toBe(raw.length);
  });

  it('reads Message-ID and tolerates a message with no header fields at all', async () => {
    const withId = await parse(crlf('Message-ID: <abc.123@example.org>', '', 'x'));
    expect(withId.messageId).toBe('<abc.123@example.org>');
    const bare = await parse('\r\njust a body\r\n');
    expect(bare.headers.fields).toEqual([]);
    expect(bare.subject).toBe('');
    expect(bare.messageId).toBeNull();
    expect(bare.from).toEqual([]);
    expect(bare.bodyText).toBe('just a body\n');
    expect(bare.anomalies).toEqual([]);
    const empty = await parse('');
    expect(empty.size).toBe(0);
    expect(empty.attachments).toEqual([]);
  });
});
