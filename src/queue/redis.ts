/**
 * Redis connections for BullMQ, in two kinds with opposite failure rules.
 *
 * - `producer` (the SMTP front, the CLI): must fail fast. A client waiting on a 250 must get
 *   451 4.3.0 within seconds when Redis is gone, never hang. So: no offline queue (commands fail
 *   at once while disconnected), a short connect timeout, and one retry per request.
 *   Caveat: before the FIRST connection BullMQ's `queue.add` waits for 'ready' regardless of
 *   these options; the Dispatcher bounds every add with its own timer for that reason.
 * - `worker`: must ride out Redis restarts. BullMQ requires `maxRetriesPerRequest: null` for
 *   its blocking connections and keeps commands queued until Redis is back.
 */
import { Redis, type RedisOptions } from 'ioredis';

export type RedisKind = 'producer' | 'worker';

export const PRODUCER_CONNECT_TIMEOUT_MS = 2_000;

export function redisOptions(kind: RedisKind): RedisOptions {
  if (kind === 'producer') {
    return {
      enableOfflineQueue: false,
      connectTimeout: PRODUCER_CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      // Keep reconnecting in the background (capped at 2 s) so the front recovers on its own.
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    };
  }
  return {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 500, 5_000),
  };
}

/** Creates an ioredis client for `url` (redis:// or rediss://). The caller owns and quits it. */
export function createRedis(url: string, kind: RedisKind): Redis {
  const client = new Redis(url, redisOptions(kind));
  // ioredis emits 'error' on every failed reconnect; without a listener Node crashes the process.
  // The service logs connection state through its own listeners.
  client.on('error', () => {});
  return client;
}

/** Resolves once `redis` is ready; rejects after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not become ready within ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** QUIT, or a plain disconnect when Redis cannot take the command. Never throws. */
export async function quitRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
