import { describe, expect, it } from 'vitest';
import { autoForwardOutside } from '../../../src/policy/checks/auto-forward-outside.js';
import { context, envelope, message, SENDER } from '../builder.js';

const outside = envelope(SENDER, ['alex.home@gmail.com']);
const run = (headers: [string, string][], env = outside, to: string[] = []) =>
  autoForwardOutside.run(context(message({ headers, to }), env));

describe('auto-forward-outside', () => {
  it.each([
    ['X-MS-Exchange-Organization-AutoForwarded', 'true'],
    ['X-MS-Exchange-Inbox-Rules-Loop', 'alex.turner@met.police.uk'],
    ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent'],
    ['Auto-Submitted', 'auto-forwarded'],
    ['Auto-Submitted', 'Auto-Forwarded; owner-email="a@b"'],
    ['X-Forwarded-To', 'alex.home@gmail.com'],
    ['X-Forwarded-For', 'alex.turner@met.police.uk alex.home@gmail.com'],
  ] as [string, string][])('refuses %s: %s to an outside recipient', (name, value) => {
    const [f] = run([[name, value]]);
    expect(f?.rule).toBe('auto-forward-outside');
    expect(f?.policyRef).toBe('WMP Inf/27 2.5.1');
  });

  it('refuses Resent-* with an automatic Auto-Submitted, not a hand re-send', () => {
    expect(run([['Resent-From', 'alex.turner@met.police.uk'], ['Auto-Submitted', 'auto-generated']])).toHaveLength(1);
    // To an outside company; to webmail a redirect's Resent-* alone counts (see forwarding-signals.test.ts).
    const company = envelope(SENDER, ['desk@clarke-solicitors.co.uk']);
    expect(run([['Resent-From', 'alex.turner@met.police.uk']], company)).toEqual([]);
    expect(run([['Resent-From', 'alex.turner@met.police.uk'], ['Auto-Submitted', 'no']], company)).toEqual([]);
  });

  it('is not fooled by out-of-office replies or a false AutoForwarded flag', () => {
    expect(run([['Auto-Submitted', 'auto-replied']])).toEqual([]);
    expect(run([['X-MS-Exchange-Organization-AutoForwarded', 'false']])).toEqual([]);
    expect(run([['X-MS-Exchange-Generated-Message-Source', 'Journal Agent']])).toEqual([]);
  });

  it('allows auto-forwarding inside the force and to secure networks', () => {
    const h: [string, string][] = [['Auto-Submitted', 'auto-forwarded']];
    expect(run(h, envelope(SENDER, ['desk@met.police.uk', 'partner@kent.police.uk', 'gp@nhs.net']))).toEqual([]);
  });

  it('names the signal and recipient, and keeps an envelope-only recipient as evidence', () => {
    const [f] = run([['X-MS-Exchange-Organization-AutoForwarded', 'true']], envelope(SENDER, ['alex.home@gmail.com', 'desk@met.police.uk']), ['desk@met.police.uk']);
    expect(f?.reason).toBe(
      'Email was forwarded automatically (X-MS-Exchange-Organization-AutoForwarded: true) to alex.home@gmail.com, outside the force and the secure government networks: mail may not be forwarded automatically to personal or outside accounts (WMP Inf/27 2.5.1)',
    );
    expect(f?.evidence).toEqual([
      'X-MS-Exchange-Organization-AutoForwarded: true',
      'recipient: alex.home@gmail.com',
      'envelope only (in no To/Cc header): alex.home@gmail.com',
    ]);
  });

  it('an envelope-only recipient alone is not forwarding (every Bcc looks like that)', () => {
    expect(run([], envelope(SENDER, ['bcc@gmail.com']), ['desk@met.police.uk'])).toEqual([]);
  });
});
