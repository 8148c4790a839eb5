/**
 * An index of held mail in Redis, so a reviewer's listing pages through thousands of held
 * messages without reading the spool: a sorted set of ids by arrival time, one per rule that
 * held them, and a hash of small list entries (sender, recipients, subject, rules, reason).
 *
 * The dispatcher keeps it beside the quarantine queue entry: added when mail is held (and again
 * by reconcile at every start, which rebuilds a lost index), removed on release, discard and
 * expiry. The spool stays the truth: the detail page and every action read the sidecar, and an
 * entry whose message is no longer held is dropped when someone acts on it.
 * All keys carry the queue prefix (a Redis Cluster hash tag).
 */
import type { Redis } from 'ioredis';
import type { Sidecar } from '../spool/types.js';

export interface HeldEntry {
  readonly id: string;
  readonly receivedAt: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly subject: string;
  readonly rules: readonly string[];
  /** The first holding finding's reason, shortened. */
  readonly reason: string;
  readonly size: number;
}

export type HeldSort = 'time' | 'sender' | 'recipient' | 'subject' | 'rule' | 'size';

export interface HeldQuery {
  readonly rule?: string;
  /** Case-insensitive substring of the envelope sender. */
  readonly sender?: string;
  /** Case-insensitive substring of any recipient. */
  readonly recipient?: string;
  /** Received at or after (ms). */
  readonly from?: number;
  /** Received before (ms). */
  readonly to?: number;
  readonly sort?: HeldSort;
  readonly order?: 'asc' | 'desc';
  /** 0-based. */
  readonly page?: number;
  readonly pageSize?: number;
}

export interface HeldPage {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly entries: readonly HeldEntry[];
}

const REASON_MAX = 160;
const FETCH_CHUNK = 1000;
/** Most ids a filtered query considers (and a bulk action touches). */
export const HELD_QUERY_MAX = 50_000;

export function heldEntry(sidecar: Sidecar, rules: readonly string[]): HeldEntry {
  const holding = sidecar.verdict.findings.find((f) => f.action === 'quarantine' && !f.excepted) ?? sidecar.verdict.findings[0];
  const reason = holding?.reason ?? '';
  return {
    id: sidecar.id,
    receivedAt: sidecar.receivedAt,
    sender: sidecar.envelope.mailFrom || '<>',
    recipients: sidecar.envelope.rcptTo,
    subject: sidecar.subject.slice(0, 500),
    rules,
    reason: reason.length > REASON_MAX ? `${reason.slice(0, REASON_MAX - 1)}…` : reason,
    size: sidecar.size,
  };
}

export class HeldIndex {
  private readonly timeKey: string;
  private readonly entryKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.timeKey = `${prefix}:held:time`;
    this.entryKey = `${prefix}:held:entry`;
  }

  private ruleKey(rule: string): string {
    return `${this.prefix}:held:rule:${rule}`;
  }

  async add(sidecar: Sidecar, rules: readonly string[]): Promise<void> {
    const entry = heldEntry(sidecar, rules);
    const score = Date.parse(sidecar.receivedAt) || 0;
    const m = this.redis.multi().zadd(this.timeKey, score, entry.id).hset(this.entryKey, entry.id, JSON.stringify(entry));
    for (const rule of rules.length ? rules : ['(none)']) m.zadd(this.ruleKey(rule), score, entry.id);
    await m.exec();
  }

  async remove(id: string): Promise<void> {
    const raw = await this.redis.hget(this.entryKey, id);
    const rules = raw ? ((JSON.parse(raw) as HeldEntry).rules ?? []) : [];
    const m = this.redis.multi().zrem(this.timeKey, id).hdel(this.entryKey, id);
    for (const rule of rules.length ? rules : ['(none)']) m.zrem(this.ruleKey(rule), id);
    await m.exec();
  }

  /** Every id in the index, oldest first (reconcile's check for entries whose message left quarantine). */
  async ids(): Promise<string[]> {
    return this.redis.zrange(this.timeKey, 0, -1);
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.timeKey);
  }

  /** Held messages received in [from, to) (ms). */
  async countBetween(from: number, to: number): Promise<number> {
    return this.redis.zcount(this.timeKey, from, `(${to}`);
  }

  async get(id: string): Promise<HeldEntry | null> {
    const raw = await this.redis.hget(this.entryKey, id);
    return raw ? (JSON.parse(raw) as HeldEntry) : null;
  }

  async list(query: HeldQuery = {}): Promise<HeldPage> {
    const page = Math.max(0, Math.floor(query.page ?? 0));
    const pageSize = Math.min(500, Math.max(1, Math.floor(query.pageSize ?? 50)));
    const sort = query.sort ?? 'time';
    const desc = (query.order ?? (sort === 'time' ? 'desc' : 'asc')) === 'desc';
    const base = query.rule ? this.ruleKey(query.rule) : this.timeKey;
    const min = query.from !== undefined ? String(query.from) : '-inf';
    const max = query.to !== undefined ? `(${query.to}` : '+inf';

    if (!query.sender && !query.recipient && sort === 'time') {
      // The common view pages straight off the sorted set: two round trips whatever the size.
      const total = await this.redis.zcount(base, min, max);
      const ids = desc
        ? await this.redis.zrevrangebyscore(base, max, min, 'LIMIT', page * pageSize, pageSize)
        : await this.redis.zrangebyscore(base, min, max, 'LIMIT', page * pageSize, pageSize);
      return { total, page, pageSize, entries: await this.entries(ids) };
    }
    const matching = await this.matching(query);
    const key = sortKey(sort);
    matching.sort((a, b) => {
      const c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0;
      return desc ? -c : c;
    });
    return { total: matching.length, page, pageSize, entries: matching.slice(page * pageSize, (page + 1) * pageSize) };
  }

  /** Every entry matching the query's filters (sorting and paging ignored), oldest first. */
  async matching(query: HeldQuery): Promise<HeldEntry[]> {
    const base = query.rule ? this.ruleKey(query.rule) : this.timeKey;
    const min = query.from !== undefined ? String(query.from) : '-inf';
    const max = query.to !== undefined ? `(${query.to}` : '+inf';
    const ids = await this.redis.zrangebyscore(base, min, max, 'LIMIT', 0, HELD_QUERY_MAX);
    const sender = query.sender?.toLowerCase();
    const recipient = query.recipient?.toLowerCase();
    const out: HeldEntry[] = [];
    for (const e of await this.entries(ids)) {
      if (sender && !e.sender.toLowerCase().includes(sender)) continue;
      if (recipient && !e.recipients.some((r) => r.toLowerCase().includes(recipient))) continue;
      out.push(e);
    }
    return out;
  }

  private async entries(ids: readonly string[]): Promise<HeldEntry[]> {
    const out: HeldEntry[] = [];
    for (let i = 0; i < ids.length; i += FETCH_CHUNK) {
      const chunk = ids.slice(i, i + FETCH_CHUNK);
      const raws = chunk.length ? await this.redis.hmget(this.entryKey, ...chunk) : [];
      for (const raw of raws) if (raw) out.push(JSON.parse(raw) as HeldEntry);
    }
    return out;
  }
}

function sortKey(sort: HeldSort): (e: HeldEntry) => string | number {
  switch (sort) {
    case 'sender':
      return (e) => e.sender.toLowerCase();
    case 'recipient':
      return (e) => (e.recipients[0] ?? '').toLowerCase();
    case 'subject':
      return (e) => e.subject.toLowerCase();
    case 'rule':
      return (e) => e.rules.join(',');
    case 'size':
      return (e) => e.size;
    case 'time':
      return (e) => e.receivedAt;
  }
}
