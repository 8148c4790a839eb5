/**
 * Every case of fixtures/manifest.yaml through the same code path as `mailwarden check`,
 * against the default policy (config/policy.yaml).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../src/cli/check.js';
import { judgeCase, loadManifest, policyForCase } from '../src/cli/manifest.js';
import { defaultPolicyPath, loadPolicy } from '../src/config/load-policy.js';

const dir = join(import.meta.dirname, '..', 'fixtures');
const cases = await loadManifest(join(dir, 'manifest.yaml'));
const policyFile = defaultPolicyPath();
const policy = await loadPolicy(policyFile);

describe('fixture manifest', () => {
  it('has a realistic corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  for (const c of cases) {
    it(`${c.file}: ${c.expect.decision} ${c.expect.rules.join(',')}`, async () => {
      const casePolicy = await policyForCase(c, policyFile, policy);
      const { verdict } = await checkFile(join(dir, c.file), casePolicy, { from: c.envelope?.from, to: c.envelope?.to });
      const outcome = judgeCase(c, verdict);
      expect(outcome.problems, `${c.description}\nfindings: ${JSON.stringify(verdict.findings.map((f) => [f.rule, f.action, f.reason]), null, 1)}`).toEqual([]);
    });
  }
});
