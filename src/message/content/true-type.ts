/**
 * First look at content: magic bytes (file-type 21 plus our own few signatures), confirmed PE headers,
 * then a text sniff. Containers (zip, CFB, gzip, tar, TNEF) are only recognised here; opening them is the
 * job of the container modules, which refine the type (docx vs docm, doc vs msi vs msg ...).
 */
import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import type { TypeFamily } from '../model.js';
import type { PartBlob } from './blob.js';
import { inspectMz } from './pe.js';
import { endsLikeZip, handTypeOfHead, handTypeOfTail, type HandType } from './signatures.js';
import { scanMarkup, type MarkupScan } from './html-active.js';
import { scriptTypeOfText, sylkMacros } from './script-sniff.js';
import { decodeSample, looksLikeText, textKind } from './text-sniff.js';
import { familyOfDetectedExt } from './type-table.js';

export type Container = 'zip' | 'cfb' | 'gzip' | 'tar' | 'tnef' | 'pdf';

export interface Sniffed {
  readonly mime: string;
  readonly ext: string;
  readonly family: TypeFamily;
  readonly basis: 'magic' | 'text' | 'none';
  readonly macros?: boolean;
  /** A container the caller should open to refine the type and find members. */
  readonly container: Container | null;
  /** A type we recognise but cannot open (7z, rar, ISO ...): why the item is unscannable. */
  readonly unscannable: string | null;
  /** Script found in HTML/SVG, or null. */
  readonly script: string | null;
  /**
   * A zip glued after content of another type (a picture, a PDF): no viewer of that type shows it, but
   * an extractor opens it, so its members are inspected too and the type stays what the head says.
   */
  readonly appendedZip?: boolean;
  /** What the active-content scan of markup found (data: URI files, limits), when the content is markup. */
  readonly markup?: MarkupScan;
}

/** HTML and SVG larger than this are not scanned for script in full (and are unscannable). */
export const SCRIPT_SCAN_BYTES = 8 * 1024 * 1024;

const DECLARED_MARKUP = new Set(['text/html', 'application/xhtml+xml', 'image/svg+xml']);
const MARKUP_NAME = /\.(?:html?|xhtml|svgz?|shtml|xht|hta|mht|mhtml|xml|xsl)$/i;

/**
 * Disk images mount with a double click on Windows and macOS and show the programs inside (the carrier of
 * choice since Office blocked macros from the internet): executable content, and unscannable as well,
 * since we do not open them.
 */
const DISK = (mime: string, ext: string, what: string): Omit<Sniffed, 'basis' | 'script'> => ({
  mime, ext, family: 'executable', container: null, unscannable: `cannot open ${what}`,
});

const HAND: Record<HandType, Omit<Sniffed, 'basis' | 'script'>> = {
  iso: DISK('application/x-iso9660-image', 'iso', 'ISO disk images'),
  vhd: DISK('application/x-vhd', 'vhd', 'VHD disk images'),
  vhdx: DISK('application/x-vhdx', 'vhdx', 'VHDX disk images'),
  img: DISK('application/x-raw-disk-image', 'img', 'disk images'),
  dmg: DISK('application/x-apple-diskimage', 'dmg', 'DMG disk images'),
  // OneNote runs embedded files with one click: a carrier of programs, whatever it is called.
  one: { mime: 'application/onenote', ext: 'one', family: 'executable', container: null, unscannable: null },
  tnef: { mime: 'application/vnd.ms-tnef', ext: 'tnef', family: 'message', container: 'tnef', unscannable: null },
  class: { mime: 'application/java-vm', ext: 'class', family: 'executable', container: null, unscannable: null },
  macho: { mime: 'application/x-mach-binary', ext: 'macho', family: 'executable', container: null, unscannable: null },
};

