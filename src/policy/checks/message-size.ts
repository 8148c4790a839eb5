/**
 * Technical limit: the largest message the gateway and the mail system behind it accept
 * (rules.message-size.maxBytes, the bytes of the message as received). The SMTP front
 * advertises the same figure as SIZE.
 */
import type { Check } from '../check.js';
import { formatBytes } from '../describe.js';
import { finding } from '../finding.js';

export const messageSize: Check = {
  id: 'message-size',
  policyRef: 'technical limit',
  run(ctx) {
    const { maxBytes } = ctx.policy.rules['message-size'];
    if (ctx.message.size <= maxBytes) return [];
    return [
      finding(
        messageSize,
        `Email is ${formatBytes(ctx.message.size)}, more than the ${formatBytes(maxBytes)} limit`,
        [`size: ${ctx.message.size} bytes (limit ${maxBytes})`],
      ),
    ];
  },
};
