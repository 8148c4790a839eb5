/**
 * Checks the schema cannot express: names that must refer to the rank table, well-formed domain
 * and extension lists, exemption entries, and rule thresholds that contradict each other.
 */
import type { z } from 'zod';
import type { ConfigProblem } from './config-problem.js';
import { showValue } from './config-problem.js';
import { findLevel } from './marking-levels.js';
import type { policySchema } from './policy-schema.js';

type PolicyValue = z.output<typeof policySchema>;

const DOMAIN = /^(?=.{1,253}$)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)*[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const EXTENSION = /^[a-z0-9]{1,16}$/i;
/** 'alex@example.org', '@example.org', or an SMTP AUTH user name. */
const EXEMPT = /^(?:[^\s@]+@[^\s@]+|@[^\s@]+|[^\s@]+)$/;

export function crossCheckPolicy(p: PolicyValue): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const levels = p.markings.levels;
  const levelList = levels.map((l) => l.name).join(', ');

  const seen = new Set<string>();
  levels.forEach((l, i) => {
    const key = l.name.trim().toUpperCase();
    if (seen.has(key)) problems.push({ path: ['markings', 'levels', i, 'name'], detail: `${JSON.stringify(l.name)} is listed twice` });
    seen.add(key);
  });

  const rules = p.rules as Record<string, Record<string, unknown>>;
  for (const [ruleId, config] of Object.entries(rules)) {
    const minLevel = config['minLevel'];
    if (typeof minLevel === 'string' && !findLevel(levels, minLevel)) {
      problems.push({ path: ['rules', ruleId, 'minLevel'], detail: `expected a level from markings.levels (${levelList}), got ${showValue(minLevel)}` });
    }
    const exempt = config['exempt'];
    if (Array.isArray(exempt)) {
      exempt.forEach((e, i) => {
        if (typeof e === 'string' && !EXEMPT.test(e.trim())) {
          problems.push({ path: ['rules', ruleId, 'exempt', i], detail: `expected an address ("alex@example.org"), a domain ("@example.org") or an SMTP AUTH user name, got ${showValue(e)}` });
        }
      });
    }
  }
  for (const [label, level] of Object.entries(p.markings.purviewLabels)) {
    if (!findLevel(levels, level)) {
      problems.push({ path: ['markings', 'purviewLabels', label], detail: `expected a level from markings.levels (${levelList}), got ${showValue(level)}` });
    }
  }

  const low = findLevel(levels, p.rules['personal-marked-low'].minLevel);
  const high = findLevel(levels, p.rules['personal-marked'].minLevel);
  if (low && high && low.rank >= high.rank) {
    problems.push({
      path: ['rules', 'personal-marked-low', 'minLevel'],
      detail: `expected a level ranked below rules.personal-marked.minLevel (${high.name}), got ${showValue(low.name)}`,
    });
  }

  const listed = new Map<string, string>();
  for (const list of ['internal', 'secure', 'webmail'] as const) {
    p.domains[list].forEach((d, i) => {
      const path = ['domains', list, i];
      if (!DOMAIN.test(d)) {
        problems.push({ path, detail: `expected a domain name such as "police.uk" (no "@", "*" or leading dot), got ${showValue(d)}` });
        return;
      }
      const other = listed.get(d.toLowerCase());
      if (other && other !== list) problems.push({ path, detail: `${JSON.stringify(d)} is also listed in domains.${other}` });
      listed.set(d.toLowerCase(), list);
    });
  }

  const extensionLists = [
    [['rules', 'personal-attachment-type', 'allowedTypes'], p.rules['personal-attachment-type'].allowedTypes],
    [['rules', 'executable-content', 'extraExtensions'], p.rules['executable-content'].extraExtensions],
  ] as const;
  for (const [path, list] of extensionLists) {
    list.forEach((ext, i) => {
      if (!EXTENSION.test(ext)) problems.push({ path: [...path, i], detail: `expected a file extension without the dot, such as "docx", got ${showValue(ext)}` });
    });
  }
  return problems;
}
