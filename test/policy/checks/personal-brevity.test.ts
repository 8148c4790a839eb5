import { describe, expect, it } from 'vitest';
import { personalBrevity } from '../../../src/policy/checks/personal-brevity.js';
import { context, envelope, message, policyWith, SENDER } from '../builder.js';

const env = envelope(SENDER, ['sam@example.org']);
const lines = (n: number, text = 'a line of text') => Array.from({ length: n }, () => text).join('\n');

describe('personal-brevity', () => {
  it('allows 30 lines and holds 31', () => {
    const run = (body: string) => personalBrevity.run(context(message({ subject: '[Personal] x', bodyText: body }), env));
    expect(run(lines(30))).toEqual([]);
    const [f] = run(lines(31));
    expect(f?.reason).toBe(
      'Personal email has 31 lines and 434 characters of its own text (quoted history and the disclaimer not counted): personal email must be brief, at most 30 lines and 3,000 characters (MPS Personal Use SOP 3.4)',
    );
  });

  it('holds over 3,000 characters on few lines', () => {
    const [f] = personalBrevity.run(context(message({ subject: '[Personal] x', bodyText: 'x'.repeat(3001) }), env));
    expect(f?.evidence).toEqual(['lines: 1 (limit 30)', 'characters: 3001 (limit 3000)']);
  });

  it('does not count quoted history or the disclaimer', () => {
    const body = `Yes please.\nOn Tue, 4 Jun 2024, Sam wrote:\n${lines(100)}`;
    expect(personalBrevity.run(context(message({ subject: '[Personal] x', bodyText: body }), env))).toEqual([]);
    const disclaimer = lines(40, 'Legal text.');
    const policy = policyWith((p) => (p.rules['personal-brevity'].disclaimer = disclaimer));
    const msg = message({ subject: '[Personal] x', bodyText: `Hi\n${disclaimer}` });
    expect(personalBrevity.run(context(msg, env, policy))).toEqual([]);
    expect(personalBrevity.run(context(msg, env))).toHaveLength(1);
  });

  it('does not apply to business mail or to an encrypted body', () => {
    expect(personalBrevity.run(context(message({ bodyText: lines(100) }), env))).toEqual([]);
    expect(personalBrevity.run(context(message({ subject: '[Personal] x', bodyText: lines(100), encryption: 'pgp-inline' }), env))).toEqual([]);
  });
});
