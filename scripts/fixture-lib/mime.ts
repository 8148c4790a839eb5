/**
 * A small MIME composer for fixtures: CRLF everywhere, fixed boundaries and ids derived
 * from the fixture's name, Outlook-like headers. It writes what we tell it, including
 * broken structures on purpose (no closing boundary, no boundary parameter).
 */
import { stableHex } from './prng.js';

export type Header = readonly [name: string, value: string];

export interface Leaf {
  readonly kind: 'leaf';
  readonly headers: readonly Header[];
  /** Body exactly as it goes on the wire (already transfer-encoded). */
  readonly body: string;
}

export interface Multipart {
  readonly kind: 'multipart';
  readonly subtype: string;
  readonly parts: readonly MimeNode[];
  /** Extra Content-Type parameters (protocol, micalg, type). */
  readonly params?: Readonly<Record<string, string>>;
  readonly preamble?: string;
  /** Broken on purpose: leave out the close delimiter. */
  readonly omitClose?: boolean;
  /** Broken on purpose: leave out the boundary parameter. */
  readonly omitBoundaryParam?: boolean;
}

export type MimeNode = Leaf | Multipart;

const CRLF = '\r\n';

export const crlf = (s: string): string => s.replace(/\r?\n/g, CRLF);

/** Base64 in 76-character lines. */
export function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

/** Quoted-printable (RFC 2045 6.7) of UTF-8 text with CRLF line breaks. */
export function quotedPrintable(text: string): string {
  return crlf(text)
    .split(CRLF)
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      let out = '';
      let cur = '';
      bytes.forEach((b, i) => {
        const last = i === bytes.length - 1;
        const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
        const tok = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
        if (cur.length + tok.length > 75) {
          out += `${cur}=${CRLF}`;
          cur = '';
        }
        cur += tok;
      });
      return out + cur;
    })
    .join(CRLF);
}

const isAscii = (s: string) => /^[\x20-\x7e\t\r\n]*$/.test(s);

/** RFC 2047 B-encoded words, split on character boundaries so each word stays under 76 characters. */
export function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 42) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** A header value as it must be written: encoded words when it is not plain ASCII. */
export const headerText = (s: string): string => (isAscii(s) ? s : encodedWords(s));

/** 'Alex Turner <alex.turner@met.police.uk>' with the display name quoted or encoded as needed. */
export function mailbox(name: string, address: string): string {
  if (!name) return address;
  if (!isAscii(name)) return `${encodedWords(name)} <${address}>`;
  return /[(),.:;<>@[\]"\\]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>` : `${name} <${address}>`;
}

/**
 * Fold a header line at the last space, ', ' or '; ' before 78 columns, never inside a quoted
 * string and never right after the field name. Unbreakable runs stay long (under 998 is legal).
 */
export function foldHeader(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78 || value.includes(CRLF)) return line;
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (rest.length > 78) {
    const quoted: boolean[] = [];
    let inQuote = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '"' && rest[i - 1] !== '\\') inQuote = !inQuote;
      quoted.push(inQuote);
    }
    const minCut = first ? name.length + 2 : 1;
    let cut = -1;
    for (let i = 77; i > minCut; i--) {
      if (quoted[i]) continue;
      const c = rest[i];
      if (c === ' ' || c === '\t') {
        cut = i;
        break;
      }
      if ((c === ';' || c === ',') && rest[i + 1] !== ' ' && !quoted[i + 1]) {
        cut = i + 1;
        break;
      }
    }
    // Outlook's habit for a long first token (Message-ID, long MIME types): fold right after the name.
    if (cut <= 0 && first && rest[name.length + 1] === ' ') cut = name.length + 1;
    if (cut <= 0) break;
    out.push(rest.slice(0, cut));
    rest = rest[cut] === ' ' || rest[cut] === '\t' ? rest.slice(cut) : ` ${rest.slice(cut)}`;
    first = false;
  }
  out.push(rest);
  return out.join(CRLF);
}

