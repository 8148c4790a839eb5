/**
 * What the agreement tests (check against the relay, check against the milter behind Postfix)
 * share: every manifest case through `check`, and the cases grouped by policy override, each
 * group with the service config that gives the service the same policy `check` used.
 */
import { join } from 'node:path';
import { checkFile } from '../../src/cli/check.js';
import { policyForCase, type ManifestCase } from '../../src/cli/manifest.js';
import { defaultPolicyPath, loadPolicy } from '../../src/config/load-policy.js';
import type { InspectionResult } from '../../src/inspect.js';
import { writePolicyFile } from '../fronts/smtp/harness.js';
import { inParallel } from './parallel.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/** Every case through check's own function, with its policy (the default, or the case's override). */
export async function checkAll(cases: readonly ManifestCase[], parallel: number): Promise<Map<ManifestCase, InspectionResult>> {
  const policyFile = defaultPolicyPath();
  const defaultPolicy = await loadPolicy(policyFile);
  const checked = new Map<ManifestCase, InspectionResult>();
  await inParallel(cases, parallel, async (c) => {
    const policy = await policyForCase(c, policyFile, defaultPolicy);
    checked.set(c, await checkFile(join(FIXTURES, c.file), policy, { from: c.envelope?.from, to: c.envelope?.to }));
  });
  return checked;
}

export interface PolicyGroup {
  readonly cases: readonly ManifestCase[];
  /** Service config to merge over the test's (empty for the default policy). */
  readonly config: Record<string, unknown>;
}

/**
 * The cases by policy override. A group with an override gets a policy file of the default with it
 * merged in, and `smtp.size` set to that policy's limit: the service's one size setting replaces
 * rules.message-size.maxBytes of its policy (src/service/settings.ts).
 */
export async function policyGroups(cases: readonly ManifestCase[], dir: string): Promise<PolicyGroup[]> {
  const policyFile = defaultPolicyPath();
  const defaultPolicy = await loadPolicy(policyFile);
  const byKey = new Map<string, ManifestCase[]>();
  for (const c of cases) {
    const key = c.policy ? JSON.stringify(c.policy) : '';
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const groups: PolicyGroup[] = [];
  for (const [key, group] of byKey) {
    const first = group[0]!;
    if (!key) {
      groups.push({ cases: group, config: {} });
      continue;
    }
    const merged = await policyForCase(first, policyFile, defaultPolicy);
    const file = await writePolicyFile(join(dir, `override-${groups.length}.policy.yaml`), first.policy ?? {});
    groups.push({ cases: group, config: { policy: { file }, smtp: { size: merged.rules['message-size'].maxBytes } } });
  }
  return groups;
}
