import { describe, expect, it } from 'vitest';
import { personalMarkedLow } from '../../../src/policy/checks/personal-marked-low.js';
import { context, envelope, mark, message, policyWith, SENDER } from '../builder.js';

const env = envelope(SENDER, ['sam@example.org']);
const run = (subject: string, markings: ReturnType<typeof mark>[], policy?: ReturnType<typeof policyWith>) =>
  personalMarkedLow.run(context(message({ subject, markings }), env, policy));

describe('personal-marked-low', () => {
  it('holds personal mail marked PROTECT', () => {
    const [f] = run('[Personal] PROTECT', [mark('PROTECT', 1, 'body')]);
    expect(f?.reason).toBe(
      'Personal email is marked PROTECT (in the body text): protectively marked MPS information may not be sent for personal purposes (MPS Personal Use SOP 4.3)',
    );
  });

  it('leaves RESTRICTED and above to personal-marked, and OFFICIAL alone', () => {
    expect(run('[Personal] x', [mark('RESTRICTED', 2)])).toEqual([]);
    expect(run('[Personal] x', [mark('OFFICIAL', 0)])).toEqual([]);
    expect(run('[Personal] x', [])).toEqual([]);
  });

  it('follows personal-marked.minLevel for its upper bound', () => {
    const policy = policyWith((p) => (p.rules['personal-marked'].minLevel = 'CONFIDENTIAL'));
    expect(run('[Personal] x', [mark('RESTRICTED', 2)], policy)).toHaveLength(1);
  });

  it('does not apply to business mail', () => {
    expect(run('PROTECT: rota', [mark('PROTECT', 1)])).toEqual([]);
  });
});
