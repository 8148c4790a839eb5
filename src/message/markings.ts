/**
 * Protective markings in text: subjects, body banner lines, marking headers, Purview labels.
 * One rank table (policy `markings.levels`) covers GPMS and the Government Security Classifications:
 * NOT PROTECTIVELY MARKED / OFFICIAL < PROTECT < RESTRICTED = OFFICIAL-SENSITIVE < CONFIDENTIAL < SECRET < TOP SECRET.
 * Prose is not a marking: a level word counts only where markings stand (see markingsInSubject).
 * Every scan here is linear in its input: no pattern can backtrack over a long run.
 */
import type { Policy } from '../config/policy-schema.js';
import type { MarkingHit } from './model.js';

type Scheme = Policy['markings'];

interface Level {
  readonly name: string;
  readonly rank: number;
  /** Upper case, words separated by one space: 'OFFICIAL SENSITIVE'. */
  readonly key: string;
}

interface Compiled {
  /** Longest key first, so TOP SECRET wins over SECRET and OFFICIAL-SENSITIVE over OFFICIAL. */
  readonly levels: readonly Level[];
  readonly byKey: ReadonlyMap<string, Level>;
  /** Upper-case level words anywhere (global). */
  readonly upperRe: RegExp;
  /** Purview label GUIDs (lower-case, no braces) and names (normalised) -> level name. */
  readonly purview: ReadonlyMap<string, string>;
}

const compiledSchemes = new WeakMap<Scheme, Compiled>();
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const UPPER_WORD = /^\p{Lu}{2,}$/u;
const DASHES = '-\u2013\u2014';
const MAX_VALUE = 256;
const MAX_BANNER_LINE = 200;

/** 'Official_Sensitive', 'OFFICIAL - SENSITIVE', 'official:sensitive' -> 'OFFICIAL SENSITIVE'. */
function normaliseKey(value: string): string {
  return value
    .slice(0, MAX_VALUE)
    .toUpperCase()
    .replace(/[\s_:\u2013\u2014-]+/g, ' ')
    .trim();
}

