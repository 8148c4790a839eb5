/**
 * Active content in HTML, SVG and XML markup: what runs, navigates to code or drops a file when the
 * recipient opens or clicks it. One scanner for HTML bodies (every alternative), HTML and SVG
 * attachments and members. It reads the markup the way a browser tokenises it (tags, attributes and
 * their quoted values, raw-text elements), decodes character references in attribute values, and
 * normalises URLs as a browser does before it reads the scheme (leading blanks and control characters
 * dropped, tabs and newlines inside removed), so `jav&#x61;script:`, `java&Tab;script:` and
 * `&#106avascript&colon;` are all `javascript:`.
 *
 * Found: <script> (and script that assembles a file: HTML smuggling), event handler attributes, javascript:
 * / vbscript: URLs, a download of a blob: URL, meta refresh to data: or javascript:, embedded objects and
 * iframe srcdoc; and `data:` URIs that carry a file (decoded, for the caller to inspect like an archive
 * member). A download link alone is not active content: what it fetches is not in the mail, unless it
 * is a data: URI, whose bytes are inspected like any file (docs/decisions/download-links.md).
 * Images in data: URIs (type and bytes agree) are what cid: logos are, and are not handed back.
 * One forward pass, no backtracking regex over the markup; every list is bounded.
 */
import { decodeEntities } from './html-entities.js';

export interface DataFile {
  /** Declared media type of the data: URI ('' when none). */
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export interface MarkupScan {
  /** The first active content found, in words ('<script> element', 'javascript: URL' ...), or null. */
  readonly active: string | null;
  /** Files carried in data: URIs (bounded by MAX_DATA_FILES and MAX_DATA_BYTES). */
  readonly dataFiles: readonly DataFile[];
  /** Why part of the markup was not inspected (limits), or empty. */
  readonly reasons: readonly string[];
}

/** data: URIs decoded and handed back per markup item; more make the item unscannable. */
export const MAX_DATA_FILES = 50;
/** Decoded bytes of data: URIs handed back per markup item. */
export const MAX_DATA_BYTES = 16 * 1024 * 1024;

const URL_ATTRIBUTES = new Set([
  'href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'lowsrc', 'dynsrc', 'poster',
  'codebase', 'cite', 'longdesc', 'usemap', 'profile', 'manifest', 'icon', 'ping', 'srcset',
]);
/** SVG animation can set an href to a javascript: URL (<set attributeName="href" to="javascript:...">). */
const ANIMATION_VALUES = new Set(['to', 'from', 'values', 'by']);
const EMBEDDING = new Set(['object', 'embed', 'applet', 'foreignobject', 'handler']);
/**
 * Only script is skipped as raw text (and looked into for smuggling). The content of style, title, textarea,
 * noscript ... is raw text in HTML but holds elements in SVG (a known way to hide a handler from a filter),
 * so it is read as markup: at worst a tag-like string in CSS is looked at.
 */
const RAW_TEXT = new Set(['script']);
const CODE_SCHEMES = /^(?:java|vb|live)script:/;
/** Script that assembles a file in the browser and hands it to the user: HTML smuggling. */
const SMUGGLING = /\bnew\s+Blob\b|msSaveOrOpenBlob|msSaveBlob|createObjectURL|\.download\s*=|\batob\s*\(/;
/** Bytes of common image formats: a data: image whose bytes agree with its type is a picture, not a file. */
const IMAGE_TYPES = /^image\/(?:png|jpe?g|gif|webp|bmp|x-icon|vnd\.microsoft\.icon)$/;

export function scanMarkup(text: string): MarkupScan {
  return new Scan(text).run();
}

class Scan {
  private active: string | null = null;
  private readonly dataFiles: DataFile[] = [];
  private dataBytes = 0;
  private readonly reasons = new Set<string>();

  constructor(private readonly s: string) {}

  run(): MarkupScan {
    const s = this.s;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0 || lt + 1 >= n) break;
      const c = s.charCodeAt(lt + 1);
      if (s.startsWith('<!--', lt)) {
        const end = s.indexOf('-->', lt + 4);
        i = end < 0 ? n : end + 3;
        continue;
      }
      if (c === 0x21 /* ! */ || c === 0x3f /* ? */) {
        // doctype, CDATA, processing instruction: nothing active up to the next '>'
        const end = s.indexOf('>', lt + 2);
        i = end < 0 ? n : end + 1;
        continue;
      }
      const closing = c === 0x2f;
      const start = closing ? lt + 2 : lt + 1;
      if (!isLetter(s.charCodeAt(start))) {
        i = lt + 1;
        continue;
      }
      i = this.tag(start, closing);
    }
    return { active: this.active, dataFiles: this.dataFiles, reasons: [...this.reasons] };
  }

