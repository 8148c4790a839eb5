/**
 * Structure of the fixture corpus (fixtures/manifest.yaml and the .eml files), that it rebuilds
 * byte for byte, and that the test helpers make what they promise. Whether inspection gives
 * the expected decisions is a separate test that runs the manifest through `mailwarden check`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import yauzl from 'yauzl';
import { z } from 'zod';
import { policySchema, type PolicyInput } from '../src/config/policy-schema.js';
import { RULE_IDS, type RuleId } from '../src/policy/rules.js';
import { buildFixtures, MANIFEST_FILE } from '../scripts/fixture-lib/build.js';
import { docm, nestedZip, peExe, testMessage } from './helpers/files.js';
import { deepNesting, garbage, largeMessage, longBodyLine, longHeaderLine, manyParts, zipBombBytes } from './helpers/hostile.js';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

/** The level names of the rank table (the default `markings.levels`). */
const LEVELS = ['NOT PROTECTIVELY MARKED', 'UNCLASSIFIED', 'OFFICIAL', 'PROTECT', 'RESTRICTED', 'OFFICIAL-SENSITIVE', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'] as const;

const ruleId = z.enum(RULE_IDS);
const caseSchema = z.strictObject({
  file: z.string().regex(/^[a-z-]+\/[a-z0-9-]+\.eml$/),
  description: z.string().min(10),
  envelope: z.strictObject({ from: z.email(), to: z.array(z.email()).min(1) }),
  expect: z.strictObject({
    decision: z.enum(['accept', 'quarantine', 'reject']),
    rules: z.array(ruleId),
    absent: z.array(ruleId).optional(),
    marking: z.enum(LEVELS).nullable(),
    personal: z.boolean().optional(),
    encrypted: z.boolean().optional(),
  }),
  policy: z.record(z.string(), z.unknown()).optional(),
});
type FixtureCase = z.infer<typeof caseSchema>;

const manifest: FixtureCase[] = z.array(caseSchema).parse(parse(readFileSync(join(FIXTURES, MANIFEST_FILE), 'utf8')));

function emlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** Objects merge, everything else (lists included) replaces: how a case's `policy` applies. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? deepMerge(b, v) : v;
  }
  return out;
}

const MINIMAL_POLICY: PolicyInput = { domains: {}, markings: { levels: LEVELS.map((name, rank) => ({ name, rank })) } };
const policyFor = (c: FixtureCase) => policySchema.parse(deepMerge(MINIMAL_POLICY as Record<string, unknown>, c.policy ?? {}));

describe('fixture manifest', () => {
  it('lists at least 70 cases, each file once', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(70);
    expect(new Set(manifest.map((c) => c.file)).size).toBe(manifest.length);
  });

  it('names only files that exist, and every .eml in fixtures/ is in it', () => {
    const listed = manifest.map((c) => c.file).sort();
    for (const file of listed) expect(existsSync(join(FIXTURES, file)), file).toBe(true);
    expect(emlFiles(FIXTURES)).toEqual(listed);
  });

  it('never expects a rule both to fire and to be absent', () => {
    for (const c of manifest) {
      const clash = c.expect.rules.filter((r) => c.expect.absent?.includes(r));
      expect(clash, c.file).toEqual([]);
    }
  });

  it('has a positive and a negative case for every rule', () => {
    const missing: string[] = [];
    for (const rule of RULE_IDS) {
      if (!manifest.some((c) => c.expect.rules.includes(rule))) missing.push(`${rule}: no positive case`);
      if (!manifest.some((c) => c.expect.absent?.includes(rule))) missing.push(`${rule}: no negative case`);
    }
    expect(missing).toEqual([]);
  });

  it('expects the most severe action of the expected rules (monitor-only findings accept)', () => {
    for (const c of manifest) {
      const policy = policyFor(c);
      const actions = c.expect.rules.map((r: RuleId) => policy.rules[r].action);
      const decision = actions.includes('reject') ? 'reject' : actions.includes('quarantine') ? 'quarantine' : 'accept';
      expect(`${c.file}: ${c.expect.decision}`).toBe(`${c.file}: ${decision}`);
    }
  });

  it('uses per-case policy overrides that the strict policy schema accepts', () => {
    const withPolicy = manifest.filter((c) => c.policy);
    expect(withPolicy.length).toBeGreaterThan(0);
    for (const c of withPolicy) expect(() => policyFor(c), c.file).not.toThrow();
  });
});

