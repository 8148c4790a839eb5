/**
 * Protective markings in text: subjects, body banner lines, marking headers, Purview labels.
 * One rank table (policy `markings.levels`) covers GPMS and the Government Security Classifications:
 * NOT PROTECTIVELY MARKED / OFFICIAL < PROTECT < RESTRICTED = OFFICIAL-SENSITIVE < CONFIDENTIAL < SECRET < TOP SECRET.
 * Prose is not a marking: a level word counts only where markings stand (see markingsInSubject).
 * Everyday phrases are not markings either ('PRIVATE & CONFIDENTIAL', 'STRICTLY CONFIDENTIAL').
 * Levels listed in `markings.ambiguousLevels` (CONFIDENTIAL) are also the words of commercial mail
 * and Microsoft's default labels: they count in full in the subject, marking headers, labels,
 * document properties and after 'Protective Marking:'; a bare banner line of them is only a
 * doubtful hit (MarkingHit.doubt), and 'Classification: Confidential' in mixed case is nothing.
 * In a body, text in quoted history and in disclaimers is doubtful at most (markingsInBody).
 * Every scan here is linear in its input: no pattern can backtrack over a long run.
 */
import type { Policy } from '../config/policy-schema.js';
import type { MarkingHit } from './model.js';
import { isAsciiText, toLf } from './line-breaks.js';
import { historyStart, isQuotedLine } from './quoted-history.js';

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
  /** The same, matching only where lastIndex points (sticky): a banner's level word at its start. */
  readonly upperAtStart: RegExp;
  /** Purview label GUIDs (lower-case, no braces) and names (normalised) -> level name. */
  readonly purview: ReadonlyMap<string, string>;
  /** Names of the levels whose word is also everyday commercial usage (markings.ambiguousLevels). */
  readonly ambiguous: ReadonlySet<string>;
}

const compiledSchemes = new WeakMap<Scheme, Compiled>();
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const UPPER_WORD = /^\p{Lu}{2,}$/u;
const DASHES = '-\u2013\u2014';
const MAX_VALUE = 256;
const MAX_BANNER_LINE = 200;

/**
 * Characters Word and Outlook put in typed text that change nothing a reader sees: soft hyphens and
 * zero-width marks (dropped), no-break and figure spaces (a space), no-break and other hyphens, dashes
 * and minus signs (a hyphen). 'OFFICIAL\u2011SENSITIVE' is OFFICIAL-SENSITIVE.
 */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060\uFEFF]/g;
const SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
const HYPHENS = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const SPECIAL = /[\u00AD\u180E\u200B-\u200D\u2060\uFEFF\u00A0\u2000-\u200A\u202F\u205F\u3000\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/;
/** Fullwidth forms and ligatures in short text: NFKC makes them the letters they show. */
const COMPATIBILITY = /[\uFB00-\uFB06\uFF01-\uFF5E]/;

export function normaliseMarkingText(text: string): string {
  // Every character either pattern looks for is past ASCII: most bodies need no scan for them.
  if (isAsciiText(text)) return text;
  let out = text;
  if (SPECIAL.test(out)) out = out.replace(INVISIBLE, '').replace(SPACES, ' ').replace(HYPHENS, '-');
  if (COMPATIBILITY.test(out)) out = out.normalize('NFKC');
  return out;
}

/** Everyday phrases around an ambiguous level word that make it no marking: 'PRIVATE & CONFIDENTIAL', 'STRICTLY CONFIDENTIAL'. */
const PHRASE_BEFORE =
  /(?:(?:^|[^\p{L}])(?:PRIVATE|PERSONAL)\s*(?:&|\+|\/|AND)\s*|(?:^|[^\p{L}])(?:STRICTLY|HIGHLY|COMMERCIALLY|COMMERCIAL|COMPANY|BUSINESS|CLIENT|PATIENT|MEDICAL|STAFF|HR|MANAGEMENT)\s+)$/iu;
const PHRASE_AFTER = /^\s*(?:&|\+|\/|AND)\s*(?:PRIVATE|PERSONAL|PRIVILEGED)(?![\p{L}])/iu;

function inEverydayPhrase(s: string, a: number, b: number): boolean {
  return PHRASE_BEFORE.test(s.slice(Math.max(0, a - 40), a)) || PHRASE_AFTER.test(s.slice(b, b + 40));
}

/** The level word as written is upper case ('CONFIDENTIAL', not 'Confidential'). */
function upperForm(value: string, level: Level): boolean {
  const lead = value.replace(/^[^\p{L}]+/u, '').slice(0, level.key.length);
  return lead !== '' && lead === lead.toUpperCase();
}

function ambiguityDoubt(level: Level): string {
  return `a bare ${level.name}, which commercial mail and other organisations also write on their own text`;
}

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
  const upperSource = `(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`;
  const upperRe = new RegExp(upperSource, 'gu');
  const upperAtStart = new RegExp(upperSource, 'uy');
  const purview = new Map<string, string>();
  for (const [label, level] of Object.entries(scheme.purviewLabels)) purview.set(purviewKey(label), level);
  const ambiguous = new Set<string>();
  for (const name of scheme.ambiguousLevels ?? []) {
    const level = byKey.get(normaliseKey(name));
    if (level) ambiguous.add(level.name);
  }
  const compiled: Compiled = { levels, byKey, upperRe, upperAtStart, purview, ambiguous };
  compiledSchemes.set(scheme, compiled);
  return compiled;
}

