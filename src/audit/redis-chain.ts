/**
 * The audit chain's Redis side: the writer lock, the chain head, recently written event ids
 * and the capped stream the dashboard tails. All keys share the queue prefix (a hash tag such as
 * `{mailwarden}`) so they live in one Redis Cluster slot and the scripts may touch them together.
 *
 * Each append batch is two round trips: `acquire` (take the lock, read the head, look up the
 * batch's event ids) and `commit` (move the head, remember the ids, feed the stream, release) -
 * both refuse to act for a token that no longer holds the lock.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX } from '../config/service-schema.js';
import type { AuditRecord, ChainHead } from './record.js';

export interface AuditKeys {
  readonly lock: string;
  readonly head: string;
  readonly seen: string;
  readonly stream: string;
}

export function auditKeys(prefix: string = DEFAULT_KEY_PREFIX): AuditKeys {
  return {
    lock: `${prefix}:audit:lock`,
    head: `${prefix}:audit:head`,
    seen: `${prefix}:audit:seen`,
    stream: `${prefix}:audit:stream`,
  };
}

/** The stored chain head, or null when this Redis has never seen the chain. */
export async function readAuditHead(redis: Redis, prefix: string = DEFAULT_KEY_PREFIX): Promise<ChainHead | null> {
  const [seq, hash] = await redis.hmget(auditKeys(prefix).head, 'seq', 'hash');
  return parseHead(seq ?? null, hash ?? null);
}

function parseHead(seq: string | null, hash: string | null): ChainHead | null {
  if (!seq || !hash) return null;
  const n = Number(seq);
  if (!Number.isSafeInteger(n) || n < 0 || !/^[0-9a-f]{64}$/.test(hash)) return null;
  return { seq: n, hash };
}

// KEYS: lock head seen | ARGV: token ttlMs eventId...
const ACQUIRE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local head = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seen = {}
for i = 3, #ARGV do
  if redis.call('ZSCORE', KEYS[3], ARGV[i]) then seen[#seen + 1] = ARGV[i] end
end
return {head[1] or '', head[2] or '', seen}
`;

// KEYS: lock head seen stream | ARGV: token seq hash windowMs maxLen nIds id... (seq type ref json)...
// Returns 1 done, 0 lock lost, -1 the stored head is already past ours (someone else wrote).
const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local current = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if current > tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) return -1 end
redis.call('HSET', KEYS[2], 'seq', ARGV[2], 'hash', ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[6])
for i = 7, 6 + n do redis.call('ZADD', KEYS[3], now, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]))
local i = 7 + n
while i + 3 <= #ARGV do
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'seq', ARGV[i], 'type', ARGV[i + 1], 'ref', ARGV[i + 2], 'record', ARGV[i + 3])
  i = i + 4
end
redis.call('DEL', KEYS[1])
return 1
`;

// KEYS: lock | ARGV: token ttlMs
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
// KEYS: lock | ARGV: token
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
const SHAS = new Map([ACQUIRE, COMMIT, RENEW, RELEASE].map((s) => [s, sha1(s)]));

/** EVALSHA, falling back to EVAL once when the script cache was flushed. */
async function run(redis: Redis, script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(SHAS.get(script)!, keys.length, ...keys, ...args);
  } catch (err) {
    if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

export interface Acquired {
  /** The head Redis holds, or null when it holds none. */
  readonly head: ChainHead | null;
  /** Event ids of the batch already written (within the dedupe window). */
  readonly seen: Set<string>;
}

export interface CommitInput {
  readonly head: ChainHead;
  readonly windowMs: number;
  readonly streamMaxLen: number;
  /** Ids to remember as written. */
  readonly eventIds: readonly string[];
  /** Records to add to the dashboard stream. */
  readonly records: readonly AuditRecord[];
}

export type CommitResult = 'ok' | 'lock-lost' | 'head-moved';

export class AuditLock {
  readonly token = randomBytes(16).toString('hex');

  constructor(
    private readonly redis: Redis,
    private readonly keys: AuditKeys,
    private readonly ttlMs: number,
  ) {}

  /** Null when another writer holds the lock. */
  async tryAcquire(eventIds: readonly string[]): Promise<Acquired | null> {
    const reply = (await run(this.redis, ACQUIRE, [this.keys.lock, this.keys.head, this.keys.seen], [this.token, this.ttlMs, ...eventIds])) as
      | [string, string, string[]]
      | null;
    if (!reply) return null;
    return { head: parseHead(reply[0] || null, reply[1] || null), seen: new Set(reply[2]) };
  }

  async renew(): Promise<boolean> {
    return (await run(this.redis, RENEW, [this.keys.lock], [this.token, this.ttlMs])) === 1;
  }

  async release(): Promise<void> {
    await run(this.redis, RELEASE, [this.keys.lock], [this.token]);
  }

  /** Moves the head, remembers the ids, feeds the stream and releases the lock, atomically. */
  async commit(input: CommitInput): Promise<CommitResult> {
    const args: (string | number)[] = [
      this.token,
      input.head.seq,
      input.head.hash,
      input.windowMs,
      input.streamMaxLen,
      input.eventIds.length,
      ...input.eventIds,
    ];
    for (const r of input.records) args.push(r.seq, r.type, r.ref, JSON.stringify(r));
    const keys = [this.keys.lock, this.keys.head, this.keys.seen, this.keys.stream];
    const result = Number(await run(this.redis, COMMIT, keys, args));
    return result === 1 ? 'ok' : result === 0 ? 'lock-lost' : 'head-moved';
  }
}
