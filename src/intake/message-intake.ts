/**
 * The intake: the one path every message takes into inspection, whoever brings it (the SMTP
 * front, the milter front, `mailwarden check` and `replay`, the tests). What it does, in order,
 * chunk by chunk as the data streams in:
 *
 * 1. NUL bytes are deleted, or refused (inspection.nulBytes);
 * 2. bare CR and bare LF become CRLF, or are refused (inspection.bareLineEndings); a last line
 *    without its CRLF gets one, as an SMTP client would add before the final dot;
 * 3. the normalised bytes are counted against rules.message-size.maxBytes, and the Received:
 *    fields of the top header block against the front's loop limit (when it gives one);
 * 4. the same normalised bytes are written to inspection and to every attached target (the spool
 *    writer), waiting for each one's 'drain', so a slow disk or parser slows the sender instead
 *    of filling memory;
 * 5. the time limit (inspection.timeoutMs) runs while inspection (or an attached target's
 *    completion, the spool's fsync) is the slow side: see inspection-clock.ts.
 *
 * So the bytes inspected are the bytes spooled and delivered, and every caller gets the same
 * verdict on the same input. The intake never fails the stream that feeds it: after a refusal or
 * a failure it reads and drops the rest, so a front can still answer at the end of the data.
 */
import { Writable } from 'node:stream';
import type { Policy } from '../config/policy-schema.js';
import type { Envelope } from '../message/envelope.js';
import { HeaderFieldList } from '../message/header-list.js';
import type { InspectedMessage } from '../message/model.js';
import { parseMessage } from '../message/parse.js';
import type { Check } from '../policy/check.js';
import { evaluate } from '../policy/engine.js';
import { InspectionClock } from './inspection-clock.js';
import { InspectionFeed } from './inspection-feed.js';
import { InspectionTimeout, type CheckErrorListener, type EnvelopeFromMessage, type InspectionResult } from './inspection-result.js';
import { LineEndingNormaliser } from './line-endings.js';
import { NulStripper } from './nul-bytes.js';
import { ReceivedCounter } from './received-counter.js';
import { refusalVerdict, type IntakeRefusal } from './refusal.js';

export interface IntakeOptions {
  /** The envelope, or how to take it from the parsed headers (`check` without --from/--to). */
  readonly envelope: Envelope | EnvelopeFromMessage;
  readonly policy: Policy;
  /** More Received: fields than this is a mail loop, refused. Unset: not counted (check, replay). */
  readonly maxReceivedHeaders?: number;
  /** Told about every check that threw; the verdict already holds it as a quarantine finding. */
  readonly onCheckError?: CheckErrorListener;
  /** The checks to run (default: every registered check). A test seam. */
  readonly checks?: readonly Check[];
}

const CHUNK = 64 * 1024;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

export class MessageIntake extends Writable {
  /** Bytes as the sender gave them. */
  bytesIn = 0;
  /** Bytes after normalisation: what inspection and the targets got. */
  bytesOut = 0;
  /** True while a write waits for a target to drain: then we, not the sender, are the slow side. */
  waiting = false;
  /** Why the intake stopped taking the message, once it did. */
  refusal: IntakeRefusal | null = null;
  /** Set when a target or inspection failed, the time ran out, or the caller gave up. */
  failure: Error | null = null;
  /** The verdict; rejects with `failure` (an InspectionTimeout for the time limit). */
  readonly result: Promise<InspectionResult>;
  /** Never resolves; rejects with InspectionTimeout when the time limit passes (race other waits with it). */
  readonly deadline: Promise<never>;

  private readonly nul = new NulStripper();
  private readonly lineEndings = new LineEndingNormaliser();
  private readonly received = new ReceivedCounter();
  /** The parser's input. */
  private readonly input = new InspectionFeed(CHUNK);
  private readonly targets = new Set<Writable>();
  private readonly attached = new Set<Writable>();
  private readonly abort = new AbortController();
  private readonly clock: InspectionClock;
  private readonly limit: number;
  private ended = false;
  private inspected = false;
  private unfinishedTargets = 0;
  private endsWithLf = false;
  private settled = false;
  private resolveResult!: (r: InspectionResult) => void;
  private rejectResult!: (err: Error) => void;
  private rejectDeadline!: (err: Error) => void;

