/** What inspecting one message gives every caller: the fronts, `mailwarden check`, the tests. */
import type { Envelope } from '../message/envelope.js';
import type { InspectedMessage } from '../message/model.js';
import type { RuleId } from '../policy/rules.js';
import type { Verdict } from '../policy/verdict.js';
import type { IntakeRefusal } from './refusal.js';

export interface InspectionResult {
  /** The parsed message; for a refused message an empty model (nothing was inspected) with the size counted. */
  readonly message: InspectedMessage;
  readonly verdict: Verdict;
  readonly envelope: Envelope;
  /** Set when the intake stopped taking the message (size, bare line ending, NUL, loop): the verdict is a reject. */
  readonly refusal?: IntakeRefusal;
}

/** For `mailwarden check` without --from/--to: the envelope is taken from the parsed headers. */
export type EnvelopeFromMessage = (message: InspectedMessage) => Envelope;

/** Told about a check that threw (the verdict already holds it as a finding): for the operator's log. */
export type CheckErrorListener = (rule: RuleId, error: unknown) => void;

/** No verdict within inspection.timeoutMs: the fronts answer a temporary failure, `check` says so. */
export class InspectionTimeout extends Error {
  constructor(readonly limitMs: number) {
    super(`no verdict within ${limitMs} ms (inspection.timeoutMs)`);
    this.name = 'InspectionTimeout';
  }
}
