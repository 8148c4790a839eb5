/**
 * The deliver worker: sends each spooled message upstream, per recipient, until every recipient
 * is delivered or has failed for good, then bounces what failed with a DSN.
 *
 * The spool is the guard against delivering twice: recipients the sidecar records as delivered
 * are never sent again, whatever the job data says.
 *
 * Order of writes per attempt, and the at-least-once window:
 *   upstream's final 250  ->  sidecar outcomes (fsynced; also state done when all are delivered)
 *   ->  job.updateData({pending}) (only while some remain)  ->  audit
 * A crash after the upstream's 250 and before the sidecar write (a few ms: one fsync) sends the
 * message again to those recipients on the retry: at most one duplicate, logged and audited as
 * `duplicate-sent` (BullMQ tells us an earlier attempt started and never finished). When the
 * sidecar write fails (a full disk) the acceptance goes into the job's data in Redis instead, and
 * every retry records it from there before anything else, sending those recipients nothing. A crash before the end
 * of data sends nothing the upstream kept (it discards an unfinished DATA), so the retry delivers
 * once. A crash after the sidecar write loses at most the audit records of that attempt, and the
 * next attempt re-sends them from the sidecar under the same event ids (written once).
 */
import type { Readable } from 'node:stream';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { lifecycleEvent } from '../audit/build-event.js';
import type { AuditEvent } from '../audit/events.js';
import { jobId, QUEUE_NAMES, QUEUE_PREFIX, type AcceptedRecipient, type DeliverJob } from '../queue/jobs.js';
import { deliveriesTotal, deliverySeconds } from '../metrics/metrics.js';
import { pendingRecipients, type Dispatcher } from '../queue/dispatch.js';
import type { Spool } from '../spool/spool.js';
import type { RecipientOutcome, Sidecar } from '../spool/types.js';
import { DEFAULT_MAX_AGE_MS, deliveryBackoff, pastMaxAge, type RetryOptions } from './backoff.js';
import { deliveryBytes, DeliveryStream, headerPreamble } from './delivery-stream.js';
import { readHeaderBlock } from '../message/header-block.js';
import { buildDsn, dsnOwed, sendDsn } from './dsn.js';
import { classifyError, classifySent, type AttemptResult, type RecipientReply } from './smtp-outcome.js';
import { createUpstreamTransport, type UpstreamOptions, type UpstreamTransport } from './upstream.js';

export interface DsnOptions {
  /** Our host name in Reporting-MTA and MAILER-DAEMON@... Default: the OS host name. */
  readonly hostname?: string;
  /** From: of bounces. Default: Mail Delivery System <MAILER-DAEMON@hostname>. */
  readonly from?: string;
  /** Where DSNs are sent. Default: the upstream. */
  readonly relay?: UpstreamOptions;
}

export interface DeliverWorkerOptions {
  /** A worker connection (createRedis(url, 'worker')): maxRetriesPerRequest null. */
  readonly connection: Redis;
  /** BullMQ prefix. Default '{mailwarden}'. */
  readonly prefix?: string;
  readonly spool: Spool;
  readonly dispatcher: Dispatcher;
  readonly upstream: UpstreamOptions;
  /** Where messages with route `reinject` go (held mail a milter front kept, once released): the MTA's reinjection listener. */
  readonly reinject?: UpstreamOptions;
  readonly dsn?: DsnOptions;
  readonly retry?: RetryOptions;
  /** Messages delivered in parallel by this process. Default 10. */
  readonly concurrency?: number;
  /**
   * How many times a job whose worker died may be picked up again before BullMQ fails it
   * (without a bounce). Default 1000: a crash loop must not silently drop mail.
   */
  readonly maxStalledCount?: number;
  /**
   * How long a job stays locked to a worker that stopped renewing it (a crashed process) before
   * another worker takes it over. BullMQ default 30 s; tests shorten it.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for such stalled jobs. BullMQ default 30 s. */
  readonly stalledIntervalMs?: number;
  readonly logger: Logger;
}

/** Messages up to this size are read and sent as one buffer; larger ones are streamed. */
const WHOLE_MESSAGE_BYTES = 256 * 1024;