function purviewKey(value: string): string {
  return normaliseKey(value.replace(/[{}]/g, '')).toLowerCase();
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(scheme: Scheme): Compiled {
  const cached = compiledSchemes.get(scheme);
  if (cached) return cached;
  const levels = scheme.levels
    .map((l) => ({ name: l.name, rank: l.rank, key: normaliseKey(l.name) }))
    .filter((l) => l.key !== '')
    .sort((a, b) => b.key.length - a.key.length);
  const byKey = new Map<string, Level>();
  for (const l of levels) if (!byKey.has(l.key)) byKey.set(l.key, l);
  const alternatives = levels.map((l) => l.key.split(' ').map(escapeRe).join('[\\s_\\u2013\\u2014-]+'));
  const upperRe = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  const purview = new Map<string, string>();
  for (const [label, level] of Object.entries(scheme.purviewLabels)) purview.set(purviewKey(label), level);
  const compiled: Compiled = { levels, byKey, upperRe, purview };
  compiledSchemes.set(scheme, compiled);
  return compiled;
}

function hit(level: Level, source: string, text: string): MarkingHit {
  return { level: level.name, rank: level.rank, source, text: text.length > 120 ? `${text.slice(0, 117)}...` : text };
}

function levelOf(value: string, c: Compiled): Level | null {
  // Decorations around a value: '** RESTRICTED **', '"Secret"', '[OFFICIAL]'.
  const key = normaliseKey(value.slice(0, MAX_VALUE).replace(/^[\s*"'[(.,;]+|[\s*"'\])".,;]+$/g, ''));
  if (key === '') return null;
  const exact = c.byKey.get(key);
  if (exact) return exact;
  // A level followed by a descriptor: 'OFFICIAL SENSITIVE PERSONAL', 'SECRET [UK EYES ONLY]'.
  for (const l of c.levels) if (key.startsWith(`${l.key} `)) return l;
  return null;
}

/** The level a free-text value names ('Official Sensitive', 'OFFICIAL-SENSITIVE'), or null. Case-insensitive. */
export function levelByName(value: string, scheme: Scheme): { level: string; rank: number } | null {
  const l = levelOf(value, compile(scheme));
  return l ? { level: l.name, rank: l.rank } : null;
}

/** The level of a Purview label, by GUID or by name through `purviewLabels`, else by its name. */
export function levelForPurviewLabel(
  label: { id?: string; name?: string },
  scheme: Scheme,
): { level: string; rank: number } | null {
  const c = compile(scheme);
  for (const key of [label.id, label.name]) {
    if (!key) continue;
    const mapped = c.purview.get(purviewKey(key));
    if (mapped !== undefined) return levelByName(mapped, scheme);
  }
  return label.name ? levelByName(label.name, scheme) : null;
}

/**
 * Purview label properties as name/value pairs (`MSIP_Label_<guid>_Name`, `_Enabled`), from the msip_labels
 * header or an Office file's custom properties. A label with Enabled=false is ignored.
 */
export function markingsInMsipProperties(
  props: Iterable<readonly [string, string]>,
  scheme: Scheme,
  source: string,
): MarkingHit[] {
  const labels = new Map<string, { name?: string; enabled?: string }>();
  for (const [key, value] of props) {
    const m = /^MSIP_Label_\{?([0-9a-f-]{36})\}?_(\w+)$/i.exec(key.trim());
    if (!m) continue;
    const id = m[1]!.toLowerCase();
    const label = labels.get(id) ?? {};
    const field = m[2]!.toLowerCase();
    if (field === 'name') label.name = value.trim().slice(0, MAX_VALUE);
    else if (field === 'enabled') label.enabled = value.trim().toLowerCase();
    labels.set(id, label);
  }
  const c = compile(scheme);
  const hits: MarkingHit[] = [];
  for (const [id, label] of labels) {
    if (label.enabled === 'false' || label.enabled === '0') continue;
    const found = levelForPurviewLabel({ id, ...(label.name ? { name: label.name } : {}) }, scheme);
    const level = found ? c.byKey.get(normaliseKey(found.level)) : undefined;
    if (level) hits.push(hit(level, source, label.name ?? id));
  }
  return hits;
}

/** A designated marking field (document property, header value): any case, decorations and descriptors allowed. */
export function markingInValue(value: string, scheme: Scheme, source: string): MarkingHit | null {
  const l = levelOf(value, compile(scheme));
  return l ? hit(l, source, value.trim()) : null;
}

// ---- subjects ----

const REPLY_PREFIX =
  /\s*(?:(?:re|fw|fwd|aw|wg|tr|sv|vs|rv|enc|antw|ref|odp|vb)\s*(?:\[\d{1,4}\]|\(\d{1,4}\))?\s*:|\[[^\]\n]{0,60}\])/iy;

/** Where the subject proper starts: after any 'RE:' / 'FW:' prefixes and leading [tags]. */
function subjectStart(subject: string): number {
  let at = 0;
  for (let i = 0; i < 20; i += 1) {
    REPLY_PREFIX.lastIndex = at;
    if (!REPLY_PREFIX.exec(subject)) break;
    at = REPLY_PREFIX.lastIndex;
  }
  return at;
}

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && LETTER_OR_DIGIT.test(ch);

/** True when the text holds no letter or digit (only spaces and decoration). */
function bare(text: string): boolean {
  return !LETTER_OR_DIGIT.test(text);
}

/** Is the neighbouring word (after `from` going `dir`) an upper-case word, i.e. part of a shouted phrase? */
function shoutedNeighbour(s: string, from: number, dir: 1 | -1): boolean {
  let i = from;
  while (isSpace(s[i])) i += dir;
  let word = '';
  while (isWordChar(s[i]) && word.length < 40) {
    word = dir === 1 ? word + s[i]! : s[i]! + word;
    i += dir;
  }
  return UPPER_WORD.test(word);
}

function standsAsMarking(s: string, a: number, b: number, start: number): boolean {
  // Joined by a hyphen to another word ('SECRET-SANTA', 'EX-SECRET'): a compound, not a marking.
  if (DASHES.includes(s[b] ?? ' ') && isWordChar(s[b + 1])) return false;
  if (DASHES.includes(s[a - 1] ?? ' ') && isWordChar(s[a - 2])) return false;
  let p = a - 1;
  while (p >= 0 && isSpace(s[p])) p -= 1;
  let n = b;
  while (isSpace(s[n])) n += 1;
  const prev = p >= 0 ? s[p]! : '';
  const next = n < s.length ? s[n]! : '';
  if (prev === '[' || prev === '(' || next === ']' || next === ')' || next === ':') return true;
  // A dash that separates ('SECRET - plans', 'SECRET- plans'), not one that joins ('SECRET-SANTA').
  if (next !== '' && DASHES.includes(next) && (n > b || isSpace(s[n + 1]) || n + 1 >= s.length)) return true;
  const atStart = a >= start && bare(s.slice(start, a));
  const atEnd = bare(s.slice(b));
  if (atStart && atEnd) return true;
  // At the start or end, but not inside an upper-case phrase: 'PROTECT YOUR ACCOUNT' is not a marking.
  if (atStart && !shoutedNeighbour(s, b, 1)) return true;
  if (atEnd && !shoutedNeighbour(s, a - 1, -1)) return true;
  return false;
}

/** Markings in a subject: upper case only, and only where markings stand (start, end, brackets, before ':' '-' ']'). */
export function markingsInSubject(subject: string, scheme: Scheme): MarkingHit[] {
  const c = compile(scheme);
  const s = subject.length > 4096 ? subject.slice(0, 4096) : subject;
  const start = subjectStart(s);
  const hits: MarkingHit[] = [];
  const seen = new Set<string>();
  c.upperRe.lastIndex = 0;
  for (const m of s.matchAll(c.upperRe)) {
    const a = m.index;
    const b = a + m[0].length;
    if (!standsAsMarking(s, a, b, start)) continue;
    const level = c.byKey.get(normaliseKey(m[0]));
    if (!level || seen.has(level.name)) continue;
    seen.add(level.name);
    hits.push(hit(level, 'subject', s.trim()));
  }
  return hits;
}

// ---- banner lines ----

const LABELLED =
  /^(?:protective|security|government\s+security)?[\s_-]*(?:marking|classification)\s*[:=\u2013\u2014-]\s*(.{1,120})$/i;
const DESCRIPTOR_WORDS = /^(?:PERSONAL|COMMERCIAL|LOCSEN|UK EYES ONLY|EYES ONLY)$/;

/** Strip quote markers and banner decoration ('> ', '** ', ' ==') from both ends. */
function stripBanner(line: string): string {
  let a = 0;
  let b = line.length;
  const decor = (ch: string): boolean => /[\s>*=#~_|\u2022\u00B7\u2013\u2014-]/.test(ch);
  while (a < b && decor(line[a]!)) a += 1;
  while (b > a && decor(line[b - 1]!)) b -= 1;
  return line.slice(a, b);
}

function bannerLevel(line: string, c: Compiled): Level | null {
  const labelled = LABELLED.exec(line);
  if (labelled) return levelOf(labelled[1]!, c);
  // A bare banner: the level in upper case, alone or with a descriptor.
  const open = line[0] === '[' || line[0] === '(' ? 1 : 0;
  c.upperRe.lastIndex = 0;
  const m = c.upperRe.exec(line.slice(open));
  if (!m || m.index !== 0) return null;
  let rest = line.slice(open + m[0].length).trim();
  if (open && (rest[0] === ']' || rest[0] === ')')) rest = rest.slice(1).trim();
  const ok =
    rest === '' ||
    /^[[(][^[\]()]{1,40}[\])]$/.test(rest) ||
    (/^[:/\u2013\u2014-]/.test(rest) && !/[a-z]/.test(rest) && rest.length <= 40) ||
    DESCRIPTOR_WORDS.test(rest);
  return ok ? (c.byKey.get(normaliseKey(m[0])) ?? null) : null;
}

/** Banner lines in body or document text: a line that is only the marking, or 'Protective Marking: X' / 'Classification: X'. */
export function markingsInText(text: string, scheme: Scheme, source: string): MarkingHit[] {
  const c = compile(scheme);
  const hits: MarkingHit[] = [];
  const seen = new Set<string>();
  let from = 0;
  while (from <= text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    // Banners are short: a long line is prose, and skipping it keeps the scan linear.
    if (to - from <= MAX_BANNER_LINE) {
      const line = stripBanner(text.slice(from, to));
      const level = line === '' ? null : bannerLevel(line, c);
      if (level && !seen.has(level.name)) {
        seen.add(level.name);
        hits.push(hit(level, source, line));
      }
    }
    from = to + 1;
  }
  return hits;
}

// ---- headers ----

const MARKING_HEADERS = new Set(['x-protective-marking', 'x-security-classification', 'x-classification']);
const MARKING_KEYS = new Set(['sec', 'classification', 'class', 'marking', 'security-classification']);

function markingHeaderValue(value: string, c: Compiled): Level | null {
  const v = value.slice(0, 1024);
  if (!v.includes('=')) return levelOf(v, c);
  // 'VER=2018.1, NS=gov.au, SEC=OFFICIAL:Sensitive, ORIGIN=a@b' or 'CLASSIFICATION=RESTRICTED'.
  for (const pair of v.split(/[,;]/)) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (MARKING_KEYS.has(pair.slice(0, eq).trim().toLowerCase())) return levelOf(pair.slice(eq + 1), c);
  }
  return null;
}

/** Markings in headers: X-Protective-Marking (SEC= / CLASSIFICATION=) and msip_labels (Purview). */
export function markingsInHeaders(fields: readonly { name: string; value: string }[], scheme: Scheme): MarkingHit[] {
  const c = compile(scheme);
  const hits: MarkingHit[] = [];
  for (const f of fields) {
    const name = f.name.toLowerCase();
    if (MARKING_HEADERS.has(name)) {
      const level = markingHeaderValue(f.value, c);
      if (level) hits.push(hit(level, `header:${name}`, f.value.trim()));
    } else if (name === 'msip_labels' || name === 'x-msip-labels') {
      const pairs = f.value
        .slice(0, 16 * 1024)
        .split(';')
        .map((p) => {
          const eq = p.indexOf('=');
          return eq < 0 ? (['', ''] as const) : ([p.slice(0, eq), p.slice(eq + 1)] as const);
        });
      hits.push(...markingsInMsipProperties(pairs, scheme, `header:${name}`));
    }
  }
  return hits;
}
