/**
 * One message taken into custody, whichever front brought it: the intake (normalisation, limits,
 * fan-out to the spool writer and to inspection, the time limit), then the verdict taken into
 * custody in the documented order of writes (src/queue/dispatch.ts):
 *
 * - reject: nothing is kept; the audit decision is acknowledged by Redis BEFORE the front says
 *   no (no audit, no reject: tempfail instead);
 * - accept or quarantine that we keep: spool file + sidecar + directory fsynced, THEN the jobs
 *   (deliver or quarantine, and audit) acknowledged by Redis, THEN the front may say yes;
 * - accept or hold that the MTA keeps (the milter): the audit decision acknowledged, then yes.
 *
 * Any fault on the way is a tempfail (the sender retries), never a silent accept. A tempfail
 * after the decision record was queued is followed by a `tempfailed` record, so the trail never
 * says a message was taken that was not.
 */
import { decisionEvent, lifecycleEvent } from '../audit/build-event.js';
import type { Policy } from '../config/policy-schema.js';
import type { InspectionResult } from '../intake/inspection-result.js';
import { MessageIntake } from '../intake/message-intake.js';
import type { Envelope } from '../message/envelope.js';
import type { Sidecar } from '../spool/types.js';
import { decisionHeaders } from './added-headers.js';
import { buildSidecar, stateForDecision } from './decision-record.js';
import { isDiskFull, rejectionOf, type CustodyOutcome, type OutcomeSummary } from './outcome.js';
import type { CustodyContext } from './ports.js';

export interface CustodyRequest {
  /** Our reference id (the spool id), made by the front so a crash can name it. */
  readonly ref: string;
  readonly envelope: Envelope;
  readonly policy: Policy;
  /** More Received: fields than this is a mail loop. */
  readonly maxReceivedHeaders?: number;
  /** Accepted mail: spooled and delivered by us (`deliver`), or delivered by the MTA (`record`). */
  readonly accepted: 'deliver' | 'record';
  /** Held mail: spooled into our quarantine (`keep`), or held by the MTA (`record`). */
  readonly held: 'keep' | 'record';
  /** Header lines we prepend on our own delivery before the decision headers (the relay's Received:). */
  readonly deliveryHeaders?: (receivedAt: Date) => readonly string[];
  /** Where our own delivery of this message goes, when not the relay's upstream. */
  readonly route?: Sidecar['route'];
  /** Told about every check that threw (the verdict already holds it for review). */
  readonly onCheckError?: (rule: string, err: unknown) => void;
}

export class CustodyTransaction {
  /** Feed the message bytes here (pipe into it); it never fails the stream that feeds it. */
  readonly intake: MessageIntake;
  /** Milliseconds from the start to the verdict and to the spool commit: where a slow message waited. */
  readonly steps: Record<string, number> = {};
  private readonly started = Date.now();
  private readonly writer;

  constructor(
    private readonly ctx: CustodyContext,
    private readonly request: CustodyRequest,
  ) {
    this.intake = new MessageIntake({
      envelope: request.envelope,
      policy: request.policy,
      ...(request.maxReceivedHeaders !== undefined ? { maxReceivedHeaders: request.maxReceivedHeaders } : {}),
      ...(request.onCheckError ? { onCheckError: request.onCheckError } : {}),
      ...(ctx.checks ? { checks: ctx.checks } : {}),
    });
    // Mail we deliver is nearly always committed: its fdatasync overlaps the inspection. Mail the
    // MTA keeps is committed only when held in our quarantine: the sync waits for that.
    // The intake gives the parse and the writer the same bytes: the sidecar's sha256 is the parse's.
    this.writer = ctx.spool.createWriter(request.ref, { syncAtEnd: request.accepted === 'deliver', hash: false });
    this.intake.attach(this.writer, this.writer.done());
  }

  /** The sender went away before the end of the data: nothing is kept, nothing recorded. */
  async abandon(err: Error): Promise<void> {
    this.intake.abandon(err);
    await this.ctx.spool.abort(this.request.ref);
  }

