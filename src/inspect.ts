/**
 * inspect = parse (streaming, bounded) + every check + the engine's decision.
 * It knows nothing of SMTP, milter, Redis or nodemailer: the fronts, the `check` command and
 * the tests all call it the same way.
 */
import type { Readable } from 'node:stream';
import type { Policy } from './config/policy-schema.js';
import type { Envelope } from './message/envelope.js';
import type { InspectedMessage } from './message/model.js';
import { parseMessage } from './message/parse.js';
import { evaluate } from './policy/engine.js';
import type { Verdict } from './policy/verdict.js';

export interface InspectionResult {
  readonly message: InspectedMessage;
  readonly verdict: Verdict;
  readonly envelope: Envelope;
}

export interface InspectOptions {
  /** Aborts inspection; the promise rejects with the signal's reason (the fronts answer 451). */
  readonly signal?: AbortSignal;
}

/** For `mailwarden check` without --from/--to: the envelope is taken from the parsed headers. */
export type EnvelopeFromMessage = (message: InspectedMessage) => Envelope;

export async function inspect(
  envelope: Envelope | EnvelopeFromMessage,
  source: Readable | AsyncIterable<Buffer>,
  policy: Policy,
  options: InspectOptions = {},
): Promise<InspectionResult> {
  const message = await parseMessage(source, {
    inspection: policy.inspection,
    markings: policy.markings,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const env = typeof envelope === 'function' ? envelope(message) : envelope;
  const verdict = evaluate(message, env, policy);
  return { message, verdict, envelope: env };
}

/** The envelope a message's own headers imply: From as sender; To, Cc and Bcc as recipients. */
export function envelopeFromHeaders(message: InspectedMessage): Envelope {
  const rcpts = [...message.to, ...message.cc, ...message.bcc].map((a) => a.address).filter((a) => a !== '');
  return { mailFrom: message.from[0]?.address ?? '', rcptTo: [...new Set(rcpts)] };
}
