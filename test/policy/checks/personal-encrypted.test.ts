import { describe, expect, it } from 'vitest';
import { personalEncrypted } from '../../../src/policy/checks/personal-encrypted.js';
import { context, envelope, message, SENDER } from '../builder.js';

const env = envelope(SENDER, ['sam@example.org']);

describe('personal-encrypted', () => {
  it('holds encrypted personal mail, naming the kind', () => {
    const [f] = personalEncrypted.run(context(message({ subject: '[Personal] x', encryption: 'pgp-mime' }), env));
    expect(f?.reason).toBe(
      'Personal email is encrypted (PGP/MIME), so its content cannot be checked against the personal use rules (MPS Personal Use SOP 4.3)',
    );
    expect(f?.evidence).toEqual(['encryption: pgp-mime']);
  });

  it('does not apply to plain personal mail or encrypted business mail', () => {
    expect(personalEncrypted.run(context(message({ subject: '[Personal] x' }), env))).toEqual([]);
    expect(personalEncrypted.run(context(message({ encryption: 'smime' }), env))).toEqual([]);
  });
});
