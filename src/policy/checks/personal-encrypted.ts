/**
 * MPS Personal Use SOP 4.3 (what personal mail may not carry) can only be enforced on content
 * that can be read: SOP 5.1-5.2, personal mail is monitored like business mail.
 *
 * Encrypted personal mail (S/MIME, PGP/MIME, inline PGP): its content cannot be checked.
 */
import type { Check } from '../check.js';
import { finding } from '../finding.js';

const KIND = { smime: 'S/MIME', 'pgp-mime': 'PGP/MIME', 'pgp-inline': 'inline PGP' } as const;

export const personalEncrypted: Check = {
  id: 'personal-encrypted',
  policyRef: 'MPS Personal Use SOP 4.3',
  run(ctx) {
    const kind = ctx.message.encryption;
    if (!ctx.facts.personal || kind === null) return [];
    return [
      finding(
        personalEncrypted,
        `Personal email is encrypted (${KIND[kind]}), so its content cannot be checked against the personal use rules`,
        [`encryption: ${kind}`],
      ),
    ];
  },
};
