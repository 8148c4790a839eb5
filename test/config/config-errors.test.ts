/**
 * One folder per broken policy under test/config-errors/ (chasquid-style): policy.yaml, the exact
 * error text start-up must print (expected-error.txt) and the stable error code (code).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, parsePolicy, PolicyError } from '../../src/config/load-policy.js';

const ROOT = 'test/config-errors';
const cases = readdirSync(ROOT).filter((d) => !d.startsWith('.'));

describe('broken policies stop start-up with the file, the key and what was expected', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  it.each(cases)('%s', async (name) => {
    const file = path.join(ROOT, name, 'policy.yaml');
    const expected = readFileSync(path.join(ROOT, name, 'expected-error.txt'), 'utf8').trimEnd();
    const code = readFileSync(path.join(ROOT, name, 'code'), 'utf8').trim();
    const err = await loadPolicy(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).message).toBe(expected);
    expect((err as PolicyError).code).toBe(code);
    if (code !== 'POLICY_UNREADABLE') {
      // The in-memory path gives the same answer.
      expect(() => parsePolicy(readFileSync(file, 'utf8'), file)).toThrow(expected);
    }
  });
});