function paramValue(name: string, value: string): string {
  if (!isAscii(value)) {
    const enc = [...Buffer.from(value, 'utf8')]
      .map((b) => (/[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
    return `${name}*=utf-8''${enc}`;
  }
  // Quoted always, as Outlook writes parameters.
  return `${name}="${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** 'type/sub; a=b; c="d e"' with RFC 2231 for non-ASCII values. */
export function withParams(value: string, params: Readonly<Record<string, string>>): string {
  return [value, ...Object.entries(params).map(([k, v]) => paramValue(k, v))].join('; ');
}

export interface TextOptions {
  readonly subtype?: 'plain' | 'html' | 'calendar';
  readonly charset?: string;
  /** Force an encoding; otherwise 7bit for short ASCII lines and quoted-printable for the rest. */
  readonly encoding?: '7bit' | 'quoted-printable' | 'base64';
  readonly extraHeaders?: readonly Header[];
}

export function text(body: string, o: TextOptions = {}): Leaf {
  const subtype = o.subtype ?? 'plain';
  const plain = isAscii(body) && crlf(body).split(CRLF).every((l) => l.length <= 76);
  const encoding = o.encoding ?? (plain ? '7bit' : 'quoted-printable');
  const wire =
    encoding === 'base64' ? base64Lines(Buffer.from(crlf(body), 'utf8')) : encoding === 'quoted-printable' ? quotedPrintable(body) : crlf(body);
  return {
    kind: 'leaf',
    headers: [
      ['Content-Type', withParams(`text/${subtype}`, { charset: o.charset ?? (plain ? 'us-ascii' : 'utf-8') })],
      ['Content-Transfer-Encoding', encoding],
      ...(o.extraHeaders ?? []),
    ],
    body: wire,
  };
}

export interface FileOptions {
  readonly filename: string;
  readonly contentType: string;
  readonly inline?: boolean;
  readonly contentId?: string;
  /** How the file name is written when it is not plain ASCII: RFC 2231 (default) or RFC 2047 words (Outlook's habit). */
  readonly nameEncoding?: 'rfc2231' | 'rfc2047';
  readonly extraHeaders?: readonly Header[];
}

export function file(data: Buffer, o: FileOptions): Leaf {
  const nameParam = (key: string) =>
    o.nameEncoding === 'rfc2047' && !isAscii(o.filename) ? `${key}="${encodedWords(o.filename)}"` : paramValue(key, o.filename);
  const disposition = o.inline ? 'inline' : 'attachment';
  return {
    kind: 'leaf',
    headers: [
      ['Content-Type', `${o.contentType}; ${nameParam('name')}`],
      ['Content-Description', headerText(o.filename)],
      ['Content-Disposition', `${disposition}; ${nameParam('filename')}; size=${data.length}`],
      ...(o.contentId ? ([['Content-ID', `<${o.contentId}>`]] as const) : []),
      ['Content-Transfer-Encoding', 'base64'],
      ...(o.extraHeaders ?? []),
    ],
    body: base64Lines(data),
  };
}

/** An attached message (message/rfc822), sent 7bit as Outlook does for .eml attachments. */
export function attachedMessage(raw: Buffer, filename?: string): Leaf {
  return {
    kind: 'leaf',
    headers: [
      ['Content-Type', filename ? `message/rfc822; ${paramValue('name', filename)}` : 'message/rfc822'],
      ['Content-Disposition', filename ? `attachment; ${paramValue('filename', filename)}` : 'attachment'],
    ],
    body: raw.toString('latin1').replace(/\r\n$/, ''),
  };
}

export function raw(headers: readonly Header[], body: string): Leaf {
  return { kind: 'leaf', headers, body: crlf(body) };
}

export function multipart(subtype: string, parts: readonly MimeNode[], extra: Omit<Multipart, 'kind' | 'subtype' | 'parts'> = {}): Multipart {
  return { kind: 'multipart', subtype, parts, ...extra };
}

interface RenderState {
  readonly prefix: string;
  counter: number;
}

function renderNode(node: MimeNode, state: RenderState): { headers: Header[]; body: string } {
  if (node.kind === 'leaf') return { headers: [...node.headers], body: node.body };
  const boundary = `_${String(state.counter++).padStart(3, '0')}_${state.prefix}_`;
  const params: Record<string, string> = node.omitBoundaryParam ? { ...node.params } : { boundary, ...node.params };
  const chunks: string[] = [];
  if (node.preamble !== undefined) chunks.push(crlf(node.preamble), CRLF);
  for (const part of node.parts) {
    const r = renderNode(part, state);
    chunks.push(`--${boundary}${CRLF}`, renderHeaders(r.headers), CRLF, r.body, CRLF);
  }
  if (!node.omitClose) chunks.push(`--${boundary}--${CRLF}`);
  return { headers: [['Content-Type', withParams(`multipart/${node.subtype}`, params)]], body: chunks.join('') };
}

function renderHeaders(headers: readonly Header[]): string {
  return headers.map(([n, v]) => `${foldHeader(n, v)}${CRLF}`).join('');
}

/** RFC 5322 date of a fixed instant: never the clock. */
export function rfc5322Date(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export interface MessageSpec {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  /** Plain text; encoded words are added when it is not ASCII. */
  readonly subject?: string;
  /** A subject written exactly as given (to test decoding of a specific encoded form). */
  readonly rawSubject?: string;
  readonly date: Date;
  /** Headers placed before MIME-Version (auto-forward, markings, labels ...). */
  readonly extraHeaders?: readonly Header[];
  readonly body: MimeNode;
  /** Leave out Outlook's Received/Thread headers (for messages from other clients). */
  readonly plainClient?: boolean;
}

/** Render a whole message. `seed` (the fixture name) fixes its boundaries and ids. */
export function renderMessage(spec: MessageSpec, seed: string): Buffer {
  const host = `LO4P123MB${stableHex(`${seed}:host`, 4).toUpperCase()}.GBRP123.PROD.OUTLOOK.COM`;
  const date = rfc5322Date(spec.date);
  const state: RenderState = { prefix: `LO4P123MB${stableHex(`${seed}:b`, 28).toUpperCase()}`, counter: 0 };
  const root = renderNode(spec.body, state);
  const subject = spec.rawSubject ?? (spec.subject !== undefined ? headerText(spec.subject) : undefined);
  const headers: Header[] = [];
  if (!spec.plainClient) {
    headers.push(['Received', `from ${host} ([fe80::${stableHex(`${seed}:ip`, 4)}:1c2d:3e4f:5a6b]) by ${host} ([fe80::${stableHex(`${seed}:ip`, 4)}:1c2d:3e4f:5a6b%6]) with mapi id 15.20.8489.025; ${date}`]);
  }
  headers.push(['From', spec.from], ['To', spec.to.join(', ')]);
  if (spec.cc?.length) headers.push(['CC', spec.cc.join(', ')]);
  if (subject !== undefined) headers.push(['Subject', subject]);
  if (!spec.plainClient) headers.push(['Thread-Index', Buffer.from(stableHex(`${seed}:ti`, 44), 'hex').toString('base64')]);
  const fromDomain = /@([^>\s]+)/.exec(spec.from)?.[1] ?? 'met.police.uk';
  const messageId = spec.plainClient
    ? `<${stableHex(`${seed}:id`, 8)}-${stableHex(`${seed}:id2`, 4)}-${stableHex(`${seed}:id3`, 12)}@${fromDomain}>`
    : `<LO4P123MB${stableHex(`${seed}:id`, 40).toUpperCase()}@${host}>`;
  headers.push(['Date', date], ['Message-ID', messageId]);
  if (spec.plainClient) headers.push(['User-Agent', 'Mozilla Thunderbird']);
  else headers.push(['Accept-Language', 'en-GB, en-US'], ['Content-Language', 'en-GB']);
  headers.push(...(spec.extraHeaders ?? []), ['MIME-Version', '1.0'], ...root.headers);
  const wire = `${renderHeaders(headers)}${CRLF}${root.body}`;
  // Every byte is written as latin1: a wider character here would be silently mangled.
  if (/[^\x00-\xff]/.test(wire)) throw new Error(`${seed}: unencoded non-Latin-1 text in the message`);
  return Buffer.from(wire, 'latin1');
}
