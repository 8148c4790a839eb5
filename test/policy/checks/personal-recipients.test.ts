import { describe, expect, it } from 'vitest';
import { personalRecipients } from '../../../src/policy/checks/personal-recipients.js';
import { context, envelope, message, SENDER } from '../builder.js';

const people = (n: number) => Array.from({ length: n }, (_, i) => `friend${i}@example.org`);

describe('personal-recipients', () => {
  it('allows 10 recipients, holds 11 (envelope and headers counted once)', () => {
    const ten = context(message({ subject: '[Personal] x', to: people(10) }), envelope(SENDER, people(10)));
    expect(personalRecipients.run(ten)).toEqual([]);
    const eleven = context(message({ subject: '[Personal] x', to: people(6) }), envelope(SENDER, people(11)));
    const [f] = personalRecipients.run(eleven);
    expect(f?.reason).toBe(
      'Personal email is addressed to 11 recipients, more than 10: personal email may not be used for chain letters or circulars (MPS Personal Use SOP 4.3; WMP Inf/27 2.10.1)',
    );
  });

  it('does not apply to business mail', () => {
    expect(personalRecipients.run(context(message(), envelope(SENDER, people(40))))).toEqual([]);
  });
});
