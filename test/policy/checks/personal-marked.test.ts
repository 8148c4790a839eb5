import { describe, expect, it } from 'vitest';
import { personalMarked } from '../../../src/policy/checks/personal-marked.js';
import { context, envelope, mark, message, SENDER } from '../builder.js';

const env = envelope(SENDER, ['sam@example.org']);
const run = (subject: string, markings: ReturnType<typeof mark>[]) => personalMarked.run(context(message({ subject, markings }), env));

describe('personal-marked', () => {
  it('refuses personal mail marked RESTRICTED or above, wherever the marking was found', () => {
    const [f] = run('[Personal] x', [mark('RESTRICTED', 2, 'attachment:plan.docx')]);
    expect(f?.reason).toBe(
      "Personal email is marked RESTRICTED (in attachment 'plan.docx'): protectively marked MPS information may not be sent for personal purposes (MPS Personal Use SOP 4.3)",
    );
    expect(run('[Personal] x', [mark('OFFICIAL-SENSITIVE', 2, 'header:msip_labels')])).toHaveLength(1);
    expect(run('[Personal] x', [mark('SECRET', 4)])).toHaveLength(1);
  });

  it('leaves PROTECT to personal-marked-low and ignores OFFICIAL', () => {
    expect(run('[Personal] x', [mark('PROTECT', 1)])).toEqual([]);
    expect(run('[Personal] x', [mark('OFFICIAL', 0)])).toEqual([]);
  });

  it('does not apply to business mail', () => {
    expect(run('RESTRICTED: plan', [mark('RESTRICTED', 2)])).toEqual([]);
  });
});
