/** Real Redis under a per-run prefix, real temp dirs, and plausible events. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { lifecycleEvent } from '../../src/audit/build-event.js';
import type { AuditEvent } from '../../src/audit/events.js';
import { newSpoolId } from '../../src/spool/spool-id.js';
import { makeSidecar } from '../spool/sidecar-factory.js';

export interface AuditRig {
  readonly redis: Redis;
  readonly prefix: string;
  readonly dir: string;
  cleanup(): Promise<void>;
}

export async function auditRig(): Promise<AuditRig> {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `{mwtest-audit-${randomBytes(4).toString('hex')}}`;
  const dir = await mkdtemp(join(tmpdir(), 'mw-audit-'));
  return {
    redis,
    prefix,
    dir,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function sampleEvent(i: number, type: 'delivered' | 'deferred' = 'delivered'): AuditEvent {
  const sidecar = makeSidecar(newSpoolId(), { subject: `Message number ${i}`, size: 1000 + i, sha256: 'b'.repeat(64) });
  return lifecycleEvent(sidecar, type, {
    at: new Date(Date.UTC(2025, 2, 4, 12, 0, i)).toISOString(),
    recipients: [{ rcpt: 'bob@partner.example', code: 250, response: '250 2.0.0 queued' }],
  });
}

export async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
}

export async function writeLines(path: string, ls: string[]): Promise<void> {
  await writeFile(path, ls.map((l) => `${l}\n`).join(''));
}
