/**
 * Hourly counts of audit events for the dashboard's overview: one Redis hash per UTC hour
 * (`<prefix>:stats:h:<hour>`), fields `type:<event type>`, `decision:<decision>` and
 * `rule:<rule>` (decisions only), kept 8 days. Counted when the event is queued for the audit
 * trail, best effort: a failure never fails the message, and a re-sent event (reconcile after a
 * crash) may count twice. The audit trail stays the record; these are for charts.
 */
import type { Redis } from 'ioredis';
import type { AuditEvent } from '../audit/events.js';

export const HOUR_MS = 3600_000;
const KEEP_S = 8 * 24 * 3600;

export function statsKey(prefix: string, hour: number): string {
  return `${prefix}:stats:h:${hour}`;
}

export class EventStats {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const hour = Math.floor((Date.parse(event.at) || Date.now()) / HOUR_MS);
    const key = statsKey(this.prefix, hour);
    const m = this.redis.multi().hincrby(key, `type:${event.type}`, 1);
    if (event.type === 'decision' && event.decision) {
      m.hincrby(key, `decision:${event.decision}`, 1);
      for (const rule of new Set((event.findings ?? []).filter((f) => !f.excepted).map((f) => f.rule))) m.hincrby(key, `rule:${rule}`, 1);
    }
    await m.expire(key, KEEP_S).exec();
  }

  /** Counts for each of `hours` hours ending with the current one, oldest first. */
  async hours(hours: number, now = Date.now()): Promise<{ hour: number; counts: Record<string, number> }[]> {
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
