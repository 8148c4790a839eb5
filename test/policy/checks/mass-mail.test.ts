import { describe, expect, it } from 'vitest';
import { massMail } from '../../../src/policy/checks/mass-mail.js';
import { context, envelope, message, SENDER } from '../builder.js';

const people = (n: number, domain = 'met.police.uk') => Array.from({ length: n }, (_, i) => `officer${i}@${domain}`);

describe('mass-mail', () => {
  it('allows 50 recipients and holds 51, counting header-only recipients too', () => {
    expect(massMail.run(context(message(), envelope(SENDER, people(50))))).toEqual([]);
    const [f] = massMail.run(context(message({ cc: ['extra@met.police.uk'] }), envelope(SENDER, people(50))));
    expect(f?.reason).toBe(
      'Email is addressed to 51 recipients, more than 50: mail to this many people needs approval by an authorised person (WMP Inf/27 2.10.1)',
    );
  });
});
