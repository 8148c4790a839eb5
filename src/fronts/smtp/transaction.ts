/**
 * One DATA transaction: stream the message to the spool and to inspection at once, then answer.
 *
 * The order of writes is the durability promise: 250 only after the spool entry (file, sidecar,
 * directory) is fsynced AND Redis acknowledged the jobs. Any fault or timeout on the way is
 * 451 4.3.0 with our reference id (the client retries), never a silent accept. A reject is never
 * spooled, but its audit event is queued first: no audit, no 550 (451 instead).
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { decisionEvent } from '../../audit/build-event.js';
import { inspect, type InspectionResult } from '../../inspect.js';
import { makeEnvelope, type Envelope } from '../../message/envelope.js';
import { observeTransaction } from '../../metrics/metrics.js';
import type { RuledFinding } from '../../policy/verdict.js';
import { stateForDecision } from '../../queue/dispatch.js';
import { decisionHeaders, receivedHeader } from './added-headers.js';
import { DataSink, type DiscardReason } from './data-sink.js';
import { buildSidecar } from './decision-record.js';
import type { FrontContext } from './front-context.js';
import { replyLine, smtpReply, type Reply, type SmtpReply } from './replies.js';

export interface TransactionHooks {
  /** Our reference id for this transaction (the spool id), made by the caller so a crash can name it. */
  readonly ref: string;
  /** Drops the client's connection (a DATA transfer that stalled). */
  closeConnection(): void;
}

class InspectionTimeout extends Error {
  constructor(ms: number) {
    super(`no verdict within ${ms} ms`);
    this.name = 'InspectionTimeout';
  }
}

/** Returns the reply to send, or null when the client went away mid-DATA (nothing kept). */
export async function receiveMessage(
  ctx: FrontContext,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  hooks: TransactionHooks,
): Promise<SmtpReply | null> {
  const started = Date.now();
  const { config, policy } = ctx.settings();
  const smtp = config.smtp;
  const envelope = envelopeOf(session);
  const id = hooks.ref;
  const logFields = {
    ref: id,
    client: envelope.clientAddress,
    helo: envelope.helo,
    user: envelope.authUser,
    mailFrom: envelope.mailFrom,
    rcptTo: envelope.rcptTo,
  };
  // Milliseconds since `started` at each step: where a slow transaction spent its time.
  const steps: Record<string, number> = {};
  const mark = (step: string) => (steps[step] = Date.now() - started);
  const finish = (reply: Reply, extra: Record<string, unknown> = {}, err?: unknown): SmtpReply => {
    const r = smtpReply(reply);
    const line = { ...logFields, ...extra, reply: replyLine(r), ms: Date.now() - started, steps };
    if (err) ctx.logger.error({ ...line, err }, 'smtp transaction failed');
    else ctx.logger.info(line, 'smtp transaction');
    observeTransaction(r.code, extra as Parameters<typeof observeTransaction>[1], steps);
    return r;
  };

  const abort = new AbortController();
  const writer = ctx.spool.createWriter(id);
  const input = new PassThrough({ highWaterMark: 64 * 1024 });
  const sink = new DataSink({
    size: smtp.size,
    bareLineEndings: smtp.bareLineEndings,
    maxReceivedHeaders: smtp.maxReceivedHeaders,
    onDiscard: (reason, err) => {
      abort.abort(err ?? new Error(`message discarded: ${reason}`));
      writer.destroy();
      input.destroy();
    },
  });
  sink.attach(writer, true);
  sink.attach(input, false);

  const inspection = inspect(envelope, input, policy, { signal: abort.signal });
  // Settle handling runs at once, so a failure while DATA still streams stops the spooling too.
  const inspected: Promise<InspectionResult> = inspection.then(
    (result) => {
      sink.detach(input);
      input.destroy();
      return result;
    },
    (err: unknown) => {
      sink.detach(input);
      input.destroy();
      sink.discard('internal', err as Error);
      throw err;
    },
  );
  inspected.catch(() => {}); // awaited below; never an unhandled rejection

  const stall = watchForStall(sink, smtp.socketTimeoutMs, () => {
    ctx.logger.warn({ ...logFields, bytes: sink.bytesIn }, 'DATA transfer stalled: closing the connection');
    hooks.closeConnection();
  });
  try {
    await pump(stream, sink);
  } catch (err) {
    // The client went away mid-DATA: no spool file, no job, no reply.
    sink.discard('internal', err as Error);
    await ctx.spool.abort(id);
    ctx.logger.info({ ...logFields, bytes: sink.bytesIn, ms: Date.now() - started }, 'client disconnected during DATA');
    return null;
  } finally {
    clearInterval(stall);
  }
  mark('data');

  const refused: DiscardReason | null = stream.sizeExceeded ? 'too-big' : sink.discardReason;
  if (refused) {
    sink.discard(refused);
    await ctx.spool.abort(id);
    const err = refused === 'internal' ? (sink.discardError ?? new Error('internal error')) : undefined;
    return finish(refusal(refused, id, smtp.size, sink.received.count, smtp.maxReceivedHeaders), { size: sink.bytesIn }, err);
  }

  let timer: NodeJS.Timeout | undefined;
  let result: InspectionResult;
  let spooled: { size: number; sha256: string };
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new InspectionTimeout(smtp.inspectionTimeoutMs);
        abort.abort(err);
        reject(err);
      }, smtp.inspectionTimeoutMs);
    });
    [result, spooled] = await Promise.race([Promise.all([inspected, writer.done()]), timeout]);
  } catch (err) {
    sink.discard('internal', err as Error);
    await ctx.spool.abort(id);
    return finish({ kind: 'temporary-failure', ref: id }, { size: sink.bytesIn }, err);
  } finally {
    clearTimeout(timer);
  }
  mark('verdict');

  const { message, verdict } = result;
  const receivedAt = new Date();
  const outcome = {
    size: spooled.size,
    decision: verdict.decision,
    rules: verdict.findings.map((f) => f.rule),
    messageId: message.messageId,
  };
  const addHeaders =
    verdict.decision === 'reject'
      ? []
      : [
          receivedHeader({
            ref: id,
            hostname: config.hostname,
            protocol: session.transmissionType,
            rcptTo: envelope.rcptTo,
            date: receivedAt,
            ...(envelope.helo ? { helo: envelope.helo } : {}),
            ...(envelope.clientAddress ? { clientAddress: envelope.clientAddress } : {}),
          }),
          ...decisionHeaders({ ref: id, verdict, rcptTo: envelope.rcptTo, internalDomains: policy.domains.internal }),
        ];
  // Committed with its final state (queued / held): if we crash before the jobs exist, reconcile
  // re-creates them; the client, which got no 250, may send again (a duplicate, never a loss).
  const state = stateForDecision(verdict.decision);
  const sidecar = buildSidecar({ id, receivedAt, envelope, message, verdict, addHeaders, state, ...spooled });
  const event = decisionEvent(sidecar, message);

  if (verdict.decision === 'reject') {
    await ctx.spool.abort(id);
    try {
      await ctx.dispatcher.audit(event);
    } catch (err) {
      return finish({ kind: 'temporary-failure', ref: id }, outcome, err);
    }
    return finish(rejection(verdict.findings, id), outcome);
  }

  try {
    await ctx.spool.commit(id, sidecar);
  } catch (err) {
    await ctx.spool.abort(id);
    return finish({ kind: 'temporary-failure', ref: id }, outcome, err);
  }
  mark('spooled');
  try {
    await ctx.dispatcher.dispatchDecision(sidecar, event);
  } catch (err) {
    // The client will retry: keeping this copy would deliver it twice.
    await ctx.spool.remove(id).catch((e: unknown) => ctx.logger.error({ ref: id, err: e }, 'could not remove spool entry'));
    return finish({ kind: 'temporary-failure', ref: id }, outcome, err);
  }
  return finish(verdict.decision === 'quarantine' ? { kind: 'held', ref: id } : { kind: 'queued', ref: id }, outcome);
}

