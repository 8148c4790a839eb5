import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuledFinding } from '../../src/policy/verdict.js';
import { HeldIndex } from '../../src/queue/held-index.js';
import { createRedis } from '../../src/queue/redis.js';
import { makeSidecar } from '../spool/sidecar-factory.js';
import { dropPrefix, REDIS_URL, testPrefix, type Redis } from '../workers/support.js';

const RULES = ['personal-brevity', 'mass-mail', 'macro-documents', 'unscannable'];
const T0 = Date.parse('2026-01-01T00:00:00Z');
const N = 10_000;

function finding(rule: string): RuledFinding {
  return { rule, action: 'quarantine', excepted: false, reason: `held by ${rule}`, policyRef: 'SOP 3.4', evidence: [] } as unknown as RuledFinding;
}

describe('held-mail index', () => {
  let redis: Redis;
  let prefix: string;
  let index: HeldIndex;

  beforeAll(async () => {
    redis = createRedis(REDIS_URL, 'worker');
    prefix = testPrefix();
    index = new HeldIndex(redis, prefix);
    const adds: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const rule = RULES[i % RULES.length]!;
      const s = makeSidecar(`held${String(i).padStart(6, '0')}x`, {
        receivedAt: new Date(T0 + i * 60_000).toISOString(),
        envelope: { mailFrom: `sender${i % 100}@example.gov.uk`, rcptTo: [`r${i % 7}@partner.example`], clientAddress: '127.0.0.1' },
        subject: `Subject ${i}`,
        size: i,
        state: 'held',
        verdict: { decision: 'quarantine', personal: false, marking: null, encrypted: false, findings: [finding(rule)], policyVersion: 'p', monitorMode: false },
      });
      adds.push(index.add(s, [rule]));
    }
    await Promise.all(adds);
  }, 60_000);

  afterAll(async () => {
    await dropPrefix(prefix);
    redis.disconnect();
  });

  it(`pages ${N} held messages newest first, well under a second, without the spool`, async () => {
    const started = performance.now();
    const first = await index.list({ pageSize: 50 });
    const ms = performance.now() - started;
    expect(first.total).toBe(N);
    expect(first.entries).toHaveLength(50);
    expect(first.entries[0]!.subject).toBe(`Subject ${N - 1}`);
    const last = await index.list({ pageSize: 50, page: N / 50 - 1 });
    expect(last.entries.at(-1)!.subject).toBe('Subject 0');
    console.log(`held index: first page of ${N} in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(250);
  });

  it('filters by rule, sender, recipient and date, sorts and pages: still under a second', async () => {
    const started = performance.now();
    const page = await index.list({ rule: 'mass-mail', sender: 'SENDER1@', recipient: 'r3@', sort: 'size', order: 'desc', pageSize: 20 });
    const ms = performance.now() - started;
    console.log(`held index: filtered listing over ${N} in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
    // mass-mail is i % 4 == 1; 'sender1@' is i % 100 == 1; 'r3@' is i % 7 == 3
    const withSender1 = [...Array(N).keys()].filter((i) => i % 4 === 1 && `sender${i % 100}@`.includes('sender1@') && i % 7 === 3);
    expect(page.total).toBe(withSender1.length);
    expect(page.entries.map((e) => e.size)).toEqual(withSender1.sort((a, b) => b - a).slice(0, 20));

    const day = await index.list({ from: T0 + 100 * 60_000, to: T0 + 200 * 60_000, order: 'asc' });
    expect(day.total).toBe(100);
    expect(day.entries[0]!.subject).toBe('Subject 100');
  });

  it('remove drops the entry from every set', async () => {
    const id = 'held000005x';
    expect((await index.get(id))?.rules).toEqual(['mass-mail']);
    await index.remove(id);
    expect(await index.get(id)).toBeNull();
    const page = await index.list({ rule: 'mass-mail', pageSize: 500, order: 'asc' });
    expect(page.entries.some((e) => e.id === id)).toBe(false);
    expect(await index.count()).toBe(N - 1);
  });
});
