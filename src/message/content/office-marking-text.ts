/**
 * The text of the places Office puts a protective marking, for banner matching (markingsInText):
 *  - Word: every header and footer part (default, first-page and even-page headers, and every
 *    section's), found through word/_rels/document.xml.rels and by name; their text includes
 *    watermarks (VML `v:textpath string="..."`, DrawingML / VML text boxes `w:txbxContent`).
 *  - Excel: each worksheet's and chartsheet's print headers and footers (`headerFooter`:
 *    oddHeader, evenHeader, firstHeader, oddFooter ...), with Excel's &L &C &R &"font" &12 codes
 *    taken out; each section (&L, &C, &R) is a line of its own.
 *  - Word: the first paragraphs of the document body (a banner typed at the top of page one),
 *    read from the first BODY_PREFIX bytes of word/document.xml.
 *  - PowerPoint: slide masters, layouts and slides (footer placeholders and text boxes).
 *  - OpenDocument (odt, ods, odp): the page headers and footers of styles.xml (style:header,
 *    style:footer and their -left / -first variants).
 * Bounded: a few dozen parts, each read up to PART_CAP; a worksheet too big for that is streamed
 * only as far as its headerFooter element, within STREAM_BUDGET bytes per document.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Policy } from '../../config/policy-schema.js';
import { markingsInText } from '../markings.js';
import type { MarkingHit, TypeFamily } from '../model.js';
import { attr, decodeEntities, scanXml, wordText } from './office-xml.js';
import type { ZipEntryInfo, ZipHandle } from './zip-file.js';

const PART_CAP = 1024 * 1024;
const MAX_WORD_PARTS = 32;
const MAX_SHEETS = 64;
const MAX_SLIDE_PARTS = 96;
const STREAM_BUDGET = 64 * 1024 * 1024;
const HEADER_FOOTER_CAP = 64 * 1024;
const BODY_PREFIX = 256 * 1024;
const BODY_PARAGRAPHS = 6;

async function readText(zip: ZipHandle, entry: ZipEntryInfo, cap = PART_CAP): Promise<string | null> {
  const bytes = await zip.read(entry, cap);
  if (!bytes) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  return bytes.toString('utf8');
}

/** Resolve a relationship target against the folder of its source part ('word/'). */
function resolveTarget(folder: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${folder}${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/').toLowerCase();
}

/** Header and footer parts of a Word document: by relationship (any part name) and by the usual names. */
async function wordHeaderParts(zip: ZipHandle): Promise<ZipEntryInfo[]> {
  const byName = new Map(zip.entries.map((e) => [e.name.toLowerCase(), e] as const));
  const wanted = new Set<string>();
  const relsEntry = byName.get('word/_rels/document.xml.rels');
  const rels = relsEntry ? await readText(zip, relsEntry) : null;
  if (rels) {
    scanXml(rels, {
      tag(t) {
        if (t.name !== 'relationship' || t.kind === 'close') return;
        const type = (attr(t.attrs, 'Type') ?? '').toLowerCase();
        const target = attr(t.attrs, 'Target');
        if (target && /\/(?:header|footer)$/.test(type) && (attr(t.attrs, 'TargetMode') ?? '').toLowerCase() !== 'external') {
          wanted.add(resolveTarget('word/', target));
        }
      },
    });
  }
  for (const name of byName.keys()) if (/^word\/(?:header|footer)[^/]*\.xml$/.test(name)) wanted.add(name);
  return [...wanted].map((n) => byName.get(n)).filter((e): e is ZipEntryInfo => e !== undefined).slice(0, MAX_WORD_PARTS);
}

/** Excel header/footer codes out, one line per section: '&L&"Arial,Bold"&12RESTRICTED&RPage &P' -> 'RESTRICTED', 'Page '. */
export function excelHeaderText(value: string): string {
  return value
    .replace(/&&/g, '\u0000')
    .replace(/&[LCR]/g, '\n')
    .replace(/&"[^"]*"/g, '')
    .replace(/&K(?:[0-9A-Fa-f]{6}|\d\d[+-]\d{3})/g, '')
    .replace(/&\d{1,3}/g, '')
    .replace(/&[BIUESXYODTPNAFZGH]/g, '')
    .replace(/\u0000/g, '&');
}

const HF_ELEMENTS = new Set(['oddheader', 'oddfooter', 'evenheader', 'evenfooter', 'firstheader', 'firstfooter']);

/** The text of the print header/footer elements in a headerFooter element's XML. */
function headerFooterText(xml: string): string {
  const out: string[] = [];
  let inside = false;
  scanXml(xml, {
    tag(t) {
      if (!HF_ELEMENTS.has(t.name)) return;
      inside = t.kind === 'open';
      if (!inside) out.push('\n');
    },
    text(s) {
      if (inside) out.push(excelHeaderText(decodeEntities(s)));
    },
  });
  return out.join('');
}

const HF_OPEN = /<(?:[\w.-]+:)?headerFooter[\s/>]/;
const HF_CLOSE = /<\/(?:[\w.-]+:)?headerFooter\s*>|<(?:[\w.-]+:)?headerFooter[^>]*\/>/;

/** The headerFooter element of a worksheet, or ''. */
function findHeaderFooter(xml: string): string {
  const open = HF_OPEN.exec(xml);
  if (!open) return '';
  const rest = xml.slice(open.index, open.index + HEADER_FOOTER_CAP);
  const close = HF_CLOSE.exec(rest);
  return close ? rest.slice(0, close.index + close[0].length) : rest;
}

/** A worksheet too large to read whole: stream it, keeping only a small window, until its headerFooter. */
async function streamHeaderFooter(zip: ZipHandle, entry: ZipEntryInfo, budget: { left: number }): Promise<string> {
  let stream;
  try {
    stream = await zip.stream(entry);
  } catch {
    return '';
  }
  const decoder = new StringDecoder('utf8');
  let window = '';
  let found = -1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      budget.left -= chunk.length;
      window += decoder.write(chunk);
      if (found < 0) {
        const m = HF_OPEN.exec(window);
        if (m) found = m.index;
        else window = window.slice(-64);
      }
      if (found >= 0) {
        const element = findHeaderFooter(window.slice(found));
        if (HF_CLOSE.test(element) || element.length >= HEADER_FOOTER_CAP) return element;
      }
      if (budget.left <= 0) break;
    }
    return found >= 0 ? findHeaderFooter(window.slice(found)) : '';
  } catch {
    return '';
  } finally {
    stream.destroy();
  }
}