function refusal(reason: DiscardReason, ref: string, size: number, received: number, maxReceived: number): Reply {
  switch (reason) {
    case 'too-big':
      return { kind: 'too-big', limit: size };
    case 'bare-line-ending':
      return { kind: 'bare-line-ending' };
    case 'mail-loop':
      return { kind: 'mail-loop', count: received, limit: maxReceived };
    case 'internal':
      return { kind: 'temporary-failure', ref };
  }
}

function rejection(findings: readonly RuledFinding[], ref: string): Reply {
  const acting = findings.filter((f) => f.action === 'reject' && !f.excepted);
  const first = acting[0] ?? findings[0];
  if (!first) return { kind: 'rejected', ref, rule: 'policy', reason: 'refused by policy', policyRef: 'policy', more: 0 };
  return { kind: 'rejected', ref, rule: first.rule, reason: first.reason, policyRef: first.policyRef, more: Math.max(0, acting.length - 1) };
}

export function envelopeOf(session: SMTPServerSession): Envelope {
  const from = session.envelope.mailFrom;
  const user = session.user as { username?: string } | string | undefined;
  const authUser = typeof user === 'string' ? user : user?.username;
  return makeEnvelope({
    mailFrom: from ? lowerDomain(from.address) : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    clientAddress: session.remoteAddress,
    ...(session.hostNameAppearsAs ? { helo: session.hostNameAppearsAs } : {}),
    ...(authUser ? { authUser } : {}),
  });
}

function lowerDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
}

/**
 * A client that stops sending mid-DATA must not hold a session (and a spool temp file) forever.
 * smtp-server 3.21 times out a silent client in DATA itself; this watcher is the backstop for
 * versions that pause the idle timer while onData runs. It never fires while we are the slow side.
 */
function watchForStall(sink: DataSink, limitMs: number, onStall: () => void): NodeJS.Timeout {
  let lastBytes = -1;
  let lastChange = Date.now();
  const timer = setInterval(() => {
    if (sink.bytesIn !== lastBytes || sink.waiting) {
      lastBytes = sink.bytesIn;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= limitMs) {
      clearInterval(timer);
      onStall();
    }
  }, Math.min(1000, limitMs));
  timer.unref();
  return timer;
}

/**
 * `stream.pipe(sink)`, settled like `pipeline()`: resolves when the sink finished, rejects (and
 * destroys the sink) when the client's stream fails or closes before its end. pipeline() itself
 * costs an AbortController and a DOMException with a stack trace per message.
 */
function pump(source: Readable, sink: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      source.unpipe(sink);
      sink.destroy(err);
      reject(err);
    };
    source.once('error', fail);
    source.once('close', () => {
      if (!source.readableEnded) fail(new Error('client stream closed before the end of DATA'));
    });
    sink.once('error', fail);
    sink.once('finish', () => {
      settled = true;
      resolve();
    });
    source.pipe(sink);
  });
}