/** Archives and containers file-type knows that we do not open. */
const CANNOT_OPEN: Record<string, string> = {
  '7z': 'cannot open 7z archives',
  rar: 'cannot open rar archives',
  cab: 'cannot open cab archives',
  bz2: 'cannot open bzip2 files',
  xz: 'cannot open xz files',
  zst: 'cannot open zstd files',
  lz: 'cannot open lzip files',
  lz4: 'cannot open lz4 files',
  Z: 'cannot open compress (.Z) files',
  lzh: 'cannot open lzh archives',
  arj: 'cannot open arj archives',
  ace: 'cannot open ace archives',
  cpio: 'cannot open cpio archives',
  ar: 'cannot open ar archives',
  asar: 'cannot open asar archives',
  dmg: 'cannot open DMG disk images',
  pst: 'cannot open Outlook data files',
};

function familyOf(ft: { ext: string; mime: string }): TypeFamily {
  const prefix = ft.mime.split('/')[0];
  return prefix === 'image' || prefix === 'audio' || prefix === 'video' ? prefix : familyOfDetectedExt(ft.ext);
}

function hand(t: HandType): Sniffed {
  return { ...HAND[t], basis: 'magic', script: null };
}

function magic(mime: string, ext: string, family: TypeFamily, container: Container | null = null): Sniffed {
  return { mime, ext, family, basis: 'magic', container, unscannable: CANNOT_OPEN[ext] ?? null, script: null };
}

const PDF_LATE_HEADER = /%PDF-\d\.\d/;

/** The end record of a zip and its longest comment. */
const ZIP_TAIL_BYTES = 22 + 0xffff;

/**
 * The last bytes (enough for a zip end record with its comment), from memory or the temp file (only read
 * when the head said nothing).
 */
