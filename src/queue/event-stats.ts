/**
 * Hourly counts of audit events for the dashboard's overview: one Redis hash per UTC hour
 * (`<prefix>:stats:h:<hour>`), fields `type:<event type>`, `decision:<decision>` and
 * `rule:<rule>` (decisions only), kept 8 days. Counted when the event is queued for the audit
 * trail, gathered in memory and written once a second (one MULTI for all), best effort: a failure
 * never fails the message, a crash loses the last second's counts, and a re-sent event (reconcile
 * after a crash) may count twice. The audit trail stays the record; these are for charts.
 */
import type { Redis } from 'ioredis';
import type { AuditEvent } from '../audit/events.js';

export const HOUR_MS = 3600_000;
const KEEP_S = 8 * 24 * 3600;

export function statsKey(prefix: string, hour: number): string {
  return `${prefix}:stats:h:${hour}`;
}

export class EventStats {
  /** Counts not yet in Redis: key -> field -> increment. */
  private pending = new Map<string, Map<string, number>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  /**
   * @param flushMs how long counts gather in memory before one MULTI writes them all. A relay at
   *   hundreds of messages a second would otherwise send a MULTI of three to five commands per
   *   event; batched it is one per second. A crash loses at most this much of the charts' counts.
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly flushMs = 1_000,
  ) {}

  /** Counts the event (in memory; written to Redis within `flushMs`). Never throws. */
  record(event: AuditEvent): void {
    const hour = Math.floor((Date.parse(event.at) || Date.now()) / HOUR_MS);
    const key = statsKey(this.prefix, hour);
    let fields = this.pending.get(key);
    if (!fields) this.pending.set(key, (fields = new Map()));
    const add = (field: string) => fields.set(field, (fields.get(field) ?? 0) + 1);
    add(`type:${event.type}`);
    if (event.type === 'decision' && event.decision) {
      add(`decision:${event.decision}`);
      for (const rule of new Set((event.findings ?? []).filter((f) => !f.excepted).map((f) => f.rule))) add(`rule:${rule}`);
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Writes the gathered counts now (one MULTI). Best effort: counts Redis refused are dropped. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.size === 0) return this.flushing;
    this.pending = new Map();
    const m = this.redis.multi();
    for (const [key, fields] of batch) {
      for (const [field, n] of fields) m.hincrby(key, field, n);
      m.expire(key, KEEP_S);
    }
    const run = this.flushing.then(() => m.exec()).then(
      () => undefined,
      () => undefined, // charts only: never worth an error
    );
    this.flushing = run;
    return run;
  }

  /** Counts for each of `hours` hours ending with the current one, oldest first. */
  async hours(hours: number, now = Date.now()): Promise<{ hour: number; counts: Record<string, number> }[]> {
    await this.flush(); // this process's own counts first
    const last = Math.floor(now / HOUR_MS);
    const list = Array.from({ length: hours }, (_, i) => last - hours + 1 + i);
    const p = this.redis.pipeline();
    for (const h of list) p.hgetall(statsKey(this.prefix, h));
    const replies = (await p.exec()) ?? [];
    return list.map((hour, i) => {
      const raw = (replies[i]?.[1] ?? {}) as Record<string, string>;
      const counts: Record<string, number> = {};
      for (const [k, v] of Object.entries(raw)) counts[k] = Number(v) || 0;
      return { hour, counts };
    });
  }
}
