/**
 * Turns an inspection result into the sidecar kept with the spooled message. A reject gets one
 * too (never committed): the audit decision event is built from it (src/audit/build-event.ts).
 */
import type { Envelope } from '../message/envelope.js';
import type { InspectedMessage } from '../message/model.js';
import type { Decision, Verdict } from '../policy/verdict.js';
import type { Sidecar, SpoolState, VerdictSummary } from '../spool/types.js';
import { heldInspection } from '../quarantine/inspection-summary.js';

export function verdictSummary(verdict: Verdict): VerdictSummary {
  return {
    decision: verdict.decision,
    personal: verdict.personal,
    marking: verdict.marking,
    encrypted: verdict.encrypted,
    findings: verdict.findings,
    policyVersion: verdict.policyVersion,
    monitorMode: verdict.monitorMode,
  };
}

export interface SidecarInput {
  readonly id: string;
  readonly receivedAt: Date;
  readonly envelope: Envelope;
  readonly size: number;
  readonly sha256: string;
  readonly message: InspectedMessage;
  readonly verdict: Verdict;
  readonly addHeaders: readonly string[];
  /** The final state for the decision (queued / held), committed at once: see src/queue/dispatch.ts. */
  readonly state: SpoolState;
}

export function buildSidecar(input: SidecarInput): Sidecar {
  return {
    id: input.id,
    receivedAt: input.receivedAt.toISOString(),
    envelope: input.envelope,
    size: input.size,
    sha256: input.sha256,
    messageId: input.message.messageId,
    subject: input.message.subject,
    verdict: verdictSummary(input.verdict),
    addHeaders: input.addHeaders,
    state: input.state,
    outcomes: [],
    // Held mail keeps what inspection found, for the reviewer; other mail does not need it.
    ...(input.state === 'held' ? { inspection: heldInspection(input.message) } : {}),
  };
}

/** The sidecar state a front commits for each decision (the order of writes: src/queue/dispatch.ts). */
export function stateForDecision(decision: Decision): SpoolState {
  return decision === 'accept' ? 'queued' : decision === 'quarantine' ? 'held' : 'done';
}
