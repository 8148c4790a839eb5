/**
 * A thread of its own for the spool's durable file creation on a front (the SMTP and milter
 * fronts' commit: the message file, its sidecar, the directory fsync).
 *
 * Through libuv's pool a commit is eleven hops (open, write, fdatasync and close per file, then
 * open, fsync and close of msg/), each a wake-up of a pool thread and of the event loop again;
 * on two busy cores every wake-up waits its turn, and a profile of the relay under 20 sessions
 * showed the SMTP thread spending about a third of its time in those calls. Here a commit is one
 * message to this thread and one back: the thread makes the same calls, in the same order, with
 * blocking calls that keep no event loop waiting. Requests that arrive while it works share the
 * next directory fsync. The durability guarantee does not change: each file is fdatasynced before
 * the next is created, and msg/ is fsynced before the promise resolves (before any 250).
 *
 * The bytes are copied once into a buffer of their own whose memory is handed to the thread
 * (transferred, not cloned). The thread keeps the process alive only while a request waits.
 */
import type { Worker } from 'node:worker_threads';
import { startThread } from '../thread-entry.js';

export interface DurableFileSpec {
  readonly path: string;
  readonly buffers: readonly Buffer[];
}

/** One request: create each file in turn (each durable before the next), then fsync `dir`. */
export interface IoRequest {
  readonly id: number;
  readonly files: readonly { readonly path: string; readonly data: Uint8Array }[];
  readonly dir: string | null;
}

export interface IoReply {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string | undefined };
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export class SpoolIoThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextId = 1;
  private closed = false;

  /** Creates each file (it must not exist) with its bytes, fdatasynced, in order; then fsyncs `dir`. */
  createFiles(files: readonly DurableFileSpec[], dir: string | null): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool I/O thread: closed'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    const request: IoRequest = {
      id,
      dir,
      files: files.map((f) => {
        const data = ownBuffer(f.buffers);
        transfer.push(data.buffer as ArrayBuffer);
        return { path: f.path, data };
      }),
    };
    const done = new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage(request, transfer);
    });
    this.inFlight.add(done);
    const forget = () => this.inFlight.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** Starts the thread now rather than at the first commit (a thread takes tens of ms to start). */
  prestart(): void {
    if (!this.closed && !this.worker) this.start();
  }

  /** Waits for the requests in flight, then ends the thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private settle(id: number, err: Error | null): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker?.unref();
    if (err) waiter.reject(err);
    else waiter.resolve();
  }

  private start(): Worker {
    // Its heap holds a batch of requests at most: a small young generation keeps its RSS small.
    const worker = startThread(new URL('./io-thread-main.js', import.meta.url), {
      stdout: false,
      stderr: false,
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    worker.on('message', (reply: IoReply) => {
      const err = reply.error ? Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}) : null;
      this.settle(reply.id, err);
    });
    const ended = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null; // the next request starts a new thread
      for (const id of [...this.waiting.keys()]) this.settle(id, new Error(`spool I/O thread ${why}`));
    };
    worker.on('error', (err) => ended(`failed: ${err.message}`));
    worker.on('exit', (code) => ended(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }
}

/** The bytes in one buffer that owns its whole ArrayBuffer (so it can be transferred). */
function ownBuffer(buffers: readonly Buffer[]): Uint8Array {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const b of buffers) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
