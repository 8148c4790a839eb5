import { describe, expect, it } from 'vitest';
import { markedUnencrypted } from '../../../src/policy/checks/marked-unencrypted.js';
import { context, envelope, mark, message, SENDER } from '../builder.js';

const run = (markings: ReturnType<typeof mark>[], rcpt: string[], encryption: 'smime' | null = null) =>
  markedUnencrypted.run(context(message({ markings, encryption }), envelope(SENDER, rcpt)));

describe('marked-unencrypted', () => {
  it('refuses RESTRICTED / OFFICIAL-SENSITIVE unencrypted to the Internet', () => {
    const [f] = run([mark('OFFICIAL-SENSITIVE', 2, 'subject')], ['solicitor@example.co.uk', 'desk@met.police.uk']);
    expect(f?.reason).toBe(
      'Email marked OFFICIAL-SENSITIVE (in the subject) is going unencrypted to solicitor@example.co.uk, outside the force and the secure government networks: information marked RESTRICTED or above may not cross the Internet unencrypted (WMP Inf/27 2.10.1)',
    );
    expect(run([mark('RESTRICTED', 2)], ['bob@gmail.com'])).toHaveLength(1);
  });

  it('fires for CONFIDENTIAL and above too (marked-too-high fires beside it)', () => {
    expect(run([mark('CONFIDENTIAL', 3)], ['bob@example.org'])).toHaveLength(1);
  });

  it('allows encrypted mail, secure and internal recipients, and lower markings', () => {
    expect(run([mark('RESTRICTED', 2)], ['bob@example.org'], 'smime')).toEqual([]);
    expect(run([mark('RESTRICTED', 2)], ['cps@cjsm.net', 'x@kent.pnn.police.uk', 'desk@met.police.uk'])).toEqual([]);
    expect(run([mark('PROTECT', 1)], ['bob@example.org'])).toEqual([]);
    expect(run([], ['bob@example.org'])).toEqual([]);
  });
});
