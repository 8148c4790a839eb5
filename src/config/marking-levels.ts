/**
 * Looking up a level in the configured rank table. Level names in the policy file are matched
 * ignoring case, so 'restricted' in a rule's minLevel names RESTRICTED.
 */
import type { Policy } from './policy-schema.js';

type Levels = Policy['markings']['levels'];

export function findLevel(levels: Levels, name: string): { name: string; rank: number } | undefined {
  const want = name.trim().toUpperCase();
  return levels.find((l) => l.name.trim().toUpperCase() === want);
}

/** Rank of a configured level name. Throws for a name not in the table (load-policy rejects such files). */
export function rankOfLevel(levels: Levels, name: string): number {
  const level = findLevel(levels, name);
  if (!level) throw new Error(`marking level ${JSON.stringify(name)} is not in markings.levels`);
  return level.rank;
}
