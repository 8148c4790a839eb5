import { describe, expect, it } from 'vitest';
import { markedTooHigh } from '../../../src/policy/checks/marked-too-high.js';
import { context, envelope, mark, message, SENDER } from '../builder.js';

const run = (markings: ReturnType<typeof mark>[], rcpt: string[], encryption: 'smime' | null = null) =>
  markedTooHigh.run(context(message({ markings, encryption }), envelope(SENDER, rcpt)));

describe('marked-too-high', () => {
  it('refuses CONFIDENTIAL and above to a secure network, encrypted or not', () => {
    const [f] = run([mark('SECRET', 4, 'header:x-protective-marking', 'SEC=SECRET')], ['cps@cjsm.net'], 'smime');
    expect(f?.reason).toBe(
      'Email marked SECRET (in the X-Protective-Marking header) is addressed to cps@cjsm.net, outside the force network: no outside network is accredited for CONFIDENTIAL or above, encrypted or not (GPMS practice; WMP Inf/27 2.8.4 by analogy)',
    );
    expect(f?.evidence).toEqual(['SECRET (header:x-protective-marking): SEC=SECRET', 'recipient: cps@cjsm.net (secure)']);
  });

  it('allows CONFIDENTIAL inside the force, and RESTRICTED to secure networks', () => {
    expect(run([mark('CONFIDENTIAL', 3)], ['desk@met.police.uk', 'x@sub.met.police.uk'])).toEqual([]);
    expect(run([mark('RESTRICTED', 2)], ['cps@cjsm.net'])).toEqual([]);
  });
});
