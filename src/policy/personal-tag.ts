/**
 * The personal tag, MPS Personal Use SOP 3.7: "You must identify personal emails by the inclusion
 * of the word "[Personal]" (including the square brackets) in the 'subject' field".
 *
 * Any case counts, brackets required. The one exception is the government handling descriptor
 * that follows a protective marking, "OFFICIAL-SENSITIVE [PERSONAL]" (personal data about people,
 * business mail), which is not the tag. It is recognised after any level above the lowest rank
 * (GPMS also put descriptors after PROTECT and RESTRICTED; the baseline OFFICIAL carries none,
 * so "OFFICIAL [Personal]" is a personal mail auto-labelled OFFICIAL), written in upper case as
 * subjects require for markings, optionally closed by ']' and followed by ':' or a dash:
 * "OFFICIAL-SENSITIVE [PERSONAL]", "OFFICIAL SENSITIVE: [PERSONAL]", "[RESTRICTED] - [Personal]".
 * A subject with the descriptor AND a separate tag is personal.
 */
import type { Policy } from '../config/policy-schema.js';

type Levels = Policy['markings']['levels'];

const TAG = /\[personal\]/gi;
const cache = new WeakMap<Levels, RegExp | null>();

function descriptorPrefix(levels: Levels): RegExp | null {
  if (cache.has(levels)) return cache.get(levels) ?? null;
  const lowest = Math.min(...levels.map((l) => l.rank));
  const names = levels
    .filter((l) => l.rank > lowest)
    .map((l) => l.name.trim().toUpperCase().split(/[\s\-\u2010-\u2015]+/).map(escapeRegExp).join('[\\s\\-\\u2010-\\u2015]+'))
    .filter(Boolean);
  // The level must end right before the tag: "(?<![A-Za-z])LEVEL]? [:-]? " at the end of the prefix.
  const re = names.length ? new RegExp(`(?<![A-Za-z])(?:${names.join('|')})\\]?\\s*[:\\-\\u2010-\\u2015]?\\s*$`) : null;
  cache.set(levels, re);
  return re;
}

export function hasPersonalTag(subject: string, levels: Levels): boolean {
  const prefix = descriptorPrefix(levels);
  for (const match of subject.matchAll(TAG)) {
    const before = subject.slice(Math.max(0, match.index - 80), match.index);
    if (!prefix || !prefix.test(before)) return true;
  }
  return false;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