describe('fixture files', () => {
  it('are 7-bit MIME with CRLF line endings only, headers then a blank line', () => {
    for (const c of manifest) {
      const raw = readFileSync(join(FIXTURES, c.file));
      const text = raw.toString('latin1');
      const bare = /[^\r]\n|\r[^\n]/.test(text);
      const control = /[^\t\r\n\x20-\x7e]/.test(text);
      if (c.file.startsWith('intake/')) {
        // These carry a bare CR, a bare LF or a NUL on purpose: what the intake normalises.
        expect(bare || text.includes('\0'), `${c.file}: neither a bare line ending nor a NUL`).toBe(true);
        expect(/[^\0\t\r\n\x20-\x7e]/.test(text), `${c.file}: 8-bit byte`).toBe(false);
      } else {
        expect(bare, `${c.file}: bare CR or LF`).toBe(false);
        expect(control, `${c.file}: 8-bit byte`).toBe(false);
      }
      expect(text.indexOf('\r\n\r\n'), c.file).toBeGreaterThan(0);
      expect(/^MIME-Version: 1\.0\r$/m.test(text.slice(0, text.indexOf('\r\n\r\n') + 2)), c.file).toBe(true);
    }
  });

  it('stay under 8 MB in total', () => {
    const total = emlFiles(FIXTURES).reduce((n, f) => n + statSync(join(FIXTURES, f)).size, 0);
    expect(total).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('fixture build', () => {
  let outDir = '';
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'mailwarden-fixtures-'));
    await buildFixtures(outDir);
  }, 120_000);
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('regenerates every committed file byte for byte', () => {
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    const files = [...emlFiles(outDir), MANIFEST_FILE];
    expect(emlFiles(outDir)).toEqual(emlFiles(FIXTURES));
    const differing = files.filter((f) => sha(join(outDir, f)) !== sha(join(FIXTURES, f)));
    expect(differing, `rebuilt files differ: run npm run fixtures and commit (${relative(process.cwd(), FIXTURES)})`).toEqual([]);
  });
});

function zipEntries(buf: Buffer): Promise<Array<{ name: string; size: number; compressed: number }>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out: Array<{ name: string; size: number; compressed: number }> = [];
      zip.on('entry', (e: yauzl.Entry) => {
        out.push({ name: e.fileName, size: e.uncompressedSize, compressed: e.compressedSize });
        zip.readEntry();
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('hostile generators', () => {
  it('streams the large message at exactly its announced size, in small chunks', async () => {
    const big = largeMessage();
    expect(big.size).toBeGreaterThan(24 * 1024 * 1024);
    expect(big.size).toBeLessThanOrEqual(25 * 1024 * 1024);
    let total = 0;
    let largest = 0;
    let tail = '';
    for await (const chunk of big.stream()) {
      total += (chunk as Buffer).length;
      largest = Math.max(largest, (chunk as Buffer).length);
      tail = (tail + (chunk as Buffer).toString('latin1')).slice(-64);
    }
    expect(total).toBe(big.size);
    expect(largest).toBeLessThan(256 * 1024);
    expect(tail.endsWith('--_000_LARGE_MESSAGE_--\r\n')).toBe(true);
  });

  it('makes the structural attacks it names', () => {
    expect(deepNesting(200).toString('latin1').match(/^Content-Type: multipart\/mixed/gm)?.length).toBe(200);
    expect(manyParts(3000).toString('latin1').match(/^--many\r$/gm)?.length).toBe(3000);
    const subject = longHeaderLine(200 * 1024).toString('latin1').split('\r\n').find((l) => l.startsWith('Subject: '));
    expect(subject?.length).toBe(200 * 1024 + 'Subject: '.length);
    const body = longBodyLine(8 * 1024 * 1024);
    expect(body.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(body.subarray(body.length - 8 * 1024 * 1024 - 2, body.length - 2).includes(0x0a)).toBe(false);
    expect(garbage(4096, 'a')).toEqual(garbage(4096, 'a'));
    expect(garbage(4096, 'a')).not.toEqual(garbage(4096, 'b'));
  });

  it('builds a zip bomb that declares 1 GiB from about 1 MB', async () => {
    const bomb = zipBombBytes();
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const [entry] = await zipEntries(bomb);
    expect(entry?.size).toBe(1024 * 1024 * 1024);
    expect(entry?.compressed).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('file helpers', () => {
  it('nest zips and build messages with real attachments', async () => {
    const nested = await nestedZip(3, 'tool.exe', peExe());
    const [outer] = await zipEntries(nested);
    expect(outer?.name).toBe('level-1.zip');
    const message = testMessage({ subject: '[Personal] test', attachments: [{ filename: 'a.docm', data: await docm() }] }).toString('latin1');
    expect(message).toContain('Subject: [Personal] test\r\n');
    expect(message).toContain('filename="a.docm"');
    expect(/[^\r]\n/.test(message)).toBe(false);
  });
});