  constructor(private readonly options: IntakeOptions) {
    super({ highWaterMark: CHUNK });
    const { policy } = options;
    this.limit = policy.rules['message-size'].maxBytes;
    this.result = new Promise((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.deadline = new Promise((_, reject) => (this.rejectDeadline = reject));
    this.result.catch(() => undefined); // the caller awaits it; never an unhandled rejection
    this.deadline.catch(() => undefined);
    this.clock = new InspectionClock(policy.inspection.timeoutMs, () => {
      const err = new InspectionTimeout(policy.inspection.timeoutMs);
      this.rejectDeadline(err);
      this.fail(err);
    });
    analyse(this.input, options, this.abort.signal).then(
      (result) => {
        this.inspected = true;
        this.stopClockWhenDone();
        if (this.settled || this.refusal) return;
        this.settled = true;
        this.resolveResult(result);
      },
      (err: unknown) => {
        this.inspected = true;
        this.stopClockWhenDone();
        this.input.close();
        if (!this.refusal) this.fail(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  /**
   * Adds a target that must get every byte (the spool writer): its failure fails the intake.
   * `finished` (the writer's own completion, an fsync) runs on the same clock after the end of
   * the data: a disk that hangs is a timeout like a parser that hangs.
   */
  attach(target: Writable, finished?: Promise<unknown>): void {
    this.targets.add(target);
    this.attached.add(target);
    target.on('error', (err: Error) => {
      this.targets.delete(target);
      this.fail(err);
    });
    if (!finished) return;
    this.unfinishedTargets++;
    const done = () => {
      this.unfinishedTargets--;
      this.stopClockWhenDone();
    };
    finished.then(done, done);
  }

  private stopClockWhenDone(): void {
    if (this.inspected && this.unfinishedTargets === 0) this.clock.stop();
  }

  /** The caller gives up (the sender went away): stop inspecting and writing; the result rejects with `err`. */
  abandon(err: Error): void {
    this.fail(err);
  }

  /**
   * Takes one chunk without the Writable machinery (`inspect()` reads its source itself); a
   * promise when the caller must wait before the next one. A front that pipes uses write().
   */
  push(chunk: Buffer): Promise<void> | undefined {
    this.bytesIn += chunk.length;
    if (this.stopped()) return undefined;
    return this.forward(this.normalise(chunk));
  }

  /** The end of the data, without the Writable machinery: see push(). */
  finish(): Promise<void> | undefined {
    this.ended = true;
    let tail = this.stopped() ? Buffer.alloc(0) : this.lineEndings.end();
    this.checkBareLineEndings();
    // SMTP cannot carry a message whose last line has no CRLF (the client adds one before the
    // final dot); a file can. Adding it here gives a file the bytes the relay would get.
    if (tail.length === 0 && this.bytesOut > 0 && !this.endsWithLf) tail = CRLF;
    const done = () => {
      this.input.end();
      for (const t of this.targets) t.end();
      if (this.refusal) this.settleRefused(this.refusal);
      else this.clock.run();
    };
    const wait = this.forward(tail);
    if (wait) return wait.then(done);
    done();
    return undefined;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    const wait = this.push(chunk);
    if (wait) wait.then(() => callback());
    else callback();
  }

  override _final(callback: (err?: Error | null) => void): void {
    const wait = this.finish();
    if (wait) wait.then(() => callback());
    else callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // Streams destroy themselves after 'finish' (autoDestroy): only an early end is a failure.
    if (err || !this.ended) this.fail(err ?? new Error('the message data was cut off before its end'));
    callback(err);
  }

  private stopped(): boolean {
    return this.refusal !== null || this.failure !== null;
  }

  private normalise(chunk: Buffer): Buffer {
    const { nulBytes } = this.options.policy.inspection;
    let bytes = chunk;
    if (nulBytes === 'reject') {
      if (bytes.includes(0)) this.refuse({ kind: 'nul-byte' });
    } else {
      bytes = this.nul.push(bytes);
    }
    bytes = this.lineEndings.push(bytes);
    this.checkBareLineEndings();
    return bytes;
  }

  private checkBareLineEndings(): void {
    if (this.options.policy.inspection.bareLineEndings === 'reject' && this.lineEndings.bareCount > 0) {
      this.refuse({ kind: 'bare-line-ending' });
    }
  }

  /** Writes `buf` to every target; returns a promise only when one of them must drain first (the common case stays synchronous). */
  private forward(buf: Buffer): Promise<void> | undefined {
    if (buf.length === 0 || this.stopped()) return undefined;
    this.bytesOut += buf.length;
    this.endsWithLf = buf[buf.length - 1] === LF;
    if (this.bytesOut > this.limit) return this.refuse({ kind: 'too-big', size: 0, limit: this.limit });
    const maxReceived = this.options.maxReceivedHeaders;
    if (maxReceived !== undefined && !this.received.done) {
      this.received.feed(buf);
      if (this.received.count > maxReceived) return this.refuse({ kind: 'mail-loop', count: this.received.count, limit: maxReceived });
    }
    const waits: Promise<void>[] = [];
    if (!this.input.write(buf)) {
      // The parser holds back the data: inspection's time, not the sender's.
      this.clock.run();
      waits.push(
        this.input.drained().then(() => {
          if (!this.ended) this.clock.pause();
        }),
      );
    }
    for (const t of this.targets) {
      if (!t.write(buf)) waits.push(drained(t));
    }
    if (waits.length === 0) return undefined;
    this.waiting = true;
    return Promise.all(waits).then(() => {
      this.waiting = false;
    });
  }

  private refuse(refusal: IntakeRefusal): undefined {
    if (this.stopped() || this.settled) return;
    this.refusal = refusal;
    this.clock.stop();
    this.stopWriting(new Error(`message refused: ${refusal.kind}`));
  }

  private settleRefused(refusal: IntakeRefusal): void {
    if (this.settled) return;
    this.settled = true;
    // The finding names the size as far as it was counted: the whole message when it was read to its end.
    const final = refusal.kind === 'too-big' ? { ...refusal, size: Math.max(this.bytesIn, this.bytesOut) } : refusal;
    this.refusal = final;
    const message = unreadMessage(this.bytesIn);
    const { envelope, policy } = this.options;
    this.resolveResult({
      message,
      verdict: refusalVerdict(final, policy),
      envelope: typeof envelope === 'function' ? envelope(message) : envelope,
      refusal: final,
    });
  }

  private fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.failure = err;
    this.clock.stop();
    this.stopWriting(err);
    this.rejectResult(err);
  }

  /** Inspection is stopped, every target dropped (the caller removes what a target left behind). */
  private stopWriting(reason: Error): void {
    this.abort.abort(reason);
    this.input.close();
    for (const t of this.attached) t.destroy();
    this.targets.clear();
  }
}

async function analyse(input: InspectionFeed, options: IntakeOptions, signal: AbortSignal): Promise<InspectionResult> {
  const { policy } = options;
  const message = await parseMessage(input, { inspection: policy.inspection, markings: policy.markings, signal });
  const envelope = typeof options.envelope === 'function' ? options.envelope(message) : options.envelope;
  const verdict = evaluate(message, envelope, policy, undefined, {
    ...(options.onCheckError ? { onCheckError: options.onCheckError } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
  });
  return { message, verdict, envelope };
}

/** The model of a message the intake refused: nothing of it was inspected. */
function unreadMessage(size: number): InspectedMessage {
  return Object.freeze({
    headers: new HeaderFieldList([]),
    subject: '',
    messageId: null,
    from: [],
    to: [],
    cc: [],
    bcc: [],
    size,
    sha256: '',
    bodyText: '',
    attachments: [],
    encryption: null,
    markings: [],
    anomalies: [],
    attachedMessages: [],
  });
}

/** Resolves on 'drain', or when the target closes or fails (then there is nothing to wait for). */
function drained(target: Writable): Promise<void> {
  if (target.destroyed || target.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      target.off('drain', done);
      target.off('close', done);
      target.off('error', done);
      resolve();
    };
    target.on('drain', done);
    target.on('close', done);
    target.on('error', done);
  });
}