  private found(what: string): void {
    if (!this.active) this.active = what;
    else if (what.startsWith('HTML smuggling') && this.active === '<script> element') this.active = what;
  }

  /** Reads one tag from its name at `at`; returns where scanning goes on. */
  private tag(at: number, closing: boolean): number {
    const s = this.s;
    const n = s.length;
    let i = at;
    while (i < n && !isTagEnd(s.charCodeAt(i))) i++;
    const name = s.slice(at, Math.min(i, at + 32)).toLowerCase();
    const attrs = new Map<string, string>();
    // attributes, as the HTML tokeniser reads them
    while (i < n) {
      let c = s.charCodeAt(i);
      if (c === 0x3e /* > */) {
        i++;
        break;
      }
      if (isSpace(c) || c === 0x2f) {
        i++;
        continue;
      }
      const nameStart = i;
      i++; // the first character may be anything, '=' included
      while (i < n && !isAttrNameEnd(s.charCodeAt(i))) i++;
      const attr = s.slice(nameStart, Math.min(i, nameStart + 64)).toLowerCase();
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      let value = '';
      if (s.charCodeAt(i) === 0x3d /* = */) {
        i++;
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        c = s.charCodeAt(i);
        if (c === 0x22 || c === 0x27) {
          const end = s.indexOf(c === 0x22 ? '"' : "'", i + 1);
          const stop = end < 0 ? n : end;
          value = s.slice(i + 1, stop);
          i = end < 0 ? n : end + 1;
        } else {
          const from = i;
          while (i < n && !isSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 0x3e) i++;
          value = s.slice(from, i);
        }
      }
      if (!closing && attrs.size < 256 && !attrs.has(attr)) attrs.set(attr, value);
    }
    if (closing) return i;
    this.element(name, attrs);
    if (RAW_TEXT.has(name)) return this.rawText(name, i);
    return i;
  }

