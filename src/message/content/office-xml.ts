/**
 * Just enough XML for Office metadata parts: a forward-only tag scanner (linear: it only ever moves on, and
 * stops at the first unterminated construct), attributes, entities. Inputs are capped by the callers.
 */

export interface XmlTag {
  /** Local name, without prefix ('w:t' -> 't'), lower-case. */
  readonly name: string;
  readonly kind: 'open' | 'close' | 'empty';
  readonly attrs: string;
}

export interface XmlVisitor {
  tag?(tag: XmlTag): void;
  text?(text: string): void;
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return (colon >= 0 ? qname.slice(colon + 1) : qname).toLowerCase();
}

export function scanXml(xml: string, visit: XmlVisitor): void {
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      visit.text?.(xml.slice(i));
      return;
    }
    if (lt > i) visit.text?.(xml.slice(i, lt));
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return;
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) return;
      visit.text?.(xml.slice(lt + 9, end));
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt + 1);
    if (gt < 0) return;
    const body = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (body.startsWith('?') || body.startsWith('!')) continue;
    if (body.startsWith('/')) {
      visit.tag?.({ name: localName(body.slice(1).trim()), kind: 'close', attrs: '' });
      continue;
    }
    const empty = body.endsWith('/');
    const inner = empty ? body.slice(0, -1) : body;
    const space = inner.search(/\s/);
    const qname = space < 0 ? inner : inner.slice(0, space);
    visit.tag?.({ name: localName(qname), kind: empty ? 'empty' : 'open', attrs: space < 0 ? '' : inner.slice(space) });
  }
}

/** An attribute's decoded value by local name (case-insensitive), or null. */
export function attr(attrs: string, name: string): string | null {
  const re = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  const a = attrs.length > 4096 ? attrs.slice(0, 4096) : attrs;
  const want = name.toLowerCase();
  for (let m = re.exec(a); m; m = re.exec(a)) {
    if (localName(m[1]!) === want) return decodeEntities(m[2] ?? m[3] ?? '');
  }
  return null;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/**
 * Word text (w:t runs, DrawingML a:t), a line per paragraph: what header and footer banner lines look
 * like. Runs of one paragraph join ('OFFICIAL' + no-break hyphen + 'SENSITIVE'); a watermark's text
 * (VML `v:textpath string="..."`) is a line of its own; deleted text and field codes are not shown, so not read.
 */
export function wordText(xml: string): string {
  const out: string[] = [];
  let inText = false;
  scanXml(xml, {
    tag(t) {
      if (t.name === 't') inText = t.kind === 'open';
      else if (t.name === 'p' && t.kind !== 'open') out.push('\n');
      else if (t.name === 'br' || t.name === 'cr') out.push('\n');
      else if (t.name === 'tab' || t.name === 'ptab') out.push(' ');
      else if (t.name === 'nobreakhyphen') out.push('\u2011');
      else if (t.name === 'softhyphen') out.push('\u00AD');
      else if (t.name === 'textpath' && t.kind !== 'close') {
        const watermark = attr(t.attrs, 'string');
        if (watermark) out.push(`\n${watermark}\n`);
      }
    },
    text(s) {
      if (inText) out.push(decodeEntities(s));
    },
  });
  return out.join('');
}
