import { describe, expect, it } from 'vitest';
import { malformed } from '../../../src/policy/checks/malformed.js';
import { context, envelope, message, SENDER } from '../builder.js';

const env = envelope(SENDER, ['desk@met.police.uk']);

describe('malformed', () => {
  it('holds a message that hit a parse limit or broken MIME', () => {
    const [f] = malformed.run(context(message({ anomalies: [{ kind: 'parse-limit', detail: 'more than 1000 MIME parts' }, { kind: 'malformed', detail: 'missing closing boundary' }] }), env));
    expect(f?.reason).toBe(
      'The message structure could not be read reliably: more than 1000 MIME parts and missing closing boundary (technical)',
    );
    expect(f?.evidence).toEqual(['parse-limit: more than 1000 MIME parts', 'malformed: missing closing boundary']);
  });

  it('ignores decode errors (unscannable) and clean mail', () => {
    expect(malformed.run(context(message({ anomalies: [{ kind: 'decode-error', detail: 'x' }] }), env))).toEqual([]);
    expect(malformed.run(context(message(), env))).toEqual([]);
  });
});
