/**
 * A collected part's size and sha256 are those of every byte written, however the part was kept:
 * in memory (hashed when asked), spilled to a temp file part-way (hashed from the spill on, with
 * what was in memory before it), or not kept past the temp quota (still hashed to the end).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartCollector } from '../../src/message/part-collector.js';
import { TempArea } from '../../src/message/temp-area.js';

let dir: string;
let temp: TempArea | null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-collector-'));
  temp = null;
});
afterEach(async () => {
  await temp?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Chunks of different bytes, so that a chunk hashed twice, skipped or out of order shows. */
function chunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, (i * 37 + 11) % 256));
}

const sha256 = (bufs: Buffer[]) => createHash('sha256').update(Buffer.concat(bufs)).digest('hex');

async function collect(parts: Buffer[], memoryBytes: number, quota: number) {
  temp = new TempArea(dir, quota);
  const c = new PartCollector(temp, memoryBytes, 'part');
  for (const p of parts) await c.write(p);
  return c.finish();
}

describe('PartCollector', () => {
  it('keeps a small part in memory with the sha256 of its bytes', async () => {
    const parts = chunks(5, 1000);
    const got = await collect(parts, 1 << 20, 1 << 20);
    expect(got.kind).toBe('blob');
    if (got.kind !== 'blob') return;
    expect(got.blob.buffer?.equals(Buffer.concat(parts))).toBe(true);
    expect(got.blob.size).toBe(5000);
    expect(got.blob.sha256).toBe(sha256(parts));
    expect(got.blob.sha256).toBe(sha256(parts)); // asked again: the same
  });

  it('spills part-way to a temp file: the hash covers what was in memory before the spill and every chunk after', async () => {
    const parts = chunks(12, 1000);
    const got = await collect(parts, 4500, 1 << 20);
    expect(got.kind).toBe('blob');
    if (got.kind !== 'blob') return;
    expect(got.blob.buffer).toBeNull();
    expect((await readFile(got.blob.path!)).equals(Buffer.concat(parts))).toBe(true);
    expect(got.blob.sha256).toBe(sha256(parts));
    expect(got.blob.size).toBe(12_000);
    await got.release();
  });

  it('past the temp quota keeps nothing but still hashes and counts every byte', async () => {
    const parts = chunks(12, 1000);
    const got = await collect(parts, 2500, 6000);
    expect(got.kind).toBe('not-kept');
    if (got.kind !== 'not-kept') return;
    expect(got.reason).toMatch(/quota/);
    expect(got.sha256).toBe(sha256(parts));
    expect(got.size).toBe(12_000);
    expect(got.head.equals(Buffer.concat(parts).subarray(0, got.head.length))).toBe(true);
  });

  it('an empty part has the sha256 of nothing', async () => {
    const got = await collect([], 1000, 1000);
    expect(got.kind === 'blob' && got.blob.sha256).toBe(createHash('sha256').digest('hex'));
  });
});
