/**
 * The milter front's handler: each message Postfix shows us goes into custody like the relay's
 * (src/custody/transaction.ts), rebuilt as Postfix will deliver it (rebuild.ts) and streamed in
 * chunk by chunk; the custody outcome becomes the end-of-body reply (replies.ts).
 *
 * Who keeps what: accepted mail stays Postfix's (we record the decision, add our headers, say
 * accept); rejected mail is refused at the client (550 with the relay's text); held mail is kept in
 * our quarantine and discarded from Postfix (`milter.quarantine: custody`, released to Postfix's
 * reinjection listener) or put in Postfix's hold queue (`hold`). Any failure is a tempfail
 * (451 4.3.0), never a silent accept.
 */
import { once } from 'node:events';
import type { Logger } from 'pino';
import type { Policy } from '../../config/policy-schema.js';
import type { ServiceConfig } from '../../config/service-schema.js';
import type { CustodyContext } from '../../custody/ports.js';
import { CustodyTransaction } from '../../custody/transaction.js';
import { observeDecision } from '../../metrics/metrics.js';
import { makeEnvelope, type Envelope } from '../../message/envelope.js';
import type { MilterReply } from './codec.js';
import { endOfMessageReplies } from './replies.js';
import { END_OF_HEADERS, headerBytes } from './rebuild.js';
import type { MessageFilter, MilterEnvelope, MilterHandler } from './session.js';

export interface MilterSettings {
  readonly config: ServiceConfig;
  readonly policy: Policy;
}

export interface MilterContext extends CustodyContext {
  settings(): MilterSettings;
}

/** Header bytes gathered before they are written to the intake (a header block is usually a few KB). */
const HEADER_FLUSH_BYTES = 64 * 1024;

/** One handler per milter connection. */
export function milterHandler(ctx: MilterContext, logger: Logger): MilterHandler {
  return {
    startMessage: (env) => new MilterMessage(ctx, env, logger),
    onError: (err, { stage }) => logger.error({ err, stage }, 'milter: session error (answered tempfail)'),
  };
}

class MilterMessage implements MessageFilter {
  private readonly custody: CustodyTransaction;
  private readonly envelope: Envelope;
  private readonly started = Date.now();
  /** Incoming X-Mailwarden-* headers, by name as sent: deleted at the end (anyone can forge them). */
  private readonly forged = new Map<string, number>();
  private readonly logFields: Record<string, unknown>;
  private ended = false;
  /** Header lines not yet written to the intake. */
  private headerBlock: Buffer[] = [];
  private headerBytes = 0;

  constructor(
    ctx: MilterContext,
    private readonly env: MilterEnvelope,
    private readonly logger: Logger,
  ) {
    const { config, policy } = ctx.settings();
    this.envelope = envelopeOf(env);
    const ref = ctx.spool.newId();
    this.logFields = {
      ref,
      queueId: this.envelope.mtaQueueId,
      client: this.envelope.clientAddress,
      user: this.envelope.authUser,
      mailFrom: this.envelope.mailFrom,
      rcptTo: this.envelope.rcptTo,
    };
    this.custody = new CustodyTransaction(ctx, {
      ref,
      envelope: this.envelope,
      policy,
      maxReceivedHeaders: config.smtp.maxReceivedHeaders,
      accepted: 'record',
      held: config.milter.quarantine === 'custody' ? 'keep' : 'record',
      route: 'reinject',
      onCheckError: (rule, err) => logger.error({ ...this.logFields, rule, err }, `the ${rule} check failed: its finding holds the message for review`),
    });
  }

  header(name: string, value: string): Promise<void> | void {
    if (/^x-mailwarden-/i.test(name)) this.forged.set(name, (this.forged.get(name) ?? 0) + 1);
    // Headers come one frame each: gathered (bounded), they go into the intake as one write.
    const bytes = headerBytes(name, value, this.env.protocol);
    this.headerBlock.push(bytes);
    this.headerBytes += bytes.length;
    if (this.headerBytes >= HEADER_FLUSH_BYTES) return this.flushHeaders();
  }

  endOfHeaders(): Promise<void> | void {
    this.headerBlock.push(END_OF_HEADERS);
    return this.flushHeaders();
  }

  body(chunk: Buffer): Promise<void> | void {
    // A view into a socket read: Node allocates each read anew, so it can be kept as it is.
    return this.write(chunk);
  }

  async end(): Promise<readonly MilterReply[]> {
    this.ended = true;
    const { intake } = this.custody;
    // The end of the data, as the relay marks it: inspection time is counted from here.
    this.custody.steps['data'] = Date.now() - this.started;
    intake.end();
    if (!intake.writableFinished) await once(intake, 'finish');
    const outcome = await this.custody.finish();
    const replies = endOfMessageReplies({ outcome, protocol: this.env.protocol, forged: this.forged });
    const final = replies[replies.length - 1]!;
    const line = {
      ...this.logFields,
      ...('summary' in outcome && outcome.summary ? outcome.summary : { size: intake.bytesIn }),
      outcome: outcome.kind,
      reply: final.type === 'replycode' ? final.text : final.type,
      ms: Date.now() - this.started,
      steps: this.custody.steps,
    };
    if (outcome.kind === 'tempfail') this.logger.error({ ...line, err: outcome.error }, 'milter message failed');
    else this.logger.info(line, 'milter message');
    if ('summary' in outcome && outcome.summary && outcome.kind !== 'tempfail') observeDecision(outcome.summary, this.custody.steps);
    return replies;
  }

  abort(): void {
    if (this.ended) return;
    this.ended = true;
    void this.custody.abandon(new Error('the MTA aborted the message')).catch((err: unknown) => this.logger.warn({ ...this.logFields, err }, 'milter: abandoning an aborted message failed'));
  }

  private flushHeaders(): Promise<void> | void {
    const block = this.headerBlock.length === 1 ? this.headerBlock[0]! : Buffer.concat(this.headerBlock);
    this.headerBlock = [];
    this.headerBytes = 0;
    return this.write(block);
  }

  /** Writes into the intake, waiting for it to drain: Postfix waits with us. */
  private write(bytes: Buffer): Promise<void> | void {
    const { intake } = this.custody;
    if (intake.write(bytes)) return;
    return once(intake, 'drain').then(() => undefined);
  }
}

/** The envelope as the relay would record it, with what the macros add. */
function envelopeOf(env: MilterEnvelope): Envelope {
  const client = env.macro('client_addr') ?? env.client?.address;
  const helo = env.helo ?? undefined;
  const user = env.macro('auth_authen');
  const queueId = env.macro('i');
  return makeEnvelope({
    mailFrom: lowerDomain(env.mailFrom),
    rcptTo: env.rcptTo,
    ...(client ? { clientAddress: client } : {}),
    ...(helo ? { helo } : {}),
    ...(user ? { authUser: user } : {}),
    ...(queueId ? { mtaQueueId: queueId } : {}),
  });
}

function lowerDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
}