/** Thrown to make BullMQ retry: some recipients got a temporary failure. */
export class DeliveryDeferred extends Error {
  override readonly name = 'DeliveryDeferred';
}

export function startDeliverWorker(opts: DeliverWorkerOptions): Worker<DeliverJob> {
  const upstream = createUpstreamTransport(opts.upstream);
  const dsnTransport = opts.dsn?.relay ? createUpstreamTransport(opts.dsn.relay) : upstream;
  const reinject = opts.reinject ? createUpstreamTransport(opts.reinject) : upstream;
  const delivery = new Delivery(opts, upstream, dsnTransport, reinject);
  const worker = new Worker<DeliverJob>(QUEUE_NAMES.deliver, (job) => delivery.process(job), {
    connection: opts.connection,
    prefix: opts.prefix ?? QUEUE_PREFIX,
    concurrency: opts.concurrency ?? 10,
    maxStalledCount: opts.maxStalledCount ?? 1000,
    ...(opts.lockDurationMs !== undefined ? { lockDuration: opts.lockDurationMs } : {}),
    ...(opts.stalledIntervalMs !== undefined ? { stalledInterval: opts.stalledIntervalMs } : {}),
    settings: { backoffStrategy: deliveryBackoff(opts.retry?.scheduleMs) },
  });
  worker.on('error', (err) => opts.logger.error({ err }, 'deliver worker error'));
  worker.on('closed', () => {
    upstream.close();
    if (dsnTransport !== upstream) dsnTransport.close();
    if (reinject !== upstream) reinject.close();
  });
  return worker;
}

class Delivery {
  private readonly maxAgeMs: number;
  private readonly log: Logger;
  /** Acceptances neither the spool nor Redis could record, by spool id: the next send is a duplicate. */
  private readonly unrecorded = new Map<string, string[]>();

  constructor(
    private readonly opts: DeliverWorkerOptions,
    private readonly upstream: UpstreamTransport,
    private readonly dsnTransport: UpstreamTransport,
    private readonly reinject: UpstreamTransport,
  ) {
    this.maxAgeMs = opts.retry?.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.log = opts.logger;
  }

