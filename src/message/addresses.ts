/**
 * RFC 5322 address lists (From, To, Cc, Bcc) in one linear pass: display names, quoted
 * strings, comments, angle addresses and groups. Encoded words are decoded per display name
 * after splitting, so a decoded name can never inject a comma or an address.
 */
import type { Address } from './model.js';
import { decodeWords } from './header-list.js';

/** Most addresses taken from one header value. */
export const MAX_ADDRESSES = 10_000;

export function parseAddressList(value: string, max = MAX_ADDRESSES): Address[] {
  const out: Address[] = [];
  let text = ''; // words outside angle brackets, quoted strings unquoted
  let angle: string | null = null;
  let comment = '';
  let i = 0;
  const n = value.length;

  const flush = (): void => {
    if (out.length >= max) return;
    const words = text.trim();
    let address = '';
    let name = '';
    if (angle !== null) {
      address = angle;
      name = words || comment;
    } else if (words.includes('@')) {
      // 'Alex Turner alex@example.org' without brackets: the word with the '@' is the address.
      const tokens = words.split(/\s+/);
      const withAt = tokens.filter((t) => t.includes('@') && t !== '@');
      if (withAt.length === 1 && tokens.length > 1) {
        address = withAt[0] as string;
        name = tokens.filter((t) => t !== address).join(' ') || comment;
      } else {
        address = words;
        name = comment;
      }
    } else {
      name = words || comment;
    }
    text = '';
    angle = null;
    comment = '';
    address = normaliseAddress(address);
    name = cleanName(name);
    if (address || name) out.push({ name, address });
  };

  while (i < n && out.length < max) {
    const c = value.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = quotedEnd(value, i + 1);
      text += unescape(value.slice(i + 1, end));
      i = end + 1;
    } else if (c === 0x28 /* ( */) {
      const end = commentEnd(value, i + 1);
      if (!comment) comment = value.slice(i + 1, end);
      i = end + 1;
      text += ' ';
    } else if (c === 0x3c /* < */) {
      const end = value.indexOf('>', i + 1);
      const stop = end < 0 ? n : end;
      // A second <...> in one mailbox is malformed; keep the first, as most clients do.
      if (angle === null) angle = value.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === 0x2c /* , */ || c === 0x3b /* ; */) {
      flush();
      i++;
    } else if (c === 0x3a /* : */ && angle === null) {
      // 'Group name: a@b, c@d;': the group name is not an address.
      text = '';
      comment = '';
      i++;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = value.charCodeAt(j);
        if (d === 0x22 || d === 0x28 || d === 0x3c || d === 0x2c || d === 0x3b || d === 0x3a) break;
        j++;
      }
      text += value.slice(i, j);
      i = j;
    }
  }
  flush();
  return out;
}

function quotedEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i;
    else i++;
  }
  return s.length;
}

function commentEnd(s: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else {
      if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) return i;
      i++;
    }
  }
  return s.length;
}

function unescape(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/g, '$1') : s;
}

/** Strips white space and an obsolete source route; lower-cases the domain. */
function normaliseAddress(address: string): string {
  let a = address.replace(/\s+/g, '');
  if (a.startsWith('@') && a.includes(':')) a = a.slice(a.lastIndexOf(':') + 1);
  if (a.toLowerCase().startsWith('mailto:')) a = a.slice(7);
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1) return '';
  return a.slice(0, at) + '@' + a.slice(at + 1).toLowerCase();
}

function cleanName(name: string): string {
  const decoded = decodeWords(name.replace(/\s+/g, ' ').trim());
  return decoded.length > 1000 ? decoded.slice(0, 1000) : decoded;
}
