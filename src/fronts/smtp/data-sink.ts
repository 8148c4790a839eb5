/**
 * Where DATA goes: every chunk is normalised (bare CR/LF -> CRLF), its Received: lines counted, and
 * written to every target at once (the spool writer and the inspection input), waiting for each
 * target's 'drain' so a slow disk or a slow parser slows the client instead of filling memory.
 *
 * The sink never fails the SMTP stream: a problem (too big, loop, bare line ending in reject mode,
 * a target's error) switches it to discarding, and the rest of DATA is read and dropped so that
 * smtp-server can answer once the client sends the final dot.
 */
import { Writable } from 'node:stream';
import { LineEndingNormaliser } from './line-endings.js';
import { ReceivedCounter } from './received-counter.js';

export type DiscardReason = 'too-big' | 'bare-line-ending' | 'mail-loop' | 'internal';

export interface DataSinkOptions {
  /** Largest message in bytes, counted after bare line ends became CRLF (what is spooled and delivered); past it nothing more is written anywhere. */
  readonly size: number;
  readonly bareLineEndings: 'normalise' | 'reject';
  readonly maxReceivedHeaders: number;
  /** Called once, on the first reason to discard the message. */
  readonly onDiscard: (reason: DiscardReason, err?: Error) => void;
}

export class DataSink extends Writable {
  discardReason: DiscardReason | null = null;
  discardError: Error | undefined;
  bytesIn = 0;
  /** Bytes after normalisation: what the targets got (a bare LF grows into CRLF). */
  bytesOut = 0;
  /** True while a write waits for a target to drain: then we, not the client, are the slow side. */
  waiting = false;
  readonly normaliser = new LineEndingNormaliser();
  readonly received = new ReceivedCounter();
  private readonly targets = new Set<Writable>();

  constructor(private readonly options: DataSinkOptions) {
    super({ highWaterMark: 64 * 1024 });
  }

  /** Adds a target. `critical`: its failure discards the message (the spool); otherwise it is only detached. */
  attach(target: Writable, critical: boolean): void {
    this.targets.add(target);
    target.on('error', (err: Error) => {
      this.targets.delete(target);
      if (critical) this.discard('internal', err);
    });
  }

  /** Stops writing to a target (inspection finished or was aborted). */
  detach(target: Writable): void {
    this.targets.delete(target);
  }

  discard(reason: DiscardReason, err?: Error): void {
    if (this.discardReason) return;
    this.discardReason = reason;
    this.discardError = err;
    this.targets.clear();
    this.options.onDiscard(reason, err);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.bytesIn += chunk.length;
    if (this.bytesIn > this.options.size) this.discard('too-big');
    if (this.discardReason) return callback();
    this.forward(this.normaliser.push(chunk)).then(() => callback(), () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    const tail = this.discardReason ? Buffer.alloc(0) : this.normaliser.end();
    this.forward(tail).then(
      () => {
        for (const t of this.targets) t.end();
        callback();
      },
      () => callback(),
    );
  }

  private async forward(buf: Buffer): Promise<void> {
    if (buf.length === 0) return;
    this.bytesOut += buf.length;
    if (this.bytesOut > this.options.size) this.discard('too-big');
    this.received.feed(buf);
    if (this.received.count > this.options.maxReceivedHeaders) this.discard('mail-loop');
    if (this.options.bareLineEndings === 'reject' && this.normaliser.bareCount > 0) this.discard('bare-line-ending');
    if (this.discardReason) return;
    const waits: Promise<void>[] = [];
    for (const t of this.targets) {
      if (!t.write(buf)) waits.push(drained(t));
    }
    if (waits.length === 0) return;
    this.waiting = true;
    try {
      await Promise.all(waits);
    } finally {
      this.waiting = false;
    }
  }
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
