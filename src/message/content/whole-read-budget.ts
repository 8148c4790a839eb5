/**
 * A process-wide bound on container bytes read whole into memory.
 *
 * Compound (OLE) files, Outlook .msg and TNEF are parsed by libraries that want the whole file in
 * a buffer, and parsing copies it again. A large one spills to a temp file while it streams in; it
 * is read back whole only for its analysis. Ten sessions finishing ten 20 MB Word files at once
 * would otherwise hold hundreds of MB. Each whole read takes its size from this budget first and
 * waits, in arrival order, while others hold it; one item bigger than the whole budget goes when it
 * is alone. Waiting is bounded by the inspection's own time limit (the abort signal).
 *
 * Nested reads (a container found inside one being analysed) never wait: the outer one holds
 * budget that only its own analysis can release, so waiting could deadlock. They are rare (members
 * of .msg and TNEF files arrive as buffers already) and bounded by the archive limits.
 */

export class WholeReadBudget {
  private available: number;
  private readonly queue: { bytes: number; grant: () => void }[] = [];

  constructor(readonly limit: number) {
    this.available = limit;
  }

  /** Bytes not lent out now. */
  get free(): number {
    return this.available;
  }

  /** Takes `bytes` (at most the whole budget), waiting for it unless `nested`; resolves with the release. */
  async acquire(bytes: number, opts: { nested?: boolean; signal?: AbortSignal } = {}): Promise<() => void> {
    const take = Math.min(bytes, this.limit);
    if (opts.nested || (this.queue.length === 0 && this.available >= take)) {
      this.available -= take;
      return this.releaser(take);
    }
    opts.signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const signal = opts.signal;
      const onAbort = () => {
        const i = this.queue.indexOf(entry);
        if (i < 0) return;
        this.queue.splice(i, 1);
        this.grantWaiting(); // the ones behind it may fit now
        reject(signal?.reason);
      };
      const entry = {
        bytes: take,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.queue.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser(take);
  }

  private releaser(bytes: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += bytes;
      this.grantWaiting();
    };
  }

  /** Grants waiting requests in order while the first one fits. */
  private grantWaiting(): void {
    for (;;) {
      const next = this.queue[0];
      if (!next || this.available < next.bytes) return;
      this.queue.shift();
      this.available -= next.bytes;
      next.grant();
    }
  }
}

/** Containers read whole at once, across every message this process inspects. */
export const WHOLE_READ_BUDGET_BYTES = 32 * 1024 * 1024;
export const wholeReads = new WholeReadBudget(WHOLE_READ_BUDGET_BYTES);
