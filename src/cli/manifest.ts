/**
 * The fixture manifest (format: fixtures/README.md): for each .eml, the envelope to use, the
 * expected decision and the complete set of rules expected to fire, and optionally a policy
 * override deep-merged over the default policy for that one case.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { buildPolicy } from '../config/load-policy.js';
import type { Policy } from '../config/policy-schema.js';
import { RULE_IDS } from '../policy/rules.js';
import type { Verdict } from '../policy/verdict.js';

const ruleId = z.enum(RULE_IDS);

const caseSchema = z.strictObject({
  file: z.string().min(1),
  description: z.string().default(''),
  envelope: z.strictObject({ from: z.string().optional(), to: z.array(z.string()).optional() }).optional(),
  expect: z.strictObject({
    decision: z.enum(['accept', 'quarantine', 'reject']),
    /** Every rule expected among the findings, monitor-only ones included: an exact set. */
    rules: z.array(ruleId).default([]),
    absent: z.array(ruleId).default([]),
    marking: z.string().nullable().optional(),
    personal: z.boolean().optional(),
    encrypted: z.boolean().optional(),
  }),
  policy: z.record(z.string(), z.unknown()).optional(),
});

export type ManifestCase = z.output<typeof caseSchema>;

export async function loadManifest(file: string): Promise<ManifestCase[]> {
  const parsed = z.array(caseSchema).safeParse(parseYaml(await readFile(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: invalid manifest at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown problem'}`);
  }
  return parsed.data;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The policy a case runs under: the default one, or the default with the case's override merged in. */
export async function policyForCase(c: ManifestCase, defaultPolicyFile: string, defaultPolicy: Policy): Promise<Policy> {
  if (!c.policy) return defaultPolicy;
  const base: unknown = parseYaml(await readFile(defaultPolicyFile, 'utf8'));
  return buildPolicy(deepMerge(base, c.policy), `${defaultPolicyFile} + override for ${c.file}`);
}

export interface CaseOutcome {
  readonly case: ManifestCase;
  readonly decision: string;
  readonly rules: readonly string[];
  /** Empty when the case passed. */
  readonly problems: readonly string[];
}

/** Compare what inspection found with what the manifest expects. */
export function judgeCase(c: ManifestCase, verdict: Verdict): CaseOutcome {
  const rules = [...new Set(verdict.findings.map((f) => f.rule))];
  const problems: string[] = [];
  const e = c.expect;
  if (verdict.decision !== e.decision) problems.push(`decision ${verdict.decision}, expected ${e.decision}`);
  for (const r of e.rules) if (!rules.includes(r)) problems.push(`missing ${r}`);
  for (const r of rules) if (!e.rules.includes(r as never)) problems.push(`unexpected ${r}`);
  for (const r of e.absent) if (rules.includes(r)) problems.push(`${r} must not fire`);
  if (e.marking !== undefined && verdict.marking !== e.marking) problems.push(`marking ${verdict.marking}, expected ${e.marking}`);
  if (e.personal !== undefined && verdict.personal !== e.personal) problems.push(`personal ${verdict.personal}, expected ${e.personal}`);
  if (e.encrypted !== undefined && verdict.encrypted !== e.encrypted) problems.push(`encrypted ${verdict.encrypted}, expected ${e.encrypted}`);
  return { case: c, decision: verdict.decision, rules, problems };
}
