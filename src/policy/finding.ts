/** Building a finding: the reason always ends with the clause it enforces, evidence stays short. */
import type { Check } from './check.js';
import { capEvidence } from './describe.js';
import type { Finding } from './verdict.js';

export function finding(check: Pick<Check, 'id' | 'policyRef'>, reason: string, evidence: readonly string[]): Finding {
  return Object.freeze({
    rule: check.id,
    reason: `${reason} (${check.policyRef})`,
    policyRef: check.policyRef,
    evidence: Object.freeze(capEvidence(evidence.map((e) => (e.length > 200 ? `${e.slice(0, 199)}…` : e)))),
  });
}