  async process(job: Job<DeliverJob>): Promise<string> {
    const { spool } = this.opts;
    const id = job.data.spoolId;
    let sidecar = await readSidecarOrNull(spool, id);
    // Gone: the front answered 451 and removed it after a late add, or an operator removed it.
    if (!sidecar) return 'gone';
    // Acceptances only Redis knows go into the spool first; while it still cannot take them this
    // throws, and the retry waits without sending anything.
    sidecar = await this.recordAcceptedFromRedis(job, sidecar);
    // Re-sends the outcome records a crash may have lost (same ids, written once); also for 'done':
    // a fully delivered message is marked done by the same write that records its outcomes.
    await this.auditOutcomes(sidecar);
    if (sidecar.state === 'done' || sidecar.state === 'held') return `skipped: ${sidecar.state}`;

    const started = Date.now();
    const pending = pendingRecipients(sidecar);
    let deferred: RecipientReply[] = [];
    let gaveUp = false;
    if (pending.length > 0) {
      const attempt = job.attemptsMade + 1;
      const duplicateRisk = this.duplicateRisk(job, id);
      const result = await this.attempt(sidecar, pending);
      const at = new Date().toISOString();
      gaveUp = result.deferred.length > 0 && pastMaxAge(job.timestamp, sidecar.receivedAt, Date.now(), this.maxAgeMs);
      const failed = gaveUp ? [...result.failed, ...result.deferred.map(expired)] : result.failed;
      deferred = gaveUp ? [] : result.deferred;
      deliverySeconds.observe((Date.now() - started) / 1000);
      deliveriesTotal.inc({ outcome: 'delivered' }, result.delivered.length);
      deliveriesTotal.inc({ outcome: 'deferred' }, deferred.length);
      deliveriesTotal.inc({ outcome: 'failed' }, failed.length);
      // Upstream 250 -> sidecar first: this write is what stops a second delivery. When it leaves
      // nothing to do (all delivered, no bounce owed) it also marks the message done: one fsynced
      // write per delivered message instead of two.
      if (result.delivered.length + failed.length > 0) {
        sidecar = await this.recordOutcomes(job, id, result.delivered, failed, at, attempt);
      }
      if (duplicateRisk && result.delivered.length > 0) await this.reportDuplicate(sidecar, result.delivered, duplicateRisk, at);
      this.unrecorded.delete(id);
      // The job's data is only read by people (the sidecar decides what is pending): a job about
      // to complete needs no update.
      // Only the first deferral is audited (an outage would otherwise write one record per retry per
      // message); the log keeps every attempt, and the outcome record says how many it took.
      const auditDeferral = deferred.length > 0 && !job.data.deferralAudited;
      if (sidecar.state !== 'done') {
        await job.updateData({ ...job.data, pending: deferred.map((d) => d.rcpt), ...(auditDeferral ? { deferralAudited: true } : {}) });
      }
      await this.auditOutcomes(sidecar, at);
      if (auditDeferral) {
        await this.opts.dispatcher.audit(
          lifecycleEvent(sidecar, 'deferred', {
            at,
            recipients: deferred,
            discriminator: Date.parse(at),
            reason: `${deferred[0]?.response ?? ''} (first deferral; later attempts are logged, and the outcome record gives the count)`,
          }),
        );
      }
      this.log.info(
        {
          ref: id,
          attempt,
          delivered: result.delivered.map((r) => r.rcpt),
          deferred: deferred.map((r) => `${r.rcpt} ${r.response}`),
          failed: failed.map((r) => `${r.rcpt} ${r.response}`),
          gaveUp,
          ms: Date.now() - started,
        },
        'delivery attempt',
      );
    }

    sidecar = await this.settleDsn(sidecar, job);
    if (deferred.length > 0) {
      throw new DeliveryDeferred(`deferred for ${deferred.length} recipient(s): ${deferred[0]?.response ?? ''}`);
    }
    const bounced = sidecar.outcomes.some((o) => o.status === 'failed');
    if (sidecar.state !== 'done') {
      await spool.updateSidecar(id, (s) => ({ ...s, state: 'done', doneReason: bounced ? 'bounced' : 'delivered' }));
    }
    // Finished either way; a bounce ends the job as failed so it shows as such in the queue.
    if (bounced) throw new UnrecoverableError(gaveUp ? 'gave up: message too old' : 'bounced: permanent failure');
    return 'delivered';
  }

  /**
   * The attempt's outcomes into the sidecar. When that fails (ENOSPC) after the upstream accepted,
   * the acceptance goes into the job's data in Redis (acknowledged) before the error makes BullMQ
   * retry, so the retry records it instead of sending again.
   */
  private async recordOutcomes(
    job: Job<DeliverJob>,
    id: string,
    delivered: readonly RecipientReply[],
    failed: readonly RecipientReply[],
    at: string,
    attempt: number,
  ): Promise<Sidecar> {
    try {
      return await this.opts.spool.updateSidecar(id, (s) => finishIfDelivered(withOutcomes(s, delivered, failed, at, attempt)));
    } catch (err) {
      if (delivered.length === 0) throw err; // nothing was delivered: a retry sends nothing twice
      const rcpts = delivered.map((r) => r.rcpt);
      const accepted = [...(job.data.accepted ?? []), ...delivered.map((r): AcceptedRecipient => ({ rcpt: r.rcpt, code: r.code, response: r.response, at, attempt }))];
      try {
        await job.updateData({ ...job.data, accepted });
        this.log.error(
          { ref: id, err, delivered: rcpts },
          'the spool could not record a delivery the upstream accepted: kept in Redis until it can, and not sent to those recipients again',
        );
      } catch (redisErr) {
        this.unrecorded.set(id, rcpts);
        this.log.error(
          { ref: id, err, redisErr, delivered: rcpts },
          'a delivery the upstream accepted could be recorded neither in the spool nor in Redis: the retry will send a duplicate',
        );
      }
      throw err;
    }
  }

