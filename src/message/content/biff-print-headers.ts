/**
 * The print headers and footers of an Excel 97-2003 workbook (.xls), where a protective marking is
 * often typed: HEADER (0x0014) and FOOTER (0x0015) records of each sheet substream, and the first-
 * and even-page strings of HEADERFOOTER (0x089C, Excel 2007 and later). Each string carries Excel's
 * header codes, taken out by excelHeaderText. Bounded by the bytes given and a record count.
 */
import { excelHeaderText } from './office-marking-text.js';

const HEADER = 0x0014;
const FOOTER = 0x0015;
const HEADER_FOOTER = 0x089c;
const FILEPASS = 0x002f;
const MAX_RECORDS = 200_000;
const MAX_STRINGS = 256;

/** An XLUnicodeString at `at` (cch, fHighByte, characters), or null when it runs past `end`. */
function unicodeString(b: Buffer, at: number, end: number): { text: string; next: number } | null {
  if (at + 3 > end) return null;
  const cch = b.readUInt16LE(at);
  const wide = (b[at + 2]! & 1) !== 0;
  const start = at + 3;
  const stop = start + cch * (wide ? 2 : 1);
  if (stop > end) return null;
  return { text: b.toString(wide ? 'utf16le' : 'latin1', start, stop), next: stop };
}

/** The text of every print header and footer, a line per section; '' for an encrypted workbook. */
export function biffPrintHeaderText(stream: Buffer | null): string {
  if (!stream) return '';
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < MAX_RECORDS && at + 4 <= stream.length && out.length < MAX_STRINGS; i += 1) {
    const type = stream.readUInt16LE(at);
    const len = stream.readUInt16LE(at + 2);
    const body = at + 4;
    const end = Math.min(body + len, stream.length);
    if (type === FILEPASS) return '';
    if ((type === HEADER || type === FOOTER) && len > 0) {
      const s = unicodeString(stream, body, end);
      if (s) out.push(excelHeaderText(s.text));
    } else if (type === HEADER_FOOTER && len >= 38) {
      // FrtHeader (12), guidSView (16), flags (2), then four counts: even header/footer, first header/footer.
      let next = body + 38;
      for (let k = 0; k < 4; k += 1) {
        if (stream.readUInt16LE(body + 30 + 2 * k) === 0) continue;
        const s = unicodeString(stream, next, end);
        if (!s) break;
        out.push(excelHeaderText(s.text));
        next = s.next;
      }
    }
    at = body + len;
  }
  return out.join('\n');
}