async function tailOf(blob: PartBlob): Promise<Buffer> {
  if (blob.size <= blob.head.length) return blob.head;
  if (blob.buffer) return blob.buffer.subarray(Math.max(0, blob.buffer.length - ZIP_TAIL_BYTES));
  if (!blob.path) return Buffer.alloc(0);
  const fh = await open(blob.path, 'r');
  try {
    const tail = Buffer.alloc(Math.min(ZIP_TAIL_BYTES, blob.size));
    const { bytesRead } = await fh.read(tail, 0, tail.length, blob.size - tail.length);
    return tail.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Up to `max` bytes of the content, for the script scan. */
export async function prefixOf(blob: PartBlob, max: number): Promise<Buffer> {
  if (blob.size <= blob.head.length) return blob.head;
  if (blob.buffer) return blob.buffer.subarray(0, max);
  if (!blob.path) return blob.head;
  const fh = await open(blob.path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(max, blob.size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function sniffText(blob: PartBlob, name: string | null, declaredMarkup: boolean): Promise<Sniffed | null> {
  if (!looksLikeText(blob.head.subarray(0, 8192))) return null;
  const start = decodeSample(blob.head.subarray(0, 8192));
  const kind = textKind(start);
  // A .htm file, or a part declared text/html, is rendered as HTML whether or not it starts with a tag.
  const markupByName = (name !== null && MARKUP_NAME.test(name)) || declaredMarkup;
  const text = (mime: string, ext: string, family: TypeFamily = 'text'): Sniffed => ({
    mime, ext, family, basis: 'text', container: null, unscannable: null, script: null,
  });
  // A program in text form is one whatever its name (see script-sniff.ts).
  const program = scriptTypeOfText(start, kind === 'html');
  if (program) return text(program.mime, program.ext, 'executable');
  if (sylkMacros(start) !== null) {
    const macros = sylkMacros(decodeSample(await prefixOf(blob, SCRIPT_SCAN_BYTES))) === true;
    return { ...text('application/x-sylk', 'slk', 'excel'), macros };
  }
  if (kind === 'message') return text('message/rfc822', 'eml', 'message');
  if (kind === 'pgp') return text('application/pgp-encrypted', 'asc', 'encrypted');
  if (kind === 'excel-xml') return text('application/xml', 'xml', 'excel');
  if (kind === 'word-xml') {
    // Word 2003 XML keeps VBA in an embedded editdata.mso.
    const macros = /editdata\.mso|<w:docSuppData/i.test(decodeSample(await prefixOf(blob, SCRIPT_SCAN_BYTES)));
    return { ...text('application/xml', 'xml', 'word'), macros };
  }
  if (kind === 'plain' && !markupByName) return text('text/plain', 'txt');
  // Markup by content, or by name (a .htm file need not start with a tag to be rendered as HTML).
  const base =
    kind === 'svg'
      ? text('image/svg+xml', 'svg')
      : kind === 'xml'
        ? text('application/xml', 'xml')
        : kind === 'html'
          ? text('text/html', 'html')
          : declaredMarkup
            ? text('text/html', 'html')
            : text('text/plain', 'txt');
  const sample = await prefixOf(blob, SCRIPT_SCAN_BYTES);
  const markup = scanMarkup(decodeSample(sample));
  if (markup.active) return { ...base, script: markup.active, markup };
  if (blob.size > sample.length) return { ...base, markup, unscannable: `markup over ${SCRIPT_SCAN_BYTES} bytes not fully scanned for script` };
  return { ...base, markup };
}

/** What the bytes say. Never throws on bad input. */
export async function sniffContent(blob: PartBlob, name: string | null, declaredType = ''): Promise<Sniffed> {
  const head = blob.head;
  if (blob.size === 0) {
    return { mime: 'application/x-empty', ext: '', family: 'unknown', basis: 'none', container: null, unscannable: null, script: null };
  }
  const mz = inspectMz(head, blob.size);
  if (mz) return magic('application/x-msdownload', mz === 'pe-dll' ? 'dll' : 'exe', 'executable');
  const handType = handTypeOfHead(head);
  if (handType) return hand(handType);
  if (head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0) return magic('application/x-cfb', 'cfb', 'unknown', 'cfb');
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && [0x0304, 0x0506, 0x0708].includes(head.readUInt16BE(2))) {
    return magic('application/zip', 'zip', 'archive', 'zip');
  }
  let ft: { ext: string; mime: string } | undefined;
  try {
    ft = await fileTypeFromBuffer(head);
  } catch {
    ft = undefined;
  }
  if (ft && ft.ext !== 'exe' && ft.ext !== 'cfb' && ft.ext !== 'xml') {
    if (ft.ext === 'gz' || ft.ext === 'tar.gz') return magic('application/gzip', 'gz', 'archive', 'gzip');
    if (ft.ext === 'tar') return magic(ft.mime, 'tar', 'archive', 'tar');
    if (ft.ext === 'pgp') return magic(ft.mime, 'pgp', 'encrypted');
    // Named .zip but starting as a picture or a PDF (a polyglot): it opens in an extractor, which finds
    // the zip by its end record.
    if (name && /\.zip$/i.test(name) && !CANNOT_OPEN[ft.ext] && endsLikeZip(await tailOf(blob))) {
      return magic('application/zip', 'zip', 'archive', 'zip');
    }
    const glued = !CANNOT_OPEN[ft.ext] && endsLikeZip(await tailOf(blob));
    const sniffed = ft.ext === 'pdf' ? magic(ft.mime, 'pdf', 'pdf', 'pdf') : magic(ft.mime, ft.ext, familyOf(ft));
    return glued ? { ...sniffed, appendedZip: true } : sniffed;
  }
  // Readers accept the PDF header anywhere in the first KB.
  if (PDF_LATE_HEADER.test(head.toString('latin1', 0, 1024)) && /\d+\s+\d+\s+obj\b/.test(head.toString('latin1', 0, 8192))) {
    return magic('application/pdf', 'pdf', 'pdf', 'pdf');
  }
  const tail = await tailOf(blob);
  const tailType = handTypeOfTail(tail);
  if (tailType) return hand(tailType);
  // A zip with something in front (junk, or a format we do not know): extractors find it by its end.
  if (endsLikeZip(tail)) return magic('application/zip', 'zip', 'archive', 'zip');
  const text = await sniffText(blob, name, DECLARED_MARKUP.has(declaredType));
  if (text) return text;
  return { mime: 'application/octet-stream', ext: '', family: 'unknown', basis: 'none', container: null, unscannable: null, script: null };
}