  /** Records in the sidecar what the upstream accepted while the spool could not record it (job data). */
  private async recordAcceptedFromRedis(job: Job<DeliverJob>, sidecar: Sidecar): Promise<Sidecar> {
    const settled = new Set(sidecar.outcomes.map((o) => o.rcpt));
    const accepted = (job.data.accepted ?? []).filter((a) => !settled.has(a.rcpt));
    if (accepted.length === 0) return sidecar;
    const updated = await this.opts.spool.updateSidecar(sidecar.id, (s) =>
      finishIfDelivered(accepted.reduce((acc, a) => withOutcomes(acc, [a], [], a.at, a.attempt), s)),
    );
    this.log.info({ ref: sidecar.id, delivered: accepted.map((a) => a.rcpt) }, 'delivery recorded in the spool from Redis: not sent again');
    return updated;
  }

  /** Why the upstream may already have this message for the pending recipients, or null. */
  private duplicateRisk(job: Job<DeliverJob>, id: string): string | null {
    const unrecorded = this.unrecorded.get(id);
    if (unrecorded) return `the upstream's acceptance for ${unrecorded.join(', ')} could not be recorded (spool and Redis failed)`;
    // attemptsStarted counts every start, attemptsMade the finished ones: one more start is this one.
    if (job.attemptsStarted > job.attemptsMade + 1) {
      return 'an earlier attempt started and never finished (its worker died or lost the job): the upstream may have accepted it then';
    }
    return null;
  }

  private async reportDuplicate(sidecar: Sidecar, delivered: readonly RecipientReply[], reason: string, at: string): Promise<void> {
    this.log.warn({ ref: sidecar.id, recipients: delivered.map((r) => r.rcpt), reason }, 'possible duplicate delivery sent');
    await this.opts.dispatcher.audit(lifecycleEvent(sidecar, 'duplicate-sent', { at, recipients: [...delivered], discriminator: Date.parse(at), reason }));
  }

  /** One SMTP transaction; never throws: every outcome is per recipient. */
  private async attempt(sidecar: Sidecar, pending: readonly string[]): Promise<AttemptResult> {
    let source: Readable | null = null;
    try {
      let raw: Buffer | DeliveryStream;
      if (sidecar.size <= WHOLE_MESSAGE_BYTES) {
        // The usual small message: one read and one buffer, no stream plumbing per message.
        raw = deliveryBytes(sidecar.addHeaders, await this.opts.spool.readMessageBytes(sidecar.id));
      } else {
        const body = new DeliveryStream(sidecar.addHeaders);
        const stream = this.opts.spool.readMessage(sidecar.id);
        source = stream;
        // A read error reaches sendMail through the raw stream (pipe, not pipeline(): that costs
        // an AbortController and a DOMException per message).
        stream.once('error', (err) => body.destroy(err));
        stream.pipe(body);
        raw = body;
      }
      const transport = sidecar.route === 'reinject' ? this.reinject : this.upstream;
      const info = await transport.sendMail({
        envelope: {
          from: sidecar.envelope.mailFrom,
          to: [...pending],
          size: sidecar.size + headerPreamble(sidecar.addHeaders).length,
          use8BitMime: true,
        },
        raw,
      });
      return classifySent(pending, info);
    } catch (err) {
      source?.destroy();
      return classifyError(pending, err);
    }
  }

