import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEvictionPolicy } from '../../src/service/eviction-check.js';
import { ensureRedis, findOnPath, redisAnswers, RedisUnavailableError } from '../../src/service/redis-bootstrap.js';
import { memoryLogger } from '../fronts/smtp/harness.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-redis-boot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('ensureRedis', () => {
  it('uses a Redis that answers and starts nothing', async () => {
    const { logger } = memoryLogger();
    const handle = await ensureRedis({ url: 'redis://127.0.0.1:6379', autoStart: true, dataDir: join(dir, 'unused'), logger });
    expect(handle.child).toBeNull();
    await handle.stop();
    expect(await readdir(dir)).not.toContain('unused');
  });

  it('fails with how-to-get-one for a URL that is not the default local one', async () => {
    const { logger } = memoryLogger();
    const port = await freePort();
    const err = await ensureRedis({ url: `redis://127.0.0.1:${port}`, autoStart: true, dataDir: join(dir, 'x'), logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    expect((err as Error).message).toMatch(/No Redis answers at redis:\/\/127\.0\.0\.1:\d+.*apt-get install redis-server.*REDIS_URL/);
  });

  it('fails when autoStart is off', async () => {
    const { logger } = memoryLogger();
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis({ url, autoStartUrl: url, autoStart: false, dataDir: join(dir, 'y'), logger })).rejects.toThrow(RedisUnavailableError);
  });

  it('starts a child redis-server (AOF, noeviction, data dir), logs it, and stops it', async () => {
    expect(findOnPath('redis-server')).not.toBeNull();
    const { logger, lines } = memoryLogger();
    const url = `redis://127.0.0.1:${await freePort()}`;
    const dataDir = join(dir, 'redis');
    const handle = await ensureRedis({ url, autoStartUrl: url, autoStart: true, dataDir, logger });
    try {
      expect(handle.child?.pid).toBeGreaterThan(0);
      expect(lines.some((l) => typeof l.msg === 'string' && l.msg.includes('started redis-server as a child process'))).toBe(true);
      const redis = new Redis(url);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'dir')).toEqual(['dir', dataDir]);
      // The start-up check: quiet for noeviction, loud otherwise.
      expect(await checkEvictionPolicy(redis, logger)).toBe('noeviction');
      expect(lines.some((l) => l.level === 50)).toBe(false);
      await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      expect(await checkEvictionPolicy(redis, logger)).toBe('allkeys-lru');
      const loud = lines.find((l) => l.level === 50);
      expect(String(loud?.msg)).toMatch(/NOT 'noeviction'.*DROP QUEUED JOBS/);
      redis.disconnect();
    } finally {
      await handle.stop();
    }
    expect(await redisAnswers(url)).toBe(false);
    expect(handle.child?.exitCode !== null || handle.child?.signalCode !== null).toBe(true);
  });
});
