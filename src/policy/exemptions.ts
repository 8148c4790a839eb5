/** Per-rule exceptions (rules.<id>.exempt), shared by the engine and by rules that defer to other rules. */
import type { Envelope } from '../message/envelope.js';
import { domainOf } from './domains.js';

/** True when the envelope sender or the AUTH user is listed: 'a@b.c' exactly, '@b.c' by domain. */
export function isExempt(entries: readonly string[], envelope: Envelope): boolean {
  if (entries.length === 0) return false;
  const ids = [envelope.mailFrom, envelope.authUser ?? ''].map((s) => s.trim().toLowerCase()).filter(Boolean);
  return entries.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry.startsWith('@')) return ids.some((id) => id.includes('@') && domainOf(id) === entry.slice(1));
    return ids.includes(entry);
  });
}
