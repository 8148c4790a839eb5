import type { RuleId } from './rules.js';

/** What the configuration says to do when a rule finds something. `monitor` records only. */
export type Action = 'reject' | 'quarantine' | 'monitor';

/** What happens to the message. */
export type Decision = 'accept' | 'quarantine' | 'reject';

/** What a check returns: a reason, never an action. */
export interface Finding {
  readonly rule: RuleId;
  /** The reason in plain words, for a compliance officer: what was found and why it breaks the rule. */
  readonly reason: string;
  /** The policy clause enforced, e.g. 'WMP Inf/27 2.5.1'. */
  readonly policyRef: string;
  /** What was seen: names, types, recipients, levels. Short strings only. */
  readonly evidence: readonly string[];
}

/** A finding after the engine applied the configured action and exceptions. */
export interface RuledFinding extends Finding {
  readonly action: Action;
  /** True when the sender is excepted from this rule: recorded, not acted on. */
  readonly excepted: boolean;
}

export interface Verdict {
  readonly decision: Decision;
  readonly findings: readonly RuledFinding[];
  readonly personal: boolean;
  /** Highest protective marking found (canonical level name), or null. */
  readonly marking: string | null;
  readonly encrypted: boolean;
  /** True when the whole policy runs in monitor mode: the decision is always accept. */
  readonly monitorMode: boolean;
  /** The decision the policy would have made without monitor mode and exceptions. */
  readonly wouldHave: Decision;
  /** sha256 of the policy file, to tie audit records to the policy in force. */
  readonly policyVersion: string;
}
