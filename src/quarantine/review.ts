/**
 * A person's decision on a held message: release (deliver it) or discard (never deliver).
 * Only a named reviewer with a reason can do either; both are audited with who and why.
 *
 * Order: the sidecar first (the truth), then the jobs, then the audit record. If Redis fails
 * after the sidecar write, the message is 'queued' on disk and reconcile creates its deliver job.
 */
import { lifecycleEvent } from '../audit/build-event.js';
import type { Dispatcher } from '../queue/dispatch.js';
import type { Spool } from '../spool/spool.js';
import type { Sidecar } from '../spool/types.js';
import { checkReviewText, QuarantineError } from './errors.js';
import { readSidecarOrThrow } from './held.js';

export interface ReviewInput {
  readonly by: string;
  readonly reason: string;
}

export interface DiscardOptions {
  /** Delete the message file now instead of keeping it until the retention sweep. Default false. */
  readonly deleteMessage?: boolean;
}

async function takeHeld(spool: Spool, id: string, action: 'release' | 'discard', input: ReviewInput, at: string): Promise<Sidecar> {
  const by = checkReviewText('by', input.by, 200);
  const reason = checkReviewText('reason', input.reason, 1000);
  await readSidecarOrThrow(spool, id); // a clear "not found" before anything else
  let wasState: string | null = null;
  const updated = await spool.updateSidecar(id, (s) => {
    if (s.state !== 'held') {
      wasState = s.state;
      return s;
    }
    const review = { action, by, reason, at };
    return action === 'release'
      ? { ...s, state: 'queued', review }
      : { ...s, state: 'done', doneReason: 'discarded', review };
  });
  if (wasState !== null) {
    throw new QuarantineError(`message ${id} is not held (its state is '${wasState}'): nothing to ${action}`, 'not-held');
  }
  return updated;
}

export async function releaseHeld(spool: Spool, dispatcher: Dispatcher, id: string, input: ReviewInput): Promise<Sidecar> {
  const at = new Date().toISOString();
  const sidecar = await takeHeld(spool, id, 'release', input, at);
  await dispatcher.deliver(sidecar);
  await dispatcher.unhold(id);
  await dispatcher.audit(
    lifecycleEvent(sidecar, 'released', { at, actor: sidecar.review?.by ?? input.by, reason: sidecar.review?.reason ?? input.reason, discriminator: Date.parse(at) }),
  );
  return sidecar;
}

export async function discardHeld(
  spool: Spool,
  dispatcher: Dispatcher,
  id: string,
  input: ReviewInput,
  options: DiscardOptions = {},
): Promise<Sidecar> {
  const at = new Date().toISOString();
  const sidecar = await takeHeld(spool, id, 'discard', input, at);
  await dispatcher.unhold(id);
  await dispatcher.audit(
    lifecycleEvent(sidecar, 'discarded', { at, actor: sidecar.review?.by ?? input.by, reason: sidecar.review?.reason ?? input.reason, discriminator: Date.parse(at) }),
  );
  if (options.deleteMessage) await spool.remove(id);
  return sidecar;
}
