/**
 * Dispatch turns a decision into jobs: accepted mail to `deliver`, held mail to `quarantine`,
 * and one `audit` job for every decision and later event. Jobs carry references, never bytes.
 *
 * Order of writes around the SMTP 250 (the rule: every message answered 250 is delivered, even
 * after a crash):
 *   1. the front commits the spool file + sidecar with the FINAL state for the decision
 *      (`stateForDecision` in src/custody/decision-record.ts: queued / held / done), fsynced;
 *   2. the front calls `dispatchDecision` (jobs acknowledged by Redis, bounded by a timer);
 *   3. only then it answers 250.
 * A crash between 1 and 3 leaves a sidecar whose job may be missing: `reconcile` re-creates it on
 * start (and the client, which got no 250, may send again: a duplicate, never a loss). If step 2
 * throws DispatchError the front answers 451 4.3.0 and removes the spooled message, so it is not
 * delivered behind the client's back. Committing the final state at once saves one fsync per
 * message compared with received -> dispatch -> update; 'received' stays meaningful for fronts
 * that prefer that order, and reconcile treats it like 'queued'.
 *
 * A timed-out add cannot be cancelled inside BullMQ: it may still land later. The deliver worker
 * treats a job whose spool entry is gone as finished, so such a late job sends nothing.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditEvent } from '../audit/events.js';
import type { Sidecar } from '../spool/types.js';
import { EventStats } from './event-stats.js';
import { HeldIndex } from './held-index.js';
import {
  QUEUE_NAMES,
  QUEUE_PREFIX,
  jobId,
  type DeliverJob,
  type QuarantineJob,
} from './jobs.js';

export const DEFAULT_ADD_TIMEOUT_MS = 3_000;

/** Redis did not acknowledge a job in time, or refused it. The SMTP front answers 451 4.3.0. */
export class DispatchError extends Error {
  override readonly name = 'DispatchError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}


const DAY_S = 24 * 3600;

/**
 * Deliver jobs retry until the worker's max age gives up (the worker throws UnrecoverableError),
 * so attempts is effectively unbounded. Finished jobs are kept a bounded time: a duplicate job id
 * is ignored only while the job exists, and "forever" would fill a noeviction Redis.
 */
export const DELIVER_JOB_OPTIONS: JobsOptions = {
  attempts: 100_000,
  backoff: { type: 'mailwarden' },
  removeOnComplete: { age: DAY_S, count: 100_000 },
  removeOnFail: { age: 7 * DAY_S, count: 100_000 },
};

/** An audit record must not be lost to a brief writer outage: retry for about a day. */
export const AUDIT_JOB_OPTIONS: JobsOptions = {
  attempts: 17,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: DAY_S, count: 100_000 },
  removeOnFail: { age: 7 * DAY_S, count: 100_000 },
};

/** Nothing consumes the quarantine queue: a job there is the list entry of a held message. */
export const QUARANTINE_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: DAY_S, count: 10_000 },
  removeOnFail: { age: 7 * DAY_S, count: 10_000 },
};

export interface DispatcherOptions {
  /** A producer connection (createRedis(url, 'producer')); the caller owns and closes it. */
  readonly connection: Redis;
  /** BullMQ key prefix. Default QUEUE_PREFIX '{mailwarden}' (hash-tagged for Redis Cluster). */
  readonly prefix?: string;
  /** Bound on every Redis operation. Default 3000 ms. */
  readonly addTimeoutMs?: number;
  readonly logger?: Logger;
}

export class Dispatcher {
  readonly prefix: string;
  readonly deliverQueue: Queue<DeliverJob>;
  readonly quarantineQueue: Queue<QuarantineJob>;
  readonly auditQueue: Queue<AuditEvent>;
  /** Held mail by time and rule, for listings that must not read the spool (kept beside the quarantine entry). */
  readonly heldIndex: HeldIndex;
  /** Hourly event counts for the dashboard's overview (best effort, never fails a dispatch). */
  readonly stats: EventStats;
  private readonly timeoutMs: number;

  constructor(opts: DispatcherOptions) {
    this.prefix = opts.prefix ?? QUEUE_PREFIX;
    this.timeoutMs = opts.addTimeoutMs ?? DEFAULT_ADD_TIMEOUT_MS;
    const base = { connection: opts.connection, prefix: this.prefix };
    this.deliverQueue = new Queue<DeliverJob>(QUEUE_NAMES.deliver, { ...base, defaultJobOptions: DELIVER_JOB_OPTIONS });
    this.quarantineQueue = new Queue<QuarantineJob>(QUEUE_NAMES.quarantine, { ...base, defaultJobOptions: QUARANTINE_JOB_OPTIONS });
    this.auditQueue = new Queue<AuditEvent>(QUEUE_NAMES.audit, { ...base, defaultJobOptions: AUDIT_JOB_OPTIONS });
    this.heldIndex = new HeldIndex(opts.connection, this.prefix);
    this.stats = new EventStats(opts.connection, this.prefix);
    for (const q of [this.deliverQueue, this.quarantineQueue, this.auditQueue]) {
      // Without a listener an 'error' event would crash the process; failures surface as DispatchError.
      q.on('error', (err) => opts.logger?.warn({ err, queue: q.name }, 'queue connection error'));
    }
  }

