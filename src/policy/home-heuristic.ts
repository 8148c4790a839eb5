/**
 * Recognising a staff member's own home address among webmail recipients (WMP Inf/27 2.5.1:
 * "not acceptable to send emails to personal email accounts or home computers").
 *
 * A webmail local part is the sender's when it carries the surname together with the first name
 * or its initial: for Alex Turner, alex.turner1984, a.turner, turner.alex, alexturner, turner_a,
 * a.j.turner84, aturner_1984, ajturner (see carriesSenderName for the exact rule).
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

/**
 * True when the local part carries a sender's surname with the first name or its initial.
 * The local part (before any '+tag') is cut into letter runs at every non-letter (. _ - digits);
 * adjacent runs may be read together. It matches when some run, or runs read together, spell
 *   given + [one middle initial] + surname, or surname + given + [one middle initial]
 * (alexturner, ajturner, turneraj; the middle initial only for surnames of five letters or
 * more), or when the surname and a given form are separate runs in
 * either order (a.j.turner84, turner.alex, alex_b_turner). A given form is the first name, its
 * initial, or a shortening of at least three letters of it (alex for alexander).
 */
export function carriesSenderName(localPart: string, names: readonly PersonName[]): boolean {
  const tokens = localPart.split('+')[0]?.toLowerCase().split(/[^a-z]+/).filter(Boolean) ?? [];
  if (tokens.length === 0 || tokens.length > 12) return false;
  return names.some((n) => matches(tokens, n));
}

const MIDDLE_INITIAL_MIN_SURNAME = 5;

function isGiven(text: string, n: PersonName): boolean {
  return text === n.first.slice(0, 1) || text === n.first || (text.length >= 3 && n.first.length > 1 && n.first.startsWith(text));
}

/**
 * given + [middle initial] + surname, or surname + given + [middle initial], written as one word.
 * The middle initial is allowed only with surnames of five letters or more: with a short one
 * ('bell') ordinary words would match ('mabell').
 */
function fused(text: string, n: PersonName): boolean {
  if (text.length <= n.last.length) return false;
  const middle = n.last.length >= MIDDLE_INITIAL_MIN_SURNAME;
  if (text.endsWith(n.last)) {
    const before = text.slice(0, -n.last.length);
    return isGiven(before, n) || (middle && before.length >= 2 && isGiven(before.slice(0, -1), n));
  }
  if (text.startsWith(n.last)) {
    const after = text.slice(n.last.length);
    return isGiven(after, n) || (middle && after.length >= 2 && isGiven(after.slice(0, -1), n));
  }
  return false;
}

function matches(tokens: readonly string[], n: PersonName): boolean {
  // Spans of adjacent tokens, so 'smith-jones' still reads as the surname 'smithjones'.
  const spans: { text: string; from: number; to: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let text = '';
    for (let j = i; j < tokens.length; j++) {
      text += tokens[j];
      spans.push({ text, from: i, to: j });
    }
  }
  if (spans.some((s) => fused(s.text, n))) return true;
  const surnames = spans.filter((s) => s.text === n.last);
  const givens = spans.filter((s) => isGiven(s.text, n));
  return surnames.some((s) => givens.some((g) => g.to < s.from || g.from > s.to));
}
