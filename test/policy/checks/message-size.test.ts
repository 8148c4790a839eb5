import { describe, expect, it } from 'vitest';
import { messageSize } from '../../../src/policy/checks/message-size.js';
import { context, envelope, message, SENDER } from '../builder.js';

const env = envelope(SENDER, ['colleague@met.police.uk']);
const MB = 1024 * 1024;

describe('message-size', () => {
  it('allows 25 MB and refuses more, business or personal', () => {
    expect(messageSize.run(context(message({ size: 25 * MB }), env))).toEqual([]);
    const [f] = messageSize.run(context(message({ size: 30 * MB }), env));
    expect(f?.reason).toBe('Email is 30 MB, more than the 25 MB limit (technical limit)');
    expect(messageSize.run(context(message({ subject: '[Personal] x', size: 26 * MB }), env))).toHaveLength(1);
  });
});
