/**
 * One DATA transaction, the SMTP side of it: the envelope from the session, the bytes from
 * smtp-server's stream into custody (src/custody/transaction.ts, where the order of writes
 * lives), the stall and rate watch on the client, and the custody outcome as an SMTP reply.
 * 250 only after the message is durably kept AND Redis acknowledged its jobs; any fault is
 * 451 4.3.0 (452 4.3.1 for a full spool disk) with our reference id, never a silent accept.
 */
import type { Readable, Writable } from 'node:stream';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { receivedHeader } from '../../custody/added-headers.js';
import type { CustodyOutcome } from '../../custody/outcome.js';
import { CustodyTransaction } from '../../custody/transaction.js';
import { makeEnvelope, type Envelope } from '../../message/envelope.js';
import { observeTransaction } from '../../metrics/metrics.js';
import type { FrontContext } from './front-context.js';
import { replyLine, smtpReply, type Reply, type SmtpReply } from './replies.js';

export interface TransactionHooks {
  /** Our reference id for this transaction (the spool id), made by the caller so a crash can name it. */
  readonly ref: string;
  /** Drops the client's connection with a 421 (a DATA transfer that stalled or crawls). */
  closeConnection(reply: Reply): void;
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
  const custody = new CustodyTransaction(ctx, {
    ref: id,
    envelope,
    policy,
    maxReceivedHeaders: smtp.maxReceivedHeaders,
    accepted: 'deliver',
    held: 'keep',
    deliveryHeaders: (date) => [
      receivedHeader({
        ref: id,
        hostname: config.hostname,
        protocol: session.transmissionType,
        rcptTo: envelope.rcptTo,
        date,
        ...(envelope.helo ? { helo: envelope.helo } : {}),
        ...(envelope.clientAddress ? { clientAddress: envelope.clientAddress } : {}),
      }),
    ],
    onCheckError: (rule, err) =>
      ctx.logger.error({ ...logFields, rule, err }, `the ${rule} check failed: its finding holds the message for review`),
  });
  const { intake } = custody;

  const stall = watchForStall(intake, smtp.socketTimeoutMs, smtp.minDataRate, (why) => {
    ctx.logger.warn({ ...logFields, bytes: intake.bytesIn }, `DATA transfer ${why === 'stalled' ? 'stalled' : 'too slow'}: closing the connection`);
    hooks.closeConnection(why === 'stalled' ? { kind: 'data-timeout' } : { kind: 'data-too-slow', minRate: smtp.minDataRate });
  });
  try {
    await pump(stream, intake);
  } catch (err) {
    // The client went away mid-DATA: no spool file, no job, no reply.
    await custody.abandon(err as Error);
    ctx.logger.info({ ...logFields, bytes: intake.bytesIn, ms: Date.now() - started }, 'client disconnected during DATA');
    return null;
  } finally {
    clearInterval(stall);
  }
  const dataMs = Date.now() - started;

  // The size limit is the intake's, counted after normalisation as `check` counts it; smtp-server's
  // own flag (`stream.sizeExceeded`) counts the raw bytes, NULs that are deleted included.
  const outcome = await custody.finish();
  const r = smtpReply(replyFor(outcome, smtp.size));
  const line = {
    ...logFields,
    ...('summary' in outcome && outcome.summary ? outcome.summary : { size: intake.bytesIn }),
    reply: replyLine(r),
    ms: Date.now() - started,
    steps: { data: dataMs, ...custody.steps },
  };
  if (outcome.kind === 'tempfail') ctx.logger.error({ ...line, err: outcome.error }, 'smtp transaction failed');
  else ctx.logger.info(line, 'smtp transaction');
  observeTransaction(r.code, ('summary' in outcome ? outcome.summary : undefined) ?? {}, line.steps);
  return r;
}

/** The custody outcome in SMTP's words. */
function replyFor(outcome: CustodyOutcome, size: number): Reply {
  switch (outcome.kind) {
    case 'queued':
    case 'accepted':
      return { kind: 'queued', ref: outcome.ref };
    case 'held':
      return { kind: 'held', ref: outcome.ref };
    case 'rejected':
      return { kind: 'rejected', rejection: outcome.rejection };
    case 'tempfail':
      return outcome.diskFull ? { kind: 'mail-system-full', ref: outcome.ref } : { kind: 'temporary-failure', ref: outcome.ref };
    case 'refused': {
      const refusal = outcome.refusal;
      switch (refusal.kind) {
        case 'too-big':
          return { kind: 'too-big', limit: size };
        case 'bare-line-ending':
          return { kind: 'bare-line-ending' };
        case 'nul-byte':
          return { kind: 'nul-byte' };
        case 'mail-loop':
          return { kind: 'mail-loop', count: refusal.count, limit: refusal.limit };
      }
    }
  }
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

/** Client time in DATA before its average rate is judged: a slow start is not a slow client. */
const DATA_RATE_GRACE_MS = 10_000;

/**
 * A client that stops sending mid-DATA, or trickles it (one byte a second keeps the idle timer
 * happy), must not hold a session and a spool temp file for long. smtp-server 3.21 times out a
 * silent client in DATA itself; the stall check is the backstop for versions that pause the idle
 * timer while onData runs. Neither check counts time while we are the slow side (`sink.waiting`).
 */
function watchForStall(sink: { readonly bytesIn: number; readonly waiting: boolean }, limitMs: number, minRate: number, onStall: (why: 'stalled' | 'slow') => void): NodeJS.Timeout {
  const tickMs = Math.min(1000, limitMs);
  let lastBytes = -1;
  let lastChange = Date.now();
  let clientMs = 0;
  const timer = setInterval(() => {
    if (!sink.waiting) clientMs += tickMs;
    if (minRate > 0 && clientMs >= DATA_RATE_GRACE_MS && (sink.bytesIn * 1000) / clientMs < minRate) {
      clearInterval(timer);
      onStall('slow');
    } else if (sink.bytesIn !== lastBytes || sink.waiting) {
      lastBytes = sink.bytesIn;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= limitMs) {
      clearInterval(timer);
      onStall('stalled');
    }
  }, tickMs);
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
