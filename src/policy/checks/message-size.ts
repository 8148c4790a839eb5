/**
 * Technical limit: the largest message the gateway and the mail system behind it accept
 * (rules.message-size.maxBytes, the bytes of the message as received, after line endings were
 * normalised). The SMTP front advertises the same figure as SIZE. The intake (src/intake/) stops
 * reading a message at this limit and reports this rule's finding itself, so the check only
 * fires for callers that evaluate a parsed message directly.
 */
import type { Check } from '../check.js';
import { formatBytes } from '../describe.js';
import { finding } from '../finding.js';
import type { Finding } from '../verdict.js';

export const messageSize: Check = {
  id: 'message-size',
  policyRef: 'technical limit',
  run(ctx) {
    const { maxBytes } = ctx.policy.rules['message-size'];
    if (ctx.message.size <= maxBytes) return [];
    return [oversizeFinding(ctx.message.size, maxBytes)];
  },
};

/** The finding for a message of `size` bytes over the `maxBytes` limit. */
export function oversizeFinding(size: number, maxBytes: number): Finding {
  return finding(messageSize, `Email is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} limit`, [
    `size: ${size} bytes (limit ${maxBytes})`,
  ]);
}
