import { describe, expect, it } from 'vitest';
import { parseHomeAddresses } from '../../../src/config/home-addresses.js';
import { businessToHomeAddress } from '../../../src/policy/checks/business-to-home-address.js';
import { computeFacts } from '../../../src/policy/facts-compute.js';
import { context, defaultPolicy, envelope, message, SENDER } from '../builder.js';

describe('business-to-home-address', () => {
  it("holds business mail to the sender's own webmail address", () => {
    const [f] = businessToHomeAddress.run(context(message(), envelope(SENDER, ['alex.turner1984@gmail.com', 'desk@met.police.uk'])));
    expect(f?.reason).toBe(
      "Business email (no [Personal] tag in the subject) is addressed to alex.turner1984@gmail.com (a webmail address carrying the sender's name): business email may not be sent to personal accounts or home computers (WMP Inf/27 2.5.1)",
    );
  });

  it('holds business mail to a registered home address, saying so', () => {
    const { registry } = parseHomeAddresses('sam.patel@met.police.uk sam@patel-family.example\n');
    const msg = message();
    const env = envelope(SENDER, ['sam@patel-family.example']);
    const policy = defaultPolicy();
    const [f] = businessToHomeAddress.run({ message: msg, envelope: env, policy, facts: computeFacts(msg, env, policy, registry) });
    expect(f?.evidence).toEqual(['home address: sam@patel-family.example (a registered staff home address)']);
  });

  it('leaves personal mail, other webmail and the OFFICIAL-SENSITIVE [PERSONAL] descriptor case right', () => {
    expect(businessToHomeAddress.run(context(message({ subject: '[Personal] payslip' }), envelope(SENDER, ['a.turner@hotmail.co.uk'])))).toEqual([]);
    expect(businessToHomeAddress.run(context(message(), envelope(SENDER, ['bob.smith@gmail.com'])))).toEqual([]);
    const descriptor = message({ subject: 'OFFICIAL-SENSITIVE [PERSONAL] my appraisal' });
    expect(businessToHomeAddress.run(context(descriptor, envelope(SENDER, ['a.turner@hotmail.co.uk'])))).toHaveLength(1);
  });
});