  /** Bounces failed recipients not yet covered by a DSN (none at all for a '<>' sender). */
  private async settleDsn(sidecar: Sidecar, job: Job<DeliverJob>): Promise<Sidecar> {
    const owed = sidecar.outcomes.filter((o) => o.status === 'failed' && o.dsnAt === undefined);
    if (owed.length === 0) return sidecar;
    const at = new Date().toISOString();
    const covered = new Set(owed.map((o) => o.rcpt));
    const mark = (s: Sidecar): Sidecar => ({
      ...s,
      outcomes: s.outcomes.map((o) => (covered.has(o.rcpt) && o.status === 'failed' && !o.dsnAt ? { ...o, dsnAt: at } : o)),
    });
    if (!dsnOwed(sidecar)) return this.opts.spool.updateSidecar(sidecar.id, mark);

    const headerBlock = await readHeaderBlock(this.opts.spool.readMessage(sidecar.id)).catch(() => Buffer.alloc(0));
    const raw = buildDsn({
      sidecar,
      failed: owed,
      headerBlock,
      remoteMta: this.opts.upstream.host,
      ...(this.opts.dsn?.hostname ? { reportingMta: this.opts.dsn.hostname } : {}),
      ...(this.opts.dsn?.from ? { from: this.opts.dsn.from } : {}),
    });
    let result;
    try {
      result = await sendDsn(this.dsnTransport, sidecar, raw);
    } catch (err) {
      // A DSN relay down for twice the delivery lifetime: stop trying, say so loudly.
      if (!pastMaxAge(job.timestamp, sidecar.receivedAt, Date.now(), 2 * this.maxAgeMs)) throw err;
      this.log.error({ ref: sidecar.id, err }, 'DSN abandoned: relay unreachable too long');
      result = { outcome: 'abandoned' as const, response: (err as Error).message };
    }
    const updated = await this.opts.spool.updateSidecar(sidecar.id, mark);
    await this.opts.dispatcher.audit(
      lifecycleEvent(updated, 'dsn-sent', {
        at,
        discriminator: Date.parse(at),
        reason: `${result.outcome}: ${result.response}`,
        recipients: owed.map((o) => ({ rcpt: o.rcpt, code: o.code, response: o.response })),
      }),
    );
    this.log.info({ ref: sidecar.id, to: sidecar.envelope.mailFrom, outcome: result.outcome }, 'dsn');
    return updated;
  }

  /** delivered / bounced records for every outcome batch in the sidecar (same ids each time). */
  private async auditOutcomes(sidecar: Sidecar, onlyAt?: string): Promise<void> {
    const batches = new Map<string, RecipientOutcome[]>();
    for (const o of sidecar.outcomes) {
      if (onlyAt !== undefined && o.at !== onlyAt) continue;
      const key = `${o.status}|${o.at}`;
      const list = batches.get(key) ?? [];
      list.push(o);
      batches.set(key, list);
    }
    const events: AuditEvent[] = [];
    for (const list of batches.values()) {
      const first = list[0]!;
      events.push(
        lifecycleEvent(sidecar, first.status === 'delivered' ? 'delivered' : 'bounced', {
          at: first.at,
          discriminator: Date.parse(first.at),
          ...(first.attempt !== undefined ? { attempts: first.attempt } : {}),
          recipients: list.map((o) => ({ rcpt: o.rcpt, code: o.code, response: o.response })),
        }),
      );
    }
    await Promise.all(events.map((e) => this.opts.dispatcher.audit(e)));
  }
}

function expired(r: RecipientReply): RecipientReply {
  return { ...r, response: `${r.response} (gave up: delivery time expired)` };
}

function withOutcomes(s: Sidecar, delivered: readonly RecipientReply[], failed: readonly RecipientReply[], at: string, attempt?: number): Sidecar {
  const n = attempt !== undefined ? { attempt } : {};
  const add = [
    ...delivered.map((r): RecipientOutcome => ({ rcpt: r.rcpt, status: 'delivered', code: r.code, response: r.response, at, ...n })),
    ...failed.map((r): RecipientOutcome => ({ rcpt: r.rcpt, status: 'failed', code: r.code, response: r.response, at, ...n })),
  ];
  const fresh = new Set(add.map((o) => o.rcpt));
  return { ...s, state: 'queued', outcomes: [...s.outcomes.filter((o) => !fresh.has(o.rcpt)), ...add] };
}

/** Done at once when every recipient is delivered: nothing is pending and no bounce is owed. */
function finishIfDelivered(s: Sidecar): Sidecar {
  const settled = new Set(s.outcomes.map((o) => o.rcpt));
  const allDelivered = s.outcomes.every((o) => o.status === 'delivered') && s.envelope.rcptTo.every((r) => settled.has(r));
  return allDelivered ? { ...s, state: 'done', doneReason: 'delivered' } : s;
}

async function readSidecarOrNull(spool: Spool, id: string): Promise<Sidecar | null> {
  try {
    return await spool.readSidecar(id);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The deliver job id of a spooled message (for tests and tools). */
export function deliverJobId(spoolId: string): string {
  return jobId(spoolId, QUEUE_NAMES.deliver);
}
