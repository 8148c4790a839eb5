/**
 * inspect = the intake (normalise, size limit, time limit) + parse (streaming, bounded) + every
 * check + the engine's decision. It knows nothing of SMTP, milter, Redis or nodemailer: the
 * fronts, the `check` command and the tests all take the same path (src/intake/). A front that
 * also spools the bytes feeds a MessageIntake itself and attaches its spool writer to it.
 */
import type { Readable } from 'node:stream';
import type { Policy } from './config/policy-schema.js';
import { InspectionTimeout, type CheckErrorListener, type EnvelopeFromMessage, type InspectionResult } from './intake/inspection-result.js';
import { MessageIntake } from './intake/message-intake.js';
import type { Envelope } from './message/envelope.js';
import type { InspectedMessage } from './message/model.js';
import type { Check } from './policy/check.js';

export { InspectionTimeout, type CheckErrorListener, type EnvelopeFromMessage, type InspectionResult };

export interface InspectOptions {
  /** Aborts inspection; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Told about every check that threw (the verdict already holds it as a finding). */
  readonly onCheckError?: CheckErrorListener;
  /** The checks to run (default: every registered check). A test seam. */
  readonly checks?: readonly Check[];
}

/**
 * Inspects the message read from `source`. Rejects with InspectionTimeout past
 * inspection.timeoutMs, with the source's error when reading fails; a message the intake
 * refuses (too big, a bare line ending or NUL in reject mode) resolves with `refusal` set.
 */
export async function inspect(
  envelope: Envelope | EnvelopeFromMessage,
  source: Readable | AsyncIterable<Buffer>,
  policy: Policy,
  options: InspectOptions = {},
): Promise<InspectionResult> {
  const intake = new MessageIntake({
    envelope,
    policy,
    ...(options.onCheckError ? { onCheckError: options.onCheckError } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
  });
  const { signal } = options;
  signal?.throwIfAborted();
  const onAbort = () => intake.abandon(signal?.reason instanceof Error ? signal.reason : new Error('inspection aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  void feed(source, intake);
  try {
    return await intake.result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Copies `source` into the intake with backpressure; stops reading once the intake failed. */
async function feed(source: Readable | AsyncIterable<Buffer>, intake: MessageIntake): Promise<void> {
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string | Uint8Array>) {
      if (intake.failure) break;
      const wait = intake.push(toBuffer(chunk));
      if (wait) await wait;
    }
    if (intake.failure) {
      (source as Partial<Readable>).destroy?.();
      return;
    }
    await intake.finish();
  } catch (err) {
    intake.abandon(err instanceof Error ? err : new Error(String(err)));
  }
}

function toBuffer(chunk: Buffer | string | Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The envelope a message's own headers imply: From as sender; To, Cc and Bcc as recipients. */
export function envelopeFromHeaders(message: InspectedMessage): Envelope {
  const rcpts = [...message.to, ...message.cc, ...message.bcc].map((a) => a.address).filter((a) => a !== '');
  return { mailFrom: message.from[0]?.address ?? '', rcptTo: [...new Set(rcpts)] };
}
