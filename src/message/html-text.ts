/**
 * Visible text of an HTML body, chunk by chunk, in one linear pass (no regex over the markup,
 * so crafted HTML cannot make it backtrack). Block elements end a line so banner lines such as
 * a protective marking on its own line survive; script, style and title content is dropped.
 */

const BLOCK_TAGS = new Set([
  'br', 'p', 'div', 'tr', 'li', 'ul', 'ol', 'table', 'blockquote', 'pre', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'section', 'article', 'header', 'footer', 'dd', 'dt', 'body',
]);
// As in a browser, the raw-text elements swallow everything up to their end tag.
const SKIP_CONTENT = new Set(['script', 'style', 'title']);
const ENTITIES = new Map(
  Object.entries({
    amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—',
    lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', hellip: '…', copy: '©', reg: '®',
  }),
);
const MAX_TAG_NAME = 16;
const MAX_ENTITY = 12;
const SPACE_RUN = /[ \t\r\n\f]+/g;

type State = 'text' | 'tag' | 'comment' | 'skip';

export class HtmlTextExtractor {
  private state: State = 'text';
  /** Carried text: an entity or the start of a tag cut by the chunk edge. */
  private carry = '';
  private tagName = '';
  private tagNameDone = false;
  private closing = false;
  private quote = '';
  private afterEquals = false;
  private lineStart = true;
  /** Element whose content is being skipped (script, style ...). */
  private skipUntil = '';

  write(chunk: string): string {
    const s = this.carry ? this.carry + chunk : chunk;
    this.carry = '';
    return this.run(s, false);
  }

  end(): string {
    const s = this.carry;
    this.carry = '';
    return s ? this.run(s, true) : '';
  }

  private run(s: string, final: boolean): string {
    let out = '';
    let i = 0;
    const n = s.length;
    while (i < n) {
      if (this.state === 'text') {
        let j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === 0x3c /* < */ || c === 0x26 /* & */) break;
          j++;
        }
        if (j > i) out += this.text(s.slice(i, j).replace(SPACE_RUN, ' '));
        if (j >= n) break;
        if (s.charCodeAt(j) === 0x26) {
          const semi = s.indexOf(';', j + 1);
          if (semi < 0 && n - j <= MAX_ENTITY && !final) {
            this.carry = s.slice(j);
            break;
          }
          if (semi > j && semi - j <= MAX_ENTITY) {
            const decoded = decodeEntity(s.slice(j + 1, semi));
            if (decoded !== null) {
              out += this.text(decoded);
              i = semi + 1;
              continue;
            }
          }
          out += this.text('&');
          i = j + 1;
          continue;
        }
        // '<': a comment, or a tag
        if (n - j < 4 && !final) {
          this.carry = s.slice(j);
          break;
        }
        if (s.startsWith('<!--', j)) {
          this.state = 'comment';
          i = j + 4;
          continue;
        }
        const next = s.charCodeAt(j + 1);
        const isTag = (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a) || next === 0x2f || next === 0x21 || next === 0x3f;
        if (!isTag) {
          out += this.text('<');
          i = j + 1;
          continue;
        }
        this.state = 'tag';
        this.tagName = '';
        this.tagNameDone = false;
        this.closing = next === 0x2f;
        this.quote = '';
        this.afterEquals = false;
        i = this.closing ? j + 2 : j + 1;
        continue;
      }
      if (this.state === 'tag') {
        i = this.scanTag(s, i);
        if ((this.state as State) === 'text') out += this.closeTag();
        continue;
      }
      if (this.state === 'comment') {
        const end = s.indexOf('-->', i);
        if (end < 0) {
          // keep the last two characters: they may start the closing '-->'
          if (!final) this.carry = s.slice(Math.max(i, n - 2));
          break;
        }
        this.state = 'text';
        i = end + 3;
        continue;
      }
      // skip: look for '</name'
      const close = '</' + this.skipUntil;
      const at = indexOfIgnoreCase(s, close, i);
      if (at < 0) {
        if (!final) this.carry = s.slice(Math.max(i, n - close.length));
        break;
      }
      this.state = 'tag';
      this.tagName = this.skipUntil;
      this.tagNameDone = true;
      this.closing = true;
      this.quote = '';
      this.afterEquals = false;
      i = at + close.length;
    }
    return out;
  }

  /** Consumes tag text from i; returns where it stopped (state becomes 'text' on '>'). */
  private scanTag(s: string, i: number): number {
    const n = s.length;
    while (i < n) {
      if (this.quote) {
        const q = s.indexOf(this.quote, i);
        if (q < 0) return n;
        this.quote = '';
        this.afterEquals = false;
        i = q + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      i++;
      if (c === 0x3e /* > */) {
        this.state = 'text';
        return i;
      }
      const space = c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
      if (!this.tagNameDone) {
        if (space || c === 0x2f || this.tagName.length >= MAX_TAG_NAME) this.tagNameDone = true;
        else this.tagName += String.fromCharCode(c).toLowerCase();
        continue;
      }
      // As in a browser, a quote only opens an attribute value right after '='.
      if ((c === 0x22 || c === 0x27) && this.afterEquals) {
        this.quote = c === 0x22 ? '"' : "'";
        continue;
      }
      if (!space) this.afterEquals = c === 0x3d;
    }
    return i;
  }

  /** Text as it will show: no spaces at the start of a line. */
  private text(t: string): string {
    const shown = this.lineStart ? t.trimStart() : t;
    if (shown) this.lineStart = false;
    return shown;
  }

  /** A line break for a block element; never more than one in a row. */
  private newline(): string {
    if (this.lineStart) return '';
    this.lineStart = true;
    return '\n';
  }

  private closeTag(): string {
    this.state = 'text';
    const name = this.tagName;
    if (!this.closing && SKIP_CONTENT.has(name)) {
      this.state = 'skip';
      this.skipUntil = name;
      return '';
    }
    if (BLOCK_TAGS.has(name)) return this.newline();
    if (name === 'td' || name === 'th') return this.text(' ');
    return '';
  }
}

function decodeEntity(name: string): string | null {
  if (name.charCodeAt(0) === 0x23 /* # */) {
    const hex = name[1] === 'x' || name[1] === 'X';
    const code = parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10);
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return null;
    return String.fromCodePoint(code);
  }
  return ENTITIES.get(name.toLowerCase()) ?? null;
}

function indexOfIgnoreCase(s: string, needle: string, from: number): number {
  // needle is short and lower-case; scan for '<' and compare the rest
  let at = s.indexOf('<', from);
  while (at >= 0) {
    if (s.slice(at, at + needle.length).toLowerCase() === needle) return at;
    at = s.indexOf('<', at + 1);
  }
  return -1;
}