function hit(level: Level, source: string, text: string, doubt: string | null = null): MarkingHit {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return doubt === null
    ? { level: level.name, rank: level.rank, source, text: shown }
    : { level: level.name, rank: level.rank, source, text: shown, doubt };
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
    if (!level) continue;
    // Microsoft's default label 'Confidential' (any tenant's) is not our CONFIDENTIAL unless purviewLabels says so.
    const mapped = c.purview.has(purviewKey(id)) || (label.name !== undefined && c.purview.has(purviewKey(label.name)));
    if (!mapped && label.name !== undefined && c.ambiguous.has(level.name) && !upperForm(label.name, level)) continue;
    hits.push(hit(level, source, label.name ?? id));
  }
  return hits;
}

/**
 * A designated marking field (a document property such as Classification): any case, decorations and
 * descriptors allowed. An ambiguous level in mixed case ('Confidential', as commercial document systems
 * write it) is only a doubtful hit.
 */
export function markingInValue(value: string, scheme: Scheme, source: string): MarkingHit | null {
  const c = compile(scheme);
  const v = normaliseMarkingText(value);
  const l = levelOf(v, c);
  if (!l) return null;
  const mixed = c.ambiguous.has(l.name) && !upperForm(v.replace(/^[\s*"'[(.,;]+/, ''), l);
  return hit(l, source, v.trim(), mixed ? `'${v.trim().slice(0, 40)}' in mixed case, as commercial document systems write it` : null);
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
  const s = normaliseMarkingText(subject.length > 4096 ? subject.slice(0, 4096) : subject);
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
    // Only the everyday word is in everyday phrases: 'PRIVATE & RESTRICTED' stays a marking.
    if (c.ambiguous.has(level.name) && inEverydayPhrase(s, a, b)) continue;
    seen.add(level.name);
    hits.push(hit(level, 'subject', s.trim()));
  }
  return hits;
}

// ---- banner lines ----

/**
 * 'Protective Marking: X', 'Security Classification: X' (government wording: any level, any case) and
 * 'Classification: X' / 'Sensitivity: X' (also the form of commercial and Microsoft labels).
 */
const LABELLED =
  /^(?:(protective|security|government\s+security)[\s_-]*)?(marking|classification|sensitivity)\s*[:=\u2013\u2014-]\s*(.{1,120})$/i;
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

interface Found {
  readonly level: Level;
  readonly doubt: string | null;
}

function bannerMarking(line: string, c: Compiled): Found | null {
  const labelled = LABELLED.exec(line);
  if (labelled) {
    const value = labelled[3]!;
    const level = levelOf(value, c);
    if (!level) return null;
    const governmentWording = labelled[1] !== undefined || labelled[2]!.toLowerCase() === 'marking';
    if (governmentWording || !c.ambiguous.has(level.name)) return { level, doubt: null };
    // 'Classification: Confidential' is another organisation's label; in upper case it may be ours.
    return upperForm(value.replace(/^[\s*"'[(]+/, ''), level) ? { level, doubt: ambiguityDoubt(level) } : null;
  }
  // A bare banner: the level in upper case, alone or with a descriptor.
  const open = line[0] === '[' || line[0] === '(' ? 1 : 0;
  // Sticky: only a level word at the start counts, so nothing past it is searched.
  c.upperAtStart.lastIndex = 0;
  const m = c.upperAtStart.exec(line.slice(open));
  if (!m) return null;
  let rest = line.slice(open + m[0].length).trim();
  if (open && (rest[0] === ']' || rest[0] === ')')) rest = rest.slice(1).trim();
  const ok =
    rest === '' ||
    /^[[(][^[\]()]{1,40}[\])]$/.test(rest) ||
    (/^[:/\u2013\u2014-]/.test(rest) && !/[a-z]/.test(rest) && rest.length <= 40) ||
    DESCRIPTOR_WORDS.test(rest);
  const level = ok ? c.byKey.get(normaliseKey(m[0])) : undefined;
  if (!level) return null;
  return { level, doubt: c.ambiguous.has(level.name) ? ambiguityDoubt(level) : null };
}

/** Keeps one hit per level, a certain one in preference to a doubtful one. */
class HitSet {
  private readonly byLevel = new Map<string, MarkingHit>();

  add(level: Level, source: string, text: string, doubt: string | null): void {
    const had = this.byLevel.get(level.name);
    if (had && (had.doubt === undefined || doubt !== null)) return;
    this.byLevel.set(level.name, hit(level, source, text, doubt));
  }

  list(): MarkingHit[] {
    return [...this.byLevel.values()];
  }
}

/** Calls `each` for every line of at most MAX_BANNER_LINE characters; a long line is prose, and skipping it keeps the scan linear. */
function shortLines(text: string, each: (line: string, index: number) => void): void {
  let from = 0;
  let index = 0;
  while (from <= text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    if (to - from <= MAX_BANNER_LINE) each(text.slice(from, to), index);
    from = to + 1;
    index += 1;
  }
}

/**
 * Banner lines in document text (Word headers, footers and watermarks, Excel print headers, slide
 * masters): a line that is only the marking, or 'Protective Marking: X' / 'Classification: X'.
 */
export function markingsInText(text: string, scheme: Scheme, source: string): MarkingHit[] {
  const c = compile(scheme);
  const hits = new HitSet();
  shortLines(normaliseMarkingText(text), (raw) => {
    const line = stripBanner(raw);
    const found = line === '' ? null : bannerMarking(line, c);
    if (found) hits.add(found.level, source, line, found.doubt);
  });
  return hits.list();
}

/** Phrases of a disclaimer paragraph ('This email is confidential and intended solely for ...'). */
const DISCLAIMER =
  /intended (?:solely |only |exclusively )?for|intended recipient|addressee|received this (?:e-?mail|message|communication|transmission) in error|confidentiality (?:notice|statement|note|warning)|disclaimer|legally privileged|unauthori[sz]ed (?:use|disclosure|review|copying)|(?:e-?mail|message|communication)s?(?: and any (?:files|attachments?)(?: transmitted with it)?)? (?:is|are|may be|may contain) (?:strictly )?(?:confidential|privileged)/i;
const QUOTED_DOUBT = 'in quoted history (the text of an earlier message)';
const DISCLAIMER_DOUBT = "in a disclaimer's wording";

/**
 * Lines of the body that belong to a disclaimer: from the first line of a paragraph that reads like one
 * (the line with the next, for wrapped text) to the paragraph's end; and the line just before it, or a
 * one-line paragraph just before it, which may be its heading. Paragraphs are runs of non-blank lines
 * (an HTML body may be a single one, so a disclaimer never claims the lines above it).
 */
function disclaimerLines(lines: readonly string[]): { inside: Set<number>; heading: Set<number> } {
  const inside = new Set<number>();
  const heading = new Set<number>();
  const blank = (k: number): boolean => lines[k]!.trim() === '';
  let i = 0;
  let previous: [number, number] | null = null;
  while (i < lines.length) {
    if (blank(i)) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < lines.length && !blank(j)) j += 1;
    for (let k = i; k < j; k += 1) {
      // A phrase wrapped onto the next line counts for this line only if it starts here.
      const own = lines[k]!.slice(-2000);
      const joined = k + 1 < j ? `${own} ${lines[k + 1]!.slice(0, 2000)}` : own;
      const m = DISCLAIMER.exec(joined);
      if (!m || m.index >= own.length) continue;
      for (let n = k; n < j; n += 1) inside.add(n);
      if (k > i) heading.add(k - 1);
      else if (previous && previous[1] - previous[0] === 1) heading.add(previous[0]);
      break;
    }
    previous = [i, j];
    i = j;
  }
  return { inside, heading };
}

/**
 * Markings in a message body. The sender's own text counts as markingsInText does. Text that is not
 * the sender's marking by itself is doubtful at most (a doubtful hit there counts for nothing):
 * lines in quoted history (after 'On ... wrote:', '-----Original Message-----', an Outlook
 * 'From: / Sent:' block, a forwarded-message line, or quoted with '>') and lines of a disclaimer
 * paragraph. A bare ambiguous banner ('CONFIDENTIAL') that heads a disclaimer is part of it.
 */
export function markingsInBody(text: string, scheme: Scheme, source = 'body'): MarkingHit[] {
  const c = compile(scheme);
  const lines = toLf(normaliseMarkingText(text)).split('\n');
  let history = -1;
  let disclaimers: ReturnType<typeof disclaimerLines> | null = null;
  const hits = new HitSet();
  lines.forEach((raw, i) => {
    if (raw.length > MAX_BANNER_LINE) return;
    const line = stripBanner(raw);
    const found = line === '' ? null : bannerMarking(line, c);
    if (!found) return;
    // Only a body with a candidate line pays for finding its history and disclaimers.
    if (history < 0) history = historyStart(lines);
    disclaimers ??= disclaimerLines(lines);
    let { doubt } = found;
    const where = i >= history || isQuotedLine(raw) ? QUOTED_DOUBT : disclaimers.inside.has(i) ? DISCLAIMER_DOUBT : null;
    if (where !== null) {
      if (doubt !== null) return;
      doubt = where;
    } else if (doubt !== null && disclaimers.heading.has(i)) {
      return;
    }
    hits.add(found.level, source, line, doubt);
  });
  return hits.list();
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
      const level = markingHeaderValue(normaliseMarkingText(f.value), c);
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
