import { describe, expect, it } from 'vitest';
import { autoForwardOutside } from '../../src/policy/checks/auto-forward-outside.js';
import { businessToHomeAddress } from '../../src/policy/checks/business-to-home-address.js';
import { carriesSenderName } from '../../src/policy/home-heuristic.js';
import { context, envelope, message, SENDER } from './builder.js';

const run = (headers: [string, string][], to: string[] = ['alex.home@gmail.com'], from = 'Alex Turner') =>
  autoForwardOutside.run(context(message({ headers, from: [{ name: from, address: SENDER }] }), envelope(SENDER, to)));

describe('auto-forwarding: what Exchange and Postfix leave', () => {
  it.each([
    ['X-MS-Exchange-ForwardingLoop', 'alex.turner@met.police.uk;9b1c8a4e-2f3d-4e5a-8b6c-7d8e9f0a1b2c'],
    ['X-MS-Exchange-Inbox-Rules-Loop', 'alex.turner@met.police.uk'],
    ['X-MS-Exchange-Organization-AutoForwarded', 'true'],
    ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent'],
  ] as [string, string][])('%s alone is forwarding to gmail and to an outside company', (name, value) => {
    expect(run([[name, value]])[0]?.rule).toBe('auto-forward-outside');
    expect(run([[name, value]], ['desk@clarke-solicitors.co.uk'])).toHaveLength(1);
  });

  it('mail already delivered to a force mailbox that leaves for webmail is forwarding', () => {
    for (const name of ['Delivered-To', 'X-Original-To']) {
      const [f] = run([[name, 'alex.turner@met.police.uk']]);
      expect(f?.reason).toContain(`already delivered to a force mailbox (${name}: alex.turner@met.police.uk)`);
      expect(f?.evidence).toContain('recipient: alex.home@gmail.com');
    }
    expect(run([['Delivered-To', '<duty.desk@lewisham.met.police.uk>']])).toHaveLength(1);
    // A redirect rule: Resent-* without Auto-Submitted.
    expect(run([['Resent-From', 'alex.turner@met.police.uk'], ['Resent-To', 'alex.home@gmail.com']])).toHaveLength(1);
  });

  it('a Delivered-To that names no mailbox of ours, or mail to an outside company, is not enough', () => {
    expect(run([['Delivered-To', 'someone@gmail.com']])).toEqual([]);
    expect(run([['X-Original-To', 'press@evilpolice.uk']])).toEqual([]);
    expect(run([['Delivered-To', 'alex.turner@met.police.uk']], ['desk@clarke-solicitors.co.uk'])).toEqual([]);
    expect(run([['Delivered-To', 'alex.turner@met.police.uk']], ['desk@met.police.uk'])).toEqual([]);
  });

  it('a normal reply or new message carries no signal', () => {
    expect(run([['In-Reply-To', '<a@b>'], ['References', '<a@b>'], ['Thread-Topic', 'Statement']])).toEqual([]);
  });

  it('out-of-office replies stay accepted, even when an inbox rule sent them', () => {
    const ooo: [string, string][] = [['Auto-Submitted', 'auto-replied'], ['X-Auto-Response-Suppress', 'All']];
    expect(run(ooo)).toEqual([]);
    expect(run([...ooo, ['X-MS-Exchange-Inbox-Rules-Loop', 'alex.turner@met.police.uk'], ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent']])).toEqual([]);
    expect(run([...ooo, ['Delivered-To', 'alex.turner@met.police.uk']])).toEqual([]);
    // A reply flag does not hide a real forward.
    expect(run([...ooo, ['X-MS-Exchange-Organization-AutoForwarded', 'true']])).toHaveLength(1);
  });
});

describe('home-address heuristic: how people build a webmail address from their name', () => {
  const alex = [{ first: 'alex', last: 'turner' }];
  const alexander = [{ first: 'alexander', last: 'turner' }];
  const marcus = [{ first: 'marcus', last: 'bell' }];

  it.each(['a.j.turner84', 'turner.alex', 'aturner_1984', 'alex.j.turner', 'ajturner', 'alexjturner', 'turneraj', 'turner-a-j', 'alex_turner_84', 'turner1984alex', 'a-turner'])(
    '%s is Alex Turner at home',
    (local) => expect(carriesSenderName(local, alex)).toBe(true),
  );

  it('reads a shortened first name (three letters or more) as the first name', () => {
    expect(carriesSenderName('alex.turner84', alexander)).toBe(true);
    expect(carriesSenderName('alexturner', alexander)).toBe(true);
    expect(carriesSenderName('alexis.turner', alexander)).toBe(false);
  });

  it.each(['turnerfan', 'theturners', 'turner84', 'b.turner', 'bjturner', 'alexturnerfan', 'kevin.osei1979', 'jo.bramley', 'dt.hughes77', 'lauren.fitz'])(
    '%s is not Alex Turner',
    (local) => expect(carriesSenderName(local, alex)).toBe(false),
  );

  it('takes no middle initial with a short surname, so words that contain it stay public', () => {
    expect(carriesSenderName('mbell', marcus)).toBe(true);
    expect(carriesSenderName('m.j.bell', marcus)).toBe(true);
    expect(carriesSenderName('mabell', marcus)).toBe(false);
    expect(carriesSenderName('isabell', marcus)).toBe(false);
  });

  it('business mail to a name-built webmail address is business-to-home-address', () => {
    const to = ['a.j.turner84@gmail.com'];
    const [f] = businessToHomeAddress.run(context(message({ subject: 'Case notes', to, from: [{ name: 'Alex Turner', address: SENDER }] }), envelope(SENDER, to)));
    expect(f?.reason).toContain("a.j.turner84@gmail.com (a webmail address carrying the sender's name)");
  });
});
