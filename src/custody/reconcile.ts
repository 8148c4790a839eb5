/**
 * Reconcile the spool (the source of truth) with the queues, on start and whenever Redis may
 * have lost writes (AOF everysec can drop the last second of acknowledged jobs).
 *
 *   received  -> the front never confirmed its jobs: set the state the decision implies, then as below
 *   queued    -> ensure the deliver job (same id; a finished job with that id is replaced)
 *   held      -> ensure the quarantine list entry
 *   done      -> nothing (only found in msg/ when its move to done/ was lost: the move is finished)
 *
 * And the other way round: a quarantine list entry whose message is not held any more (a crash
 * between a release and the entry's removal, a spool restored from a backup) is dropped, once the
 * sidecar, read again, confirms it. Mail held while reconcile runs is held per its sidecar, so it
 * stays.
 *
 * The decision audit record: re-sent (same event id, so the audit writer writes it once) for
 * sidecars still in 'received' and for those younger than `decisionAuditWindowMs` (default
 * 60 s, far wider than the AOF loss window). Older ones are not re-sent: their record was
 * acknowledged long ago, and re-sending every held message's decision on each start would only
 * make work for the writer's de-duplication. The re-sent record is built from the sidecar, so
 * it lacks the attachment list the front had at hand.
 *
 * Idempotent: calling it again (another process, a Redis reconnect) only repeats no-ops.
 */
import type { Logger } from 'pino';
import { decisionEvent } from '../audit/build-event.js';
import type { Dispatcher } from '../queue/dispatch.js';
import type { Spool } from '../spool/spool.js';
import type { Sidecar } from '../spool/types.js';
import { stateForDecision } from './decision-record.js';

export interface ReconcileOptions {
  readonly logger?: Logger;
  readonly decisionAuditWindowMs?: number;
  /** Sidecars handled at once. Default 64: each costs a file read and two Redis round trips. */
  readonly parallel?: number;
  readonly now?: number;
}

export interface ReconcileReport {
  readonly seen: number;
  readonly deliver: number;
  readonly quarantine: number;
  readonly decisionAudits: number;
  /** Quarantine list entries dropped because their message is no longer held. */
  readonly staleHeld: number;
  readonly failures: { readonly id: string; readonly error: string }[];
}

export async function reconcile(spool: Spool, dispatcher: Dispatcher, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const window = options.decisionAuditWindowMs ?? 60_000;
  const now = options.now ?? Date.now();
  const report = { seen: 0, deliver: 0, quarantine: 0, decisionAudits: 0, staleHeld: 0, failures: [] as { id: string; error: string }[] };
  const held = new Set<string>();

  const one = async (original: Sidecar): Promise<void> => {
    let sidecar = original;
    try {
      const unconfirmed = sidecar.state === 'received';
      if (unconfirmed) {
        const state = stateForDecision(sidecar.verdict.decision);
        sidecar = await spool.updateSidecar(sidecar.id, (s) => (s.state === 'received' ? { ...s, state } : s));
      }
      if (sidecar.state === 'queued') {
        await dispatcher.deliver(sidecar);
        report.deliver++;
      } else if (sidecar.state === 'held') {
        held.add(sidecar.id);
        await dispatcher.quarantine(sidecar);
        report.quarantine++;
      }
      const age = now - Date.parse(sidecar.receivedAt);
      if (unconfirmed || age < window) {
        await dispatcher.audit(decisionEvent(sidecar, { attachments: [] }));
        report.decisionAudits++;
      }
    } catch (err) {
      report.failures.push({ id: sidecar.id, error: (err as Error).message });
      options.logger?.error({ ref: sidecar.id, err }, 'reconcile failed for message');
    }
  };

  const running = new Set<Promise<void>>();
  const limit = options.parallel ?? 64;
  // msg/ only: finished messages are in done/ and cost reconcile nothing, however many are kept.
  for await (const sidecar of spool.list({ pendingOnly: true })) {
    report.seen++;
    if (sidecar.state === 'done') {
      // Its move to done/ was lost to a crash, or the spool predates done/: finish it.
      await spool.fileDone(sidecar.id).catch((err: unknown) => options.logger?.warn({ ref: sidecar.id, err }, 'could not move a finished message to done/'));
      continue;
    }
    const p = one(sidecar).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  await dropStaleHeld(spool, dispatcher, held, report, options.logger);
  options.logger?.info(
    { seen: report.seen, deliver: report.deliver, quarantine: report.quarantine, staleHeld: report.staleHeld, failures: report.failures.length },
    'spool reconciled with queues',
  );
  return report;
}

/** Drops list entries of messages that are not held (the sidecar, read now, is the judge). */
async function dropStaleHeld(
  spool: Spool,
  dispatcher: Dispatcher,
  held: ReadonlySet<string>,
  report: { staleHeld: number; failures: { id: string; error: string }[] },
  logger: Logger | undefined,
): Promise<void> {
  let ids: string[];
  try {
    ids = await dispatcher.heldIndex.ids();
  } catch (err) {
    report.failures.push({ id: '(held index)', error: (err as Error).message });
    logger?.error({ err }, 'reconcile could not read the held-mail index');
    return;
  }
  for (const id of ids) {
    if (held.has(id)) continue;
    try {
      const state = await spool.readSidecar(id).then(
        (s) => s.state,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return null; // removed (retention): nothing left to hold
          throw err;
        },
      );
      if (state === 'held') continue; // held while reconcile ran
      await dispatcher.unhold(id);
      report.staleHeld++;
      logger?.warn({ ref: id, state }, 'reconcile dropped a quarantine list entry whose message is not held');
    } catch (err) {
      report.failures.push({ id, error: (err as Error).message });
      logger?.error({ ref: id, err }, 'reconcile could not check a quarantine list entry');
    }
  }
}