  private element(name: string, attrs: Map<string, string>): void {
    if (name === 'script') this.found('<script> element');
    if (EMBEDDING.has(name)) this.found('embedded active content');
    for (const [attr, raw] of attrs) {
      if (attr.length > 2 && attr.startsWith('on') && /^on[a-z]+$/.test(attr)) this.found(`event handler attribute (${attr})`);
      else if (attr === 'srcdoc' && raw) this.found('embedded active content (iframe srcdoc)');
      else if (URL_ATTRIBUTES.has(attr)) this.url(decodeEntities(raw), (name === 'a' || name === 'area') && attrs.has('download'));
      else if (ANIMATION_VALUES.has(attr) && raw) {
        for (const item of decodeEntities(raw).split(';')) this.url(item, false);
      }
    }
    if (name === 'meta' && /^\s*refresh\s*$/i.test(decodeEntities(attrs.get('http-equiv') ?? ''))) {
      const content = decodeEntities(attrs.get('content') ?? '');
      const target = /url\s*=\s*['"]?([\s\S]*)$/i.exec(content)?.[1] ?? '';
      const scheme = urlHead(target);
      if (scheme.startsWith('data:') || CODE_SCHEMES.test(scheme)) this.found(`meta refresh to a ${scheme.slice(0, scheme.indexOf(':') + 1)} URI`);
      this.url(target, false);
    }
  }

  /** A URL as the browser will read it: code schemes are active, data: URIs may carry a file. */
  private url(value: string, download: boolean): void {
    if (!value) return;
    const head = urlHead(value);
    const code = CODE_SCHEMES.exec(head);
    if (code) {
      this.found(`${code[0]} URL`);
      return;
    }
    if (head.startsWith('blob:') && download) this.found('HTML smuggling (download of a blob: URL)');
    if (head.startsWith('data:')) this.dataUri(value);
  }

  private dataUri(value: string): void {
    const url = value.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\n\r]/g, '');
    const comma = url.indexOf(',');
    if (comma < 0) return;
    const meta = url.slice(5, comma).toLowerCase();
    const base64 = /;\s*base64\s*$/.test(meta);
    const mediaType = (meta.split(';')[0] ?? '').trim();
    const body = url.slice(comma + 1);
    if (IMAGE_TYPES.test(mediaType) && isImage(decodeData(body.slice(0, 64), base64))) return;
    if (this.dataFiles.length >= MAX_DATA_FILES) {
      this.reasons.add(`more than ${MAX_DATA_FILES} files in data: URIs: the rest are not inspected`);
      return;
    }
    const estimate = base64 ? Math.ceil((body.length * 3) / 4) : body.length;
    if (this.dataBytes + estimate > MAX_DATA_BYTES) {
      this.reasons.add(`files in data: URIs over ${MAX_DATA_BYTES} bytes in all: the rest are not inspected`);
      return;
    }
    const bytes = decodeData(body, base64);
    this.dataBytes += bytes.length;
    this.dataFiles.push({ mediaType, bytes });
  }

  /** Script runs to its end tag, and is looked into for smuggling. */
  private rawText(name: string, from: number): number {
    const s = this.s;
    const end = indexOfEndTag(s, name, from);
    const stop = end < 0 ? s.length : end;
    if (name === 'script' && SMUGGLING.test(s.slice(from, stop))) this.found('HTML smuggling (script that assembles a file for download)');
    return stop;
  }
}

/**
 * The first characters of a URL as a browser reads it, lower-cased (for scheme tests): leading C0 controls and
 * spaces are stripped and ASCII tabs and newlines anywhere are removed, however many there are.
 */
export function urlHead(value: string, max = 40): string {
  let head = '';
  let i = 0;
  while (i < value.length && value.charCodeAt(i) <= 0x20) i++;
  for (; i < value.length && head.length < max; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x09 && c !== 0x0a && c !== 0x0d) head += value[i];
  }
  return head.toLowerCase();
}

function decodeData(body: string, base64: boolean): Buffer {
  const bytes = percentDecode(body);
  if (!base64) return bytes;
  return Buffer.from(bytes.toString('latin1').replace(/[\s]/g, ''), 'base64');
}

function percentDecode(s: string): Buffer {
  if (!s.includes('%')) return Buffer.from(s, 'latin1');
  const out = Buffer.allocUnsafe(s.length);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length + 0 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      out[o++] = parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[o++] = c & 0xff;
    }
  }
  return out.subarray(0, o);
}

function isImage(b: Buffer): boolean {
  if (b.length < 4) return false;
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return true; // PNG
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true; // JPEG
  if (b.toString('latin1', 0, 4) === 'GIF8') return true;
  if (b.toString('latin1', 0, 4) === 'RIFF' && b.length >= 12 && b.toString('latin1', 8, 12) === 'WEBP') return true;
  if (b[0] === 0x42 && b[1] === 0x4d) return true; // BMP
  return b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0; // ICO
}

function indexOfEndTag(s: string, name: string, from: number): number {
  let at = s.indexOf('</', from);
  while (at >= 0) {
    if (s.slice(at + 2, at + 2 + name.length).toLowerCase() === name && isTagEnd(s.charCodeAt(at + 2 + name.length))) return at;
    at = s.indexOf('</', at + 2);
  }
  return -1;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

function isTagEnd(c: number): boolean {
  return Number.isNaN(c) || isSpace(c) || c === 0x2f || c === 0x3e;
}

function isAttrNameEnd(c: number): boolean {
  return isSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d;
}
