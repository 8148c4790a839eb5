import { describe, expect, it } from 'vitest';
import { personalSize } from '../../../src/policy/checks/personal-size.js';
import { context, envelope, message, SENDER } from '../builder.js';

const env = envelope(SENDER, ['sam@example.org']);
const MB = 1024 * 1024;

describe('personal-size', () => {
  it('allows 2 MB and refuses a byte more', () => {
    expect(personalSize.run(context(message({ subject: '[Personal] x', size: 2 * MB }), env))).toEqual([]);
    const [f] = personalSize.run(context(message({ subject: '[Personal] x', size: 3.4 * MB }), env));
    expect(f?.reason).toBe('Personal email is 3.4 MB, more than 2 MB: personal email may not carry large files (MPS Personal Use SOP 3.4)');
  });

  it('does not apply to business mail', () => {
    expect(personalSize.run(context(message({ size: 10 * MB }), env))).toEqual([]);
  });
});
