/**
 * The engine: runs the checks, then applies the policy. Checks only give reasons; here each
 * finding gets its configured action (reject, quarantine, monitor) and the sender's exceptions,
 * and the decision is the most severe action acted on: reject > quarantine > accept.
 *
 * - Exceptions (rules.<id>.exempt) match the envelope sender (MAIL FROM) or the SMTP AUTH user,
 *   exactly ('alex@met.police.uk', or an AUTH user name) or by domain ('@met.police.uk': that
 *   domain only), ignoring case; never the From header, which anyone can write. An excepted
 *   finding is recorded, not acted on.
 * - monitor findings are recorded, not acted on.
 * - In whole-policy monitor mode (mode: monitor) the decision is always accept.
 * - `wouldHave` is the decision without monitor mode and without exceptions.
 * - A check that throws must not let the message through unchecked, nor bounce it for our own
 *   bug: it becomes a finding of its rule saying the check failed, acted on as quarantine (as
 *   monitor when the rule is configured monitor, since nothing it finds could hold mail anyway).
 *   A person looks; nothing is retried for days. `onCheckError` lets the caller log the error.
 */
import type { Policy } from '../config/policy-schema.js';
import type { HomeRegistry } from '../config/home-addresses.js';
import type { Envelope } from '../message/envelope.js';
import type { InspectedMessage } from '../message/model.js';
import type { Check, CheckContext } from './check.js';
import { CHECKS } from './checks/index.js';
import { isExempt } from './exemptions.js';
import type { MessageFacts } from './facts.js';
import { computeFacts } from './facts-compute.js';
import type { RuleId } from './rules.js';
import type { Action, Decision, Finding, RuledFinding, Verdict } from './verdict.js';

/** A check that threw instead of returning findings. */
export interface CheckFailure {
  readonly rule: RuleId;
  readonly policyRef: string;
  readonly error: string;
}

export interface CheckRun {
  readonly findings: readonly Finding[];
  readonly failures: readonly CheckFailure[];
}

export interface EngineOptions {
  /** The checks to run (default: every registered check). */
  readonly checks?: readonly Check[];
  /** Told about every check that threw (for logging); the verdict already accounts for it. */
  readonly onCheckError?: (rule: RuleId, error: unknown) => void;
}

export function runChecks(ctx: CheckContext, options: EngineOptions = {}): CheckRun {
  const findings: Finding[] = [];
  const failures: CheckFailure[] = [];
  for (const check of options.checks ?? CHECKS) {
    try {
      findings.push(...check.run(ctx));
    } catch (err) {
      options.onCheckError?.(check.id, err);
      const error = err instanceof Error ? err.message : String(err);
      failures.push({ rule: check.id, policyRef: check.policyRef, error: error.slice(0, 200) });
    }
  }
  return { findings, failures };
}

export interface DecideInput {
  readonly run: CheckRun;
  readonly facts: MessageFacts;
  readonly policy: Policy;
  readonly envelope: Envelope;
}

const SEVERITY: Readonly<Record<Decision, number>> = { accept: 0, quarantine: 1, reject: 2 };

function effect(action: Action): Decision {
  return action === 'monitor' ? 'accept' : action;
}

function worst(decisions: Iterable<Decision>): Decision {
  let out: Decision = 'accept';
  for (const d of decisions) if (SEVERITY[d] > SEVERITY[out]) out = d;
  return out;
}

export { isExempt };

export function decide({ run, facts, policy, envelope }: DecideInput): Verdict {
  const ruled: RuledFinding[] = [];
  for (const f of run.findings) {
    const config = policy.rules[f.rule];
    ruled.push(Object.freeze({ ...f, action: config.action, excepted: isExempt(config.exempt, envelope) }));
  }
  for (const failure of run.failures) {
    const config = policy.rules[failure.rule];
    ruled.push(
      Object.freeze({
        rule: failure.rule,
        policyRef: failure.policyRef,
        reason: `The ${failure.rule} check could not run (internal error: ${failure.error}), so the message is held for a person to check rather than passed unchecked (${failure.policyRef})`,
        evidence: Object.freeze(['check-error', failure.error]),
        action: config.action === 'monitor' ? ('monitor' as const) : ('quarantine' as const),
        excepted: isExempt(config.exempt, envelope),
      }),
    );
  }

  const acted = (f: RuledFinding): Decision => (f.excepted ? 'accept' : effect(f.action));
  const wouldHave = worst(ruled.map((f) => effect(f.action)));
  const enforced = worst(ruled.map(acted));
  const monitorMode = policy.mode === 'monitor';
  // What was acted on first (reject, then quarantine), then the rest, each in check order.
  const ordered = ruled
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY[acted(b.f)] - SEVERITY[acted(a.f)] || a.i - b.i)
    .map(({ f }) => f);

  return Object.freeze({
    decision: monitorMode ? 'accept' : enforced,
    findings: Object.freeze(ordered),
    personal: facts.personal,
    marking: facts.marking?.level ?? null,
    encrypted: facts.encrypted,
    monitorMode,
    wouldHave,
    policyVersion: policy.version,
  });
}

/** Inspect-and-decide in one call: facts, every registered check, then the policy. */
export function evaluate(
  message: InspectedMessage,
  envelope: Envelope,
  policy: Policy,
  registry?: HomeRegistry,
  options: EngineOptions = {},
): Verdict {
  const facts = computeFacts(message, envelope, policy, registry);
  const ctx: CheckContext = { message, envelope, policy, facts };
  return decide({ run: runChecks(ctx, options), facts, policy, envelope });
}
