/**
 * Why the intake stopped taking a message before inspection could judge it, and the verdict that
 * stands for it. These are technical limits, not policy judgements: nothing past the stop is
 * kept, so the message cannot be accepted or held whatever the rule's action or monitor mode
 * says. Every front refuses it (the SMTP front: 552, 550 5.6.0, 554 5.4.6) and `mailwarden
 * check` reports the same reject.
 */
import type { Policy } from '../config/policy-schema.js';
import { oversizeFinding } from '../policy/checks/message-size.js';
import { finding } from '../policy/finding.js';
import type { Finding, RuledFinding, Verdict } from '../policy/verdict.js';

export type IntakeRefusal =
  /** Larger than rules.message-size.maxBytes, counted after normalisation. */
  | { readonly kind: 'too-big'; readonly size: number; readonly limit: number }
  /** A bare CR or LF while inspection.bareLineEndings is 'reject'. */
  | { readonly kind: 'bare-line-ending' }
  /** A NUL byte while inspection.nulBytes is 'reject'. */
  | { readonly kind: 'nul-byte' }
  /** More Received: fields than the front's limit (RFC 5321 6.3). */
  | { readonly kind: 'mail-loop'; readonly count: number; readonly limit: number };

const MALFORMED = { id: 'malformed', policyRef: 'technical' } as const;

function findingFor(refusal: IntakeRefusal): Finding {
  switch (refusal.kind) {
    case 'too-big':
      return oversizeFinding(refusal.size, refusal.limit);
    case 'bare-line-ending':
      return finding(MALFORMED, 'The message data has a bare CR or LF (lines must end with CRLF), and inspection.bareLineEndings is set to reject such mail', [
        'bare CR or LF in message data',
      ]);
    case 'nul-byte':
      return finding(MALFORMED, 'The message data has a NUL byte, which no mail may carry (RFC 5322 2.3), and inspection.nulBytes is set to reject such mail', [
        'NUL byte in message data',
      ]);
    case 'mail-loop':
      return finding(MALFORMED, `The message has ${refusal.count} Received: headers, more than the limit of ${refusal.limit}: it is going round in a mail loop (RFC 5321 6.3)`, [
        `Received: headers: ${refusal.count} (limit ${refusal.limit})`,
      ]);
  }
}

export function refusalVerdict(refusal: IntakeRefusal, policy: Policy): Verdict {
  const ruled: RuledFinding = Object.freeze({ ...findingFor(refusal), action: 'reject' as const, excepted: false });
  return Object.freeze({
    decision: 'reject',
    findings: Object.freeze([ruled]),
    personal: false,
    marking: null,
    encrypted: false,
    monitorMode: policy.mode === 'monitor',
    wouldHave: 'reject',
    policyVersion: policy.version,
  });
}
