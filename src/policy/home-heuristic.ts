/**
 * Recognising a staff member's own home address among webmail recipients (WMP Inf/27 2.5.1:
 * "not acceptable to send emails to personal email accounts or home computers").
 *
 * A webmail local part is the sender's when it carries the surname together with the first name
 * or its initial: for Alex Turner, alex.turner1984, a.turner, turner.alex, alexturner, turner_a.
 * The surname alone is not enough (turnerfan, theturners), nor is another name (bob.smith).
 * Names come from the envelope sender's first.last address and the From display name; the From
 * header may be forged, but it can only make more recipients count as home, never fewer.
 */
import type { Envelope } from '../message/envelope.js';
import type { Address } from '../message/model.js';
import { localPartOf } from './domains.js';

export interface PersonName {
  /** Lower-case letters only; a single letter when only the initial is known. */
  readonly first: string;
  readonly last: string;
}

const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'pc', 'ps', 'dc', 'ds', 'di', 'dci', 'dsu', 'supt', 'insp', 'sgt', 'ch', 'det', 'cst']);

function letters(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z]/g, '');
}

/** 'alex.turner', 'alex.j.turner2', 'a.turner' -> first and last; null for 'press.office1'-like single words. */
export function nameFromAddress(address: string): PersonName | null {
  const parts = localPartOf(address).split(/[._]/).map(letters).filter(Boolean);
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (parts.length < 2 || !first || !last || last.length < 2) return null;
  return { first, last };
}

/** 'Alex Turner', 'Turner, Alex', 'DS Alex J Turner (Met)', 'TURNER Alex - SCO19' style display names. */
export function nameFromDisplayName(display: string): PersonName | null {
  const cleaned = display.replace(/\([^)]*\)|\[[^\]]*\]|<[^>]*>/g, ' ').split(/\s[-|–]\s/)[0] ?? '';
  let words: string[];
  if (cleaned.includes(',')) {
    const [last = '', rest = ''] = cleaned.split(',', 2);
    words = [...rest.split(/\s+/), last.replace(/\s+/g, '')];
  } else {
    words = cleaned.split(/\s+/);
  }
  const tokens = words.map(letters).filter((w) => w.length > 0 && !TITLES.has(w));
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (tokens.length < 2 || !first || !last || last.length < 2) return null;
  return { first, last };
}

export function senderNames(envelope: Envelope, from: readonly Address[]): PersonName[] {
  const names: PersonName[] = [];
  const fromEnvelope = envelope.mailFrom ? nameFromAddress(envelope.mailFrom) : null;
  if (fromEnvelope) names.push(fromEnvelope);
  for (const a of from) {
    const n = a.name ? nameFromDisplayName(a.name) : null;
    if (n) names.push(n);
  }
  return names;
}

/** True when the local part carries a sender's surname with the first name or its initial. */
export function carriesSenderName(localPart: string, names: readonly PersonName[]): boolean {
  const tokens = localPart.split('+')[0]?.toLowerCase().split(/[^a-z]+/).filter(Boolean) ?? [];
  if (tokens.length === 0 || tokens.length > 12) return false;
  return names.some((n) => matches(tokens, n));
}

function matches(tokens: readonly string[], n: PersonName): boolean {
  const initial = n.first.slice(0, 1);
  const firsts = n.first.length > 1 ? [n.first, initial] : [initial];
  const together = firsts.flatMap((f) => [f + n.last, n.last + f]);
  // Spans of adjacent tokens, so 'smith-jones' still reads as the surname 'smithjones'.
  const spans: { text: string; from: number; to: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let text = '';
    for (let j = i; j < tokens.length; j++) {
      text += tokens[j];
      spans.push({ text, from: i, to: j });
    }
  }
  if (spans.some((s) => together.includes(s.text))) return true;
  const surnames = spans.filter((s) => s.text === n.last);
  const givens = spans.filter((s) => firsts.includes(s.text));
  return surnames.some((s) => givens.some((g) => g.to < s.from || g.from > s.to));
}