async function excelPrintHeaders(zip: ZipHandle, scheme: Policy['markings'], source: string): Promise<MarkingHit[]> {
  const sheets = zip.entries.filter((e) => /^xl\/(?:worksheets|chartsheets|dialogsheets)\/[^/]+\.xml$/i.test(e.name)).slice(0, MAX_SHEETS);
  const budget = { left: STREAM_BUDGET };
  const hits: MarkingHit[] = [];
  for (const sheet of sheets) {
    // A file on disk is read only up to the cap (not refused): a part that fills it was cut short.
    const read = await readText(zip, sheet);
    const whole = read !== null && Buffer.byteLength(read) < PART_CAP ? read : null;
    const element = whole !== null ? findHeaderFooter(whole) : budget.left > 0 ? await streamHeaderFooter(zip, sheet, budget) : '';
    if (element) hits.push(...markingsInText(headerFooterText(element), scheme, source));
  }
  return hits;
}

async function textOfParts(zip: ZipHandle, parts: readonly ZipEntryInfo[], scheme: Policy['markings'], source: string): Promise<MarkingHit[]> {
  const hits: MarkingHit[] = [];
  for (const part of parts) {
    const xml = await readText(zip, part);
    if (xml) hits.push(...markingsInText(wordText(xml), scheme, source));
  }
  return hits;
}

/** The first `max` bytes of a part as text, streaming when it is too big to read whole. */
async function readPrefix(zip: ZipHandle, entry: ZipEntryInfo, max: number): Promise<string | null> {
  const whole = await zip.read(entry, max);
  if (whole) return whole.toString('utf8');
  let stream;
  try {
    stream = await zip.stream(entry);
  } catch {
    return null;
  }
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      n += chunk.length;
      if (n >= max) break;
    }
  } catch {
    // A corrupt part: what was read is still text to look at.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, max).toString('utf8');
}

/** The first non-blank lines of the main document's text: where a banner on page one stands. */
async function wordBodyTop(zip: ZipHandle, scheme: Policy['markings'], source: string): Promise<MarkingHit[]> {
  const entry = zip.entries.find((e) => e.name.toLowerCase() === 'word/document.xml');
  const xml = entry ? await readPrefix(zip, entry, BODY_PREFIX) : null;
  if (!xml) return [];
  const lines = wordText(xml).split('\n').filter((l) => l.trim() !== '').slice(0, BODY_PARAGRAPHS);
  return markingsInText(lines.join('\n'), scheme, source);
}

const ODF_HEADERS = new Set(['header', 'footer', 'header-left', 'footer-left', 'header-first', 'footer-first']);

/** The text of an OpenDocument styles.xml's page headers and footers, a line per paragraph. */
export function odfHeaderText(xml: string): string {
  const out: string[] = [];
  let depth = 0;
  scanXml(xml, {
    tag(t) {
      if (ODF_HEADERS.has(t.name)) {
        if (t.kind === 'open') depth += 1;
        else if (t.kind === 'close' && depth > 0) depth -= 1;
        out.push('\n');
      } else if (depth > 0) {
        if ((t.name === 'p' || t.name === 'h') && t.kind !== 'open') out.push('\n');
        else if (t.name === 'line-break') out.push('\n');
        else if (t.name === 's' || t.name === 'tab') out.push(' ');
      }
    },
    text(s) {
      if (depth > 0) out.push(decodeEntities(s));
    },
  });
  return out.join('');
}

/** Banner markings in the headers, footers, watermarks and print headers of a zip-based Office document. */
export async function documentTextMarkings(
  zip: ZipHandle,
  family: TypeFamily,
  scheme: Policy['markings'],
  source: string,
): Promise<MarkingHit[]> {
  const styles = zip.entries.find((e) => e.name === 'styles.xml');
  if (styles && zip.entries.some((e) => e.name === 'mimetype')) {
    const xml = await readText(zip, styles);
    return xml ? markingsInText(odfHeaderText(xml), scheme, source) : [];
  }
  if (family === 'word') {
    const parts = await textOfParts(zip, await wordHeaderParts(zip), scheme, source);
    return [...parts, ...(await wordBodyTop(zip, scheme, source))];
  }
  if (family === 'excel') return excelPrintHeaders(zip, scheme, source);
  // Masters first: within the part cap, the footer every slide shows comes before the slides.
  const order = (name: string): number => (/^ppt\/slidemasters\//i.test(name) ? 0 : /^ppt\/slidelayouts\//i.test(name) ? 1 : 2);
  const slides = zip.entries
    .filter((e) => /^ppt\/(?:slidemasters|slidelayouts|slides|notesmasters|handoutmasters)\/[^/]+\.xml$/i.test(e.name))
    .sort((a, b) => order(a.name) - order(b.name))
    .slice(0, MAX_SLIDE_PARTS);
  return slides.length ? textOfParts(zip, slides, scheme, source) : [];
}
