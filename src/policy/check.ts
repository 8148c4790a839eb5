import type { Envelope } from '../message/envelope.js';
import type { InspectedMessage } from '../message/model.js';
import type { Policy } from '../config/policy-schema.js';
import type { MessageFacts } from './facts.js';
import type { Finding } from './verdict.js';
import type { RuleId } from './rules.js';

/** Everything a check may look at. All of it is read-only. */
export interface CheckContext {
  readonly message: InspectedMessage;
  readonly envelope: Envelope;
  readonly policy: Policy;
  /** Facts derived once per message (personal tag, recipient classes, marking) so checks agree. */
  readonly facts: MessageFacts;
}

/**
 * A check is small and pure: it reads the context and returns findings.
 * It never decides the action (the engine does) and never changes the message.
 */
export interface Check {
  readonly id: RuleId;
  /** The policy clause the rule enforces, e.g. 'MPS Personal Use SOP 4.3'. */
  readonly policyRef: string;
  run(ctx: CheckContext): readonly Finding[];
}
