import { describe, expect, it } from 'vitest';
import { parseHomeAddresses } from '../../src/config/home-addresses.js';
import { computeFacts } from '../../src/policy/facts-compute.js';
import { defaultPolicy, envelope, mark, message, policyWith, SENDER } from './builder.js';

const policy = defaultPolicy();

describe('computeFacts', () => {
  it('unions envelope and To/Cc recipients, lower-cased, once each, with where they were seen', () => {
    const msg = message({ to: ['Bob@Example.org', 'carol@met.police.uk'], cc: [{ name: 'Dee', address: 'dee@nhs.net' }, { name: 'bad', address: '' }] });
    const facts = computeFacts(msg, envelope(SENDER, ['bob@example.org', 'EVE@gmail.com']), policy);
    const byAddress = Object.fromEntries(facts.recipients.map((r) => [r.address, [r.class, r.seenIn]]));
    expect(byAddress).toEqual({
      'bob@example.org': ['external', 'both'],
      'eve@gmail.com': ['webmail', 'envelope'],
      'carol@met.police.uk': ['internal', 'headers'],
      'dee@nhs.net': ['secure', 'headers'],
    });
  });

  it('recognises the sender\'s own webmail address as home, and nobody else\'s', () => {
    const rcpt = ['alex.turner1984@gmail.com', 'a.turner@hotmail.co.uk', 'turner.alex@gmail.com', 'alexturner@yahoo.co.uk', 'bob.smith@gmail.com', 'turnerfan@gmail.com', 'alex.turner@example.org'];
    const facts = computeFacts(message(), envelope(SENDER, rcpt), policy);
    const home = facts.recipients.filter((r) => r.homeAddress).map((r) => r.address);
    expect(home).toEqual(['alex.turner1984@gmail.com', 'a.turner@hotmail.co.uk', 'turner.alex@gmail.com', 'alexturner@yahoo.co.uk']);
  });

  it('uses the From display name when the envelope sender is not first.last', () => {
    const msg = message({ from: [{ name: 'Turner, Alex', address: 'duty.desk@met.police.uk' }] });
    const facts = computeFacts(msg, envelope('duty.desk@met.police.uk', ['aturner@gmail.com']), policy);
    expect(facts.recipients[0]?.homeAddress).toBe(true);
  });

  it('counts registered home addresses on any domain, and the guess can be switched off', () => {
    const { registry } = parseHomeAddresses('sam.patel@met.police.uk  SPatel@Example.net\n');
    const rcpt = ['spatel@example.net', 'alex.turner1984@gmail.com'];
    const guessing = computeFacts(message(), envelope(SENDER, rcpt), policy, registry);
    expect(guessing.recipients.map((r) => r.homeAddress)).toEqual([true, true]);
    const noGuess = policyWith((p) => (p.staff.guessHomeAddresses = false));
    const registeredOnly = computeFacts(message(), envelope(SENDER, rcpt), noGuess, registry);
    expect(registeredOnly.recipients.map((r) => r.homeAddress)).toEqual([true, false]);
  });

  it('takes the highest marking, the personal tag and encryption', () => {
    const msg = message({
      subject: '[Personal] hello',
      markings: [mark('OFFICIAL', 0), mark('RESTRICTED', 2, 'body'), mark('OFFICIAL-SENSITIVE', 2, 'header:msip_labels'), mark('PROTECT', 1)],
      encryption: 'smime',
    });
    const facts = computeFacts(msg, envelope('Alex.Turner@met.police.uk', []), policy);
    expect(facts.marking?.level).toBe('RESTRICTED');
    expect(facts.personal).toBe(true);
    expect(facts.encrypted).toBe(true);
    expect(facts.sender).toBe('alex.turner@met.police.uk');
    expect(computeFacts(message(), envelope(SENDER, []), policy)).toMatchObject({ marking: null, personal: false, encrypted: false });
  });

  it('does not take the OFFICIAL-SENSITIVE [PERSONAL] descriptor for the tag', () => {
    const facts = computeFacts(message({ subject: 'OFFICIAL-SENSITIVE [PERSONAL] witness details' }), envelope(SENDER, []), policy);
    expect(facts.personal).toBe(false);
  });
});
