/**
 * `mailwarden replay [--config FILE] [--json] DIR`: run every case of DIR/manifest.yaml through the
 * same code path as `mailwarden check` and print expected against got. Exit 1 when any case differs.
 */
import { join } from 'node:path';
import { defaultPolicyPath, loadPolicy } from '../config/load-policy.js';
import type { Policy } from '../config/policy-schema.js';
import { readArgs, UsageError } from './args.js';
import { checkErrorText, checkFile } from './check.js';
import { judgeCase, loadManifest, policyForCase, type CaseOutcome } from './manifest.js';

export async function replayDir(dir: string, policyFile: string, policy: Policy): Promise<CaseOutcome[]> {
  const cases = await loadManifest(join(dir, 'manifest.yaml'));
  const outcomes: CaseOutcome[] = [];
  for (const c of cases) {
    try {
      const casePolicy = await policyForCase(c, policyFile, policy);
      const file = join(dir, c.file);
      const { verdict } = await checkFile(file, casePolicy, { from: c.envelope?.from, to: c.envelope?.to }, {
        onCheckError: (rule, err) => process.stderr.write(checkErrorText(rule, file, err).replace('mailwarden check', 'mailwarden replay')),
      });
      outcomes.push(judgeCase(c, verdict));
    } catch (err) {
      outcomes.push({ case: c, decision: 'error', rules: [], problems: [(err as Error).message] });
    }
  }
  return outcomes;
}

function table(outcomes: readonly CaseOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.problems.length === 0 ? 'ok' : 'FAIL',
    o.case.file,
    o.case.expect.decision,
    o.decision,
    o.rules.join(',') || '-',
    o.problems.join('; '),
  ]);
  const head = ['', 'file', 'expected', 'got', 'rules found', 'problems'];
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = readArgs(argv, {
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError('usage: mailwarden replay [--config FILE] [--json] DIR');
  const policyFile = values.config ?? defaultPolicyPath();
  const outcomes = await replayDir(positionals[0]!, policyFile, await loadPolicy(policyFile));
  const failed = outcomes.filter((o) => o.problems.length > 0).length;
  if (values.json) {
    process.stdout.write(JSON.stringify(outcomes, null, 2) + '\n');
  } else {
    process.stdout.write(`${table(outcomes)}\n\n${outcomes.length - failed} passed, ${failed} failed\n`);
  }
  return failed === 0 ? 0 : 1;
}
