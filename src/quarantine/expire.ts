/**
 * Quarantine retention (default 30 days): a held message nobody reviewed in time is expired,
 * never delivered. Its sidecar becomes 'done' (doneReason 'expired') and the audit records it;
 * with `deleteMessage` the message file goes too.
 */
import { lifecycleEvent } from '../audit/build-event.js';
import type { Dispatcher } from '../queue/dispatch.js';
import type { Spool } from '../spool/spool.js';

export interface ExpireOptions {
  readonly now?: number;
  /** Remove the message file and sidecar after recording the expiry. Default false. */
  readonly deleteMessage?: boolean;
}

/** Expires held messages older than `retentionDays`; returns their ids. */
export async function expireHeld(spool: Spool, dispatcher: Dispatcher, retentionDays: number, options: ExpireOptions = {}): Promise<string[]> {
  const now = options.now ?? Date.now();
  const cutoff = now - retentionDays * 24 * 3600 * 1000;
  const expired: string[] = [];
  for await (const held of spool.list({ state: 'held' })) {
    if (!(Date.parse(held.receivedAt) <= cutoff)) continue;
    const at = new Date(now).toISOString();
    let changed = false;
    const sidecar = await spool.updateSidecar(held.id, (s) => {
      if (s.state !== 'held') return s; // reviewed meanwhile
      changed = true;
      return { ...s, state: 'done', doneReason: 'expired' };
    });
    if (!changed) continue;
    await dispatcher.unhold(held.id);
    await dispatcher.audit(
      lifecycleEvent(sidecar, 'expired', { at, reason: `held longer than the ${retentionDays}-day quarantine retention` }),
    );
    if (options.deleteMessage) await spool.remove(held.id);
    expired.push(held.id);
  }
  return expired;
}
