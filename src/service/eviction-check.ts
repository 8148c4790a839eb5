/**
 * BullMQ keeps every job in Redis. Under any eviction policy but `noeviction` a full Redis silently
 * drops keys, jobs included: mail answered 250 would vanish from the queues (the spool still has
 * it, and reconcile re-creates the jobs at the next start, but nobody would know until then).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Returns the policy found, or null when Redis refused CONFIG (managed services often do). */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<string | null> {
  let policy: string | null = null;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    policy = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : null;
  } catch (err) {
    logger.warn({ err }, 'could not read Redis maxmemory-policy (CONFIG refused?): make sure it is noeviction');
    return null;
  }
  if (policy !== 'noeviction') {
    logger.error(
      { maxmemoryPolicy: policy },
      `REDIS maxmemory-policy IS '${policy}', NOT 'noeviction': when memory runs out Redis will DROP QUEUED JOBS. ` +
        `Set it with: redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf)`,
    );
  }
  return policy;
}
