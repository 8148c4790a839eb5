/**
 * The header block of a message as HeaderList: every field in order, unfolded, 8-bit text read
 * as UTF-8 where valid, RFC 2047 encoded words decoded, duplicates kept. Values are bounded so
 * a crafted 200 KB line cannot blow up the checks that read them.
 */
import libmime from 'libmime';
import type { HeaderField, HeaderList } from './model.js';

/** Longest header value kept, in characters. */
export const MAX_FIELD_CHARS = 64 * 1024;

const NO_VALUES: readonly string[] = Object.freeze([]);
const FOLD = /\r?\n(?=[ \t])|\r?\n$/g;
const HIGH_BIT = /[\x80-\xff]/;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

export class HeaderFieldList implements HeaderList {
  private readonly byName = new Map<string, string[]>();

  constructor(readonly fields: readonly HeaderField[]) {
    for (const field of fields) {
      const list = this.byName.get(field.name);
      if (list) list.push(field.value);
      else this.byName.set(field.name, [field.value]);
    }
  }

  get(name: string): string | undefined {
    return this.byName.get(name.toLowerCase())?.[0];
  }

  getAll(name: string): readonly string[] {
    return this.byName.get(name.toLowerCase()) ?? NO_VALUES;
  }

  count(name: string): number {
    return this.byName.get(name.toLowerCase())?.length ?? 0;
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }
}

export interface ReadHeaders {
  readonly list: HeaderFieldList;
  /** Unfolded values before RFC 2047 decoding, for fields parsed further (addresses). Not truncated. */
  readonly raw: ReadonlyMap<string, readonly string[]>;
  /** Names of fields whose value was cut to MAX_FIELD_CHARS. */
  readonly truncated: readonly string[];
  /** Lines in the header block that are not 'name: value' fields. */
  readonly notFields: number;
}

/** Fields whose undecoded value is kept for further parsing. */
const KEEP_RAW = new Set(['from', 'to', 'cc', 'bcc', 'sender', 'reply-to']);

/** Reads raw header lines ('Name: value', possibly folded, as binary strings). */
export function readHeaders(lines: readonly { key: string; line: string }[]): ReadHeaders {
  const fields: HeaderField[] = [];
  const raw = new Map<string, string[]>();
  const truncated: string[] = [];
  let notFields = 0;
  for (const { key, line } of lines) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    const name = key.slice(0, 200);
    if (colon < 0 || !FIELD_NAME.test(name)) {
      notFields++;
      if (colon < 0) continue;
    }
    let value = unfold(line.slice(colon + 1));
    if (HIGH_BIT.test(value)) value = utf8IfValid(value);
    if (KEEP_RAW.has(name)) {
      const list = raw.get(name);
      if (list) list.push(value);
      else raw.set(name, [value]);
    }
    if (value.length > MAX_FIELD_CHARS) {
      value = value.slice(0, MAX_FIELD_CHARS);
      truncated.push(name);
    }
    fields.push({ name, value: decodeWords(value) });
  }
  return { list: new HeaderFieldList(fields), raw, truncated, notFields };
}

function unfold(value: string): string {
  return (value.includes('\n') ? value.replace(FOLD, '') : value).trim();
}

/** Header bytes arrive as a binary string: read them as UTF-8 when they are valid UTF-8. */
function utf8IfValid(binary: string): string {
  const text = Buffer.from(binary, 'latin1').toString('utf8');
  return text.includes('\uFFFD') ? binary : text;
}

/** RFC 2047 decoding that never throws (an unknown charset keeps the word as written). */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
