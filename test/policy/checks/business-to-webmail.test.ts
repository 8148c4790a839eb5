import { describe, expect, it } from 'vitest';
import { businessToWebmail } from '../../../src/policy/checks/business-to-webmail.js';
import { context, envelope, message, SENDER } from '../builder.js';

describe('business-to-webmail', () => {
  it('records business mail to a webmail address that is not a home address', () => {
    const [f] = businessToWebmail.run(context(message(), envelope(SENDER, ['witness.jones@hotmail.com', 'alex.turner1984@gmail.com', 'x@example.org'])));
    expect(f?.reason).toBe(
      'Business email (no [Personal] tag in the subject) is addressed to witness.jones@hotmail.com at a personal webmail provider: business email may not go to personal accounts, though members of the public use webmail too (WMP Inf/27 2.5.1)',
    );
    expect(f?.evidence).toEqual(['webmail recipient: witness.jones@hotmail.com']);
  });

  it('does not apply to personal mail or to non-webmail domains', () => {
    expect(businessToWebmail.run(context(message({ subject: '[Personal] x' }), envelope(SENDER, ['bob@gmail.com'])))).toEqual([]);
    expect(businessToWebmail.run(context(message(), envelope(SENDER, ['bob@notgmail.com', 'cps@cjsm.net'])))).toEqual([]);
  });
});