  /** Jobs for a fresh decision: deliver or quarantine job (none for reject) plus the audit job. */
  async dispatchDecision(sidecar: Sidecar, audit: AuditEvent): Promise<void> {
    const work: Promise<unknown>[] = [this.audit(audit)];
    if (sidecar.verdict.decision === 'accept') work.push(this.addDeliver(sidecar));
    else if (sidecar.verdict.decision === 'quarantine') work.push(this.addQuarantine(sidecar));
    await Promise.all(work);
  }

  async audit(event: AuditEvent): Promise<void> {
    await this.bounded('audit', () =>
      this.auditQueue.add(event.type, event, { jobId: jobId(event.eventId.replace(/:/g, '_'), 'audit') }),
    );
    this.stats.record(event); // charts only, in memory: never a 451
  }

  /**
   * Makes sure a deliver job exists for the message (release, reconcile). A job left finished
   * (completed or failed) while the spool still says the message waits is replaced: otherwise
   * its id would block the new job until it ages out.
   */
  async deliver(sidecar: Sidecar): Promise<void> {
    await this.bounded('deliver', async () => {
      const id = jobId(sidecar.id, QUEUE_NAMES.deliver);
      const existing = await this.deliverQueue.getJob(id);
      if (existing) {
        const state = await existing.getState();
        if (state !== 'completed' && state !== 'failed') return;
        await existing.remove();
      }
      await this.deliverQueue.add(QUEUE_NAMES.deliver, deliverData(sidecar), { jobId: id });
    });
  }

  /** Makes sure the quarantine list entry exists (reconcile). */
  async quarantine(sidecar: Sidecar): Promise<void> {
    await this.addQuarantine(sidecar);
  }

  /** Drops the quarantine list entry after a release, discard or expiry. */
  async unhold(spoolId: string): Promise<void> {
    await this.bounded('quarantine', () =>
      Promise.all([this.quarantineQueue.remove(jobId(spoolId, QUEUE_NAMES.quarantine)), this.heldIndex.remove(spoolId)]),
    );
  }

  /** Closes the queues, not the connection (the caller owns it). */
  async close(): Promise<void> {
    await this.stats.flush();
    await Promise.allSettled([this.deliverQueue.close(), this.quarantineQueue.close(), this.auditQueue.close()]);
  }

  private async addDeliver(sidecar: Sidecar): Promise<void> {
    await this.bounded('deliver', () =>
      this.deliverQueue.add(QUEUE_NAMES.deliver, deliverData(sidecar), { jobId: jobId(sidecar.id, QUEUE_NAMES.deliver) }),
    );
  }

  private async addQuarantine(sidecar: Sidecar): Promise<void> {
    const data: QuarantineJob = { spoolId: sidecar.id, envelope: sidecar.envelope, rules: heldRules(sidecar) };
    await this.bounded('quarantine', () =>
      Promise.all([
        this.quarantineQueue.add(QUEUE_NAMES.quarantine, data, { jobId: jobId(sidecar.id, QUEUE_NAMES.quarantine) }),
        this.heldIndex.add(sidecar, data.rules),
      ]),
    );
  }

  /** Runs one Redis operation under the timer; any failure becomes DispatchError. */
  private async bounded<T>(what: string, op: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DispatchError(`${what} queue: Redis did not acknowledge within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    const attempt = op();
    attempt.catch(() => {}); // a late failure after the timeout must not become an unhandled rejection
    try {
      return await Promise.race([attempt, timeout]);
    } catch (err) {
      if (err instanceof DispatchError) throw err;
      throw new DispatchError(`${what} queue: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Recipients still owed a delivery: all, minus those the sidecar already records. */
export function pendingRecipients(sidecar: Sidecar): string[] {
  const settled = new Set(sidecar.outcomes.map((o) => o.rcpt));
  return sidecar.envelope.rcptTo.filter((r) => !settled.has(r));
}

function deliverData(sidecar: Sidecar): DeliverJob {
  const rules = [...new Set(sidecar.verdict.findings.map((f) => f.rule as string))];
  return { spoolId: sidecar.id, envelope: sidecar.envelope, pending: pendingRecipients(sidecar), verdict: { decision: sidecar.verdict.decision, rules } };
}

/** Rules whose configured action held the message (what a reviewer needs to see first). */
export function heldRules(sidecar: Sidecar): string[] {
  const rules = sidecar.verdict.findings
    .filter((f) => f.action === 'quarantine' && !f.excepted)
    .map((f) => f.rule as string);
  return [...new Set(rules)];
}
