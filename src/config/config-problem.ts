/**
 * One problem in a configuration file, located by key path, and how it reads to a person:
 * 'rules.mass-mail.maxRecipients (line 40): expected a whole number above 0, got "fifty"'.
 */
import type { z } from 'zod';
import { describeExpected, knownKeys, schemaAt, type SchemaNode } from './describe-schema.js';

export interface ConfigProblem {
  /** Key path of the value (for an unknown key: of the mapping holding it). */
  readonly path: readonly PropertyKey[];
  /** Set for an unknown key. */
  readonly unknownKey?: string;
  /** What is wrong ('expected ..., got ...'); for an unknown key, an optional hint. */
  readonly detail: string;
}

/** 'rules.mass-mail.maxRecipients', 'markings.levels[2].rank', 'markings.purviewLabels["Official Sensitive"]'. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(key))) out += `${out ? '.' : ''}${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** A value as a person would name it in an error: "fifty", 12, an empty value, a list. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

export function renderProblem(p: ConfigProblem, line?: number): string {
  const at = line ? ` (line ${line})` : '';
  if (p.unknownKey !== undefined) {
    const where = p.path.length ? `in ${formatPath(p.path)}` : 'at the top level';
    return `unknown key ${JSON.stringify(p.unknownKey)} ${where}${at}${p.detail ? `; ${p.detail}` : ''}`;
  }
  return `${p.path.length ? formatPath(p.path) : 'the top level'}${at}: ${p.detail}`;
}

/** Turn zod issues (parsed with `reportInput: true`) into problems in plain words. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], root: SchemaNode): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schemaAt(root, path));
      for (const key of issue.keys) {
        const near = closest(key, known);
        const detail = near ? `did you mean ${JSON.stringify(near)}?` : known.length ? `expected one of ${known.join(', ')}` : '';
        out.push({ path, unknownKey: key, detail });
      }
      continue;
    }
    const node = schemaAt(root, path);
    const expected = node ? describeExpected(node) : '';
    const input: unknown = issue.input;
    if (issue.code === 'invalid_type' && input === undefined) {
      out.push({ path, detail: `missing; expected ${expected || issue.expected}` });
    } else if (issue.code === 'too_small' && issue.origin === 'array') {
      const n = Array.isArray(input) ? input.length : 0;
      const min = Number(issue.minimum);
      out.push({ path, detail: `expected a list of at least ${min} ${min === 1 ? 'entry' : 'entries'}, got ${n}` });
    } else if (expected && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'too_small' || issue.code === 'too_big')) {
      out.push({ path, detail: `expected ${expected}, got ${showValue(input)}` });
    } else {
      out.push({ path, detail: issue.message });
    }
  }
  return out;
}

/** The candidate nearest to a misspelt word, when it is near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
