/**
 * MPS Personal Use SOP 3.4: "You must take care not to over-burden MPS information systems by
 * processing, storing or transmitting large quantities of personal material or large files."
 *
 * Personal mail larger than rules.personal-size.maxBytes, counted as the bytes received.
 */
import type { Check } from '../check.js';
import { formatBytes } from '../describe.js';
import { finding } from '../finding.js';

export const personalSize: Check = {
  id: 'personal-size',
  policyRef: 'MPS Personal Use SOP 3.4',
  run(ctx) {
    const { maxBytes } = ctx.policy.rules['personal-size'];
    if (!ctx.facts.personal || ctx.message.size <= maxBytes) return [];
    return [
      finding(
        personalSize,
        `Personal email is ${formatBytes(ctx.message.size)}, more than ${formatBytes(maxBytes)}: personal email may not carry large files`,
        [`size: ${ctx.message.size} bytes (limit ${maxBytes})`],
      ),
    ];
  },
};