  /** After the end of the data: the verdict, then custody. */
  async finish(): Promise<CustodyOutcome> {
    const { ctx, request, intake } = this;
    const ref = request.ref;
    const refusal = intake.refusal;
    if (refusal) {
      intake.abandon(new Error(`message refused: ${refusal.kind}`));
      await ctx.spool.abort(ref);
      return { kind: 'refused', ref, refusal };
    }
    if (intake.failure) {
      await ctx.spool.abort(ref);
      return this.tempfail(intake.failure);
    }
    let result: InspectionResult;
    let spooled: { size: number };
    try {
      // The spool's fsync counts against the same limit: no verdict in time, or no durable copy, is a tempfail.
      [result, spooled] = await Promise.race([Promise.all([intake.result, this.writer.done()]), intake.deadline]);
    } catch (err) {
      intake.abandon(err as Error);
      await ctx.spool.abort(ref);
      return this.tempfail(err);
    }
    this.mark('verdict');

    const { message, verdict } = result;
    if (message.size !== spooled.size) {
      // The sidecar's sha256 is the parse's (the writer does not hash): they must have read the same bytes.
      await ctx.spool.abort(ref);
      return this.tempfail(new Error(`the parse read ${message.size} bytes but the spool got ${spooled.size}`));
    }
    const envelope = request.envelope;
    const receivedAt = new Date();
    const summary: OutcomeSummary = {
      size: spooled.size,
      decision: verdict.decision,
      rules: verdict.findings.map((f) => f.rule),
      messageId: message.messageId,
    };
    const decided = decisionHeaders({ ref, verdict, rcptTo: envelope.rcptTo, internalDomains: request.policy.domains.internal });
    const keep = verdict.decision === 'accept' ? request.accepted === 'deliver' : verdict.decision === 'quarantine' && request.held === 'keep';
    const addHeaders = keep ? [...(request.deliveryHeaders?.(receivedAt) ?? []), ...decided] : [];
    // Committed with its final state (queued / held): if we crash before the jobs exist, reconcile
    // re-creates them; the sender, which got no yes, may send again (a duplicate, never a loss).
    const state = stateForDecision(verdict.decision);
    const sidecar: Sidecar = {
      ...buildSidecar({ id: ref, receivedAt, envelope, message, verdict, addHeaders, state, size: spooled.size, sha256: message.sha256 }),
      ...(request.route ? { route: request.route } : {}),
    };
    const event = decisionEvent(sidecar, message);

    if (!keep) {
      // Nothing of ours to deliver: the record is the whole of custody, and it comes first.
      await ctx.spool.abort(ref);
      try {
        await ctx.dispatcher.audit(event);
      } catch (err) {
        this.recordTempfail(sidecar, err);
        return this.tempfail(err, summary);
      }
      if (verdict.decision === 'reject') return { kind: 'rejected', ref, rejection: rejectionOf(verdict.findings, ref), summary };
      if (verdict.decision === 'quarantine') return { kind: 'held', ref, kept: false, headers: decided, summary };
      return { kind: 'accepted', ref, headers: decided, summary };
    }

    try {
      await ctx.spool.commit(ref, sidecar);
    } catch (err) {
      await ctx.spool.abort(ref);
      return this.tempfail(err, summary);
    }
    this.mark('spooled');
    try {
      await ctx.dispatcher.dispatchDecision(sidecar, event);
    } catch (err) {
      // The sender will retry: keeping this copy would deliver it twice.
      await ctx.spool.remove(ref).catch((e: unknown) => ctx.logger.error({ ref, err: e }, 'could not remove spool entry'));
      this.recordTempfail(sidecar, err);
      return this.tempfail(err, summary);
    }
    return verdict.decision === 'quarantine'
      ? { kind: 'held', ref, kept: true, headers: decided, summary }
      : { kind: 'queued', ref, summary };
  }

  private mark(step: string): void {
    this.steps[step] = Date.now() - this.started;
  }

  private tempfail(error: unknown, summary?: OutcomeSummary): CustodyOutcome {
    return { kind: 'tempfail', ref: this.request.ref, error, diskFull: isDiskFull(error), ...(summary ? { summary } : {}) };
  }

  /**
   * The decision record was queued but the sender is told to retry: a Redis that stalled may still
   * write that record later (its queued commands run after the pause). This `tempfailed` record,
   * queued after it on the same connection, keeps the trail truthful. Not awaited: the tempfail
   * must not wait on the Redis that just failed.
   */
  private recordTempfail(sidecar: Sidecar, cause: unknown): void {
    const event = lifecycleEvent(sidecar, 'tempfailed', {
      reason: `the sender was told to try again later and the message was not kept (${(cause as Error).message ?? String(cause)}): any decision record for it was never acted on`,
    });
    this.ctx.dispatcher.audit(event).catch((err: unknown) => this.ctx.logger.warn({ ref: sidecar.id, err }, 'tempfailed audit record not queued'));
  }
}
