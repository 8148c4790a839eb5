/**
 * What a PDF does when opened, read from its object structure without trusting its cross-reference table:
 * launch actions, JavaScript (document, page and field actions), XFA script, and embedded files (/EF of a
 * file specification, /Type /EmbeddedFile streams, RichMedia assets are both).
 *
 * The scan is the one malware analysts use (pdfid, peepdf): every `N G obj ... endobj` in the bytes, in
 * file order, so a broken or lying xref, incremental updates (every revision is looked at) and objects no
 * xref lists change nothing. Compressed object streams (/ObjStm) are inflated and their objects scanned
 * like the others; they cannot hold streams, so nothing recurses. Names are compared after #xx escapes are
 * decoded (/J#61vaScript is /JavaScript). A stream's end is where its /Length says when `endstream`
 * follows there, else the next `endstream` (a wrong /Length does not hide data). Everything is bounded:
 * objects, object streams, bytes inflated (by the caller's budget), string lengths; nothing is parsed
 * recursively, so nesting depth costs nothing.
 */
import { inflateSync } from 'node:zlib';

/** Objects looked at; past this the PDF is unscannable (what was found so far still counts). */
export const MAX_PDF_OBJECTS = 500_000;
export const MAX_OBJECT_STREAMS = 10_000;
/** Largest inflated object stream, script or XFA packet read (they are small in real files). */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;
const MAX_STRING = 64 * 1024;

export interface PdfEmbeddedFile {
  readonly name: string;
  /** Decoded bytes, or why they cannot be had. */
  readonly bytes?: Buffer;
  readonly unreadable?: string;
  readonly compressedSize: number;
}

export interface PdfScan {
  /** Targets of launch actions ('cmd.exe /c ...', 'invoice.exe', or '' when none is named). */
  readonly launches: readonly string[];
  /** JavaScript that is more than Acrobat's own form formatting (AFNumber_Format ...). */
  readonly scripts: number;
  /** JavaScript that only calls Acrobat's built-in form functions (field formatting and calculation). */
  readonly formScripts: number;
  readonly xfaScript: boolean;
  readonly embedded: readonly PdfEmbeddedFile[];
  /** Why part of the PDF could not be read (the item is unscannable for it). */
  readonly problems: readonly string[];
}

/** Inflates under the caller's limits: returns the bytes or throws (a limit error propagates). */
export type Inflater = (data: Buffer, cap: number) => Buffer;

interface StreamRef {
  readonly dict: string;
  readonly start: number;
  readonly end: number;
}

/** `#xx` in names decoded; the rest left as it is. */
function normaliseNames(text: string): string {
  if (!text.includes('#')) return text;
  return text.replace(/\/[^\s/<>[\]()%{}]*#[0-9a-fA-F]{2}[^\s/<>[\]()%{}]*/g, (name) =>
    name.replace(/#([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
  );
}

/** A literal `( ... )` or hex `< ... >` string starting at `at`, decoded (UTF-16BE by BOM), or null. */
function readString(text: string, at: number): string | null {
  let i = at;
  while (i < text.length && /\s/.test(text[i]!)) i += 1;
  if (text[i] === '<' && text[i + 1] !== '<') {
    const close = text.indexOf('>', i);
    if (close < 0) return null;
    const hex = text.slice(i + 1, Math.min(close, i + 1 + 2 * MAX_STRING)).replace(/[^0-9a-fA-F]/g, '');
    return decodeText(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
  }
  if (text[i] !== '(') return null;
  const out: number[] = [];
  let depth = 1;
  for (i += 1; i < text.length && out.length < MAX_STRING; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const n = text[i + 1] ?? '';
      i += 1;
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
      if (n in simple) out.push(simple[n]!);
      else if (/[0-7]/.test(n)) {
        const oct = /^[0-7]{1,3}/.exec(text.slice(i, i + 3))![0];
        out.push(parseInt(oct, 8) & 0xff);
        i += oct.length - 1;
      } else if (n === '\r' && text[i + 1] === '\n') i += 1;
      continue;
    }
    if (c === 0x28) depth += 1;
    if (c === 0x29 && --depth === 0) break;
    out.push(c & 0xff);
  }
  return decodeText(Buffer.from(out));
}

function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1))).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

/** The value after `/Key` in a dictionary text: a string, or an indirect reference's object number. */
function valueOf(dict: string, key: string): { str?: string; ref?: number } | null {
  const re = new RegExp(`/${key}(?![\\w.#-])`, 'g');
  for (let m = re.exec(dict); m; m = re.exec(dict)) {
    const at = m.index + m[0].length;
    const ref = /^\s*(\d+)\s+\d+\s+R\b/.exec(dict.slice(at, at + 40));
    if (ref) return { ref: Number(ref[1]) };
    const str = readString(dict, at);
    if (str !== null) return { str };
  }
  return null;
}

/** Script that only calls Acrobat's built-in form functions: field formatting, not a program. */
function isFormScript(code: string): boolean {
  return /^\s*(?:AF[A-Za-z_]+\s*\([^;(){}]*\)\s*;?\s*)+$/.test(code);
}

/** The decoded data of a stream, through its filters (Flate, ASCIIHex, ASCII85); throws on others. */
function decodeStream(raw: Buffer, dict: string, cap: number, inflate: Inflater): Buffer {
  const filterText = /\/Filter\s*(\[[^\]]*\]|\/[^\s/<>[\]()]+)/.exec(dict)?.[1] ?? '';
  const filters = filterText.match(/\/[^\s/<>[\]()]+/g) ?? [];
  if (/\/DecodeParms\s*(?:<<|\[)[^>\]]*\/Predictor\s+(?:[2-9]|1\d)/.test(dict)) throw new Error('PDF stream predictors not supported');
  let data = raw;
  for (const f of filters) {
    const name = f.slice(1);
    if (name === 'FlateDecode' || name === 'Fl') data = inflate(data, cap);
    else if (name === 'ASCIIHexDecode' || name === 'AHx') {
      const hex = data.toString('latin1').split('>')[0]!.replace(/[^0-9a-fA-F]/g, '');
      data = Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
    } else if (name === 'ASCII85Decode' || name === 'A85') data = ascii85(data);
    else throw new Error(`PDF filter ${name} not supported`);
    if (data.length > cap) throw new Error('PDF stream larger than the limit');
  }
  return data;
}

function ascii85(input: Buffer): Buffer {
  const text = input.toString('latin1').replace(/^\s*<~/, '').split('~>')[0]!.replace(/\s/g, '');
  const out: number[] = [];
  let group: number[] = [];
  const flush = (n: number) => {
    let v = 0;
    for (let k = 0; k < 5; k += 1) v = v * 85 + (group[k] ?? 84);
    for (let k = 0; k < n - 1; k += 1) out.push((v >>> (24 - 8 * k)) & 0xff);
  };
  for (const ch of text) {
    if (ch === 'z' && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    const c = ch.charCodeAt(0) - 33;
    if (c < 0 || c > 84) continue;
    group.push(c);
    if (group.length === 5) {
      flush(5);
      group = [];
    }
  }
  if (group.length) flush(group.length);
  return Buffer.from(out);
}

/** Default inflater: bounded, and tolerant of a truncated stream (what a reader shows, we inspect). */
export function boundedInflate(data: Buffer, cap: number): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: cap });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new Error('PDF stream larger than the limit');
    return inflateSync(data, { maxOutputLength: cap, finishFlush: 2 /* Z_SYNC_FLUSH */ });
  }
}

const OBJ = /(\d{1,10})\s+(\d{1,5})\s+obj\b/g;
/** An object worth a closer look: a key we act on, or a name with an escape that may hide one. */
const INTERESTING = /\/(?:S|JS|XFA|EF)(?![\w.-])|\/EmbeddedFile|#[0-9a-fA-F]{2}/;

/** Scan a whole PDF held in memory. `inflate` carries the caller's limits for embedded files. */
export function scanPdf(bytes: Buffer, inflate: Inflater = boundedInflate): PdfScan {
  const text = bytes.toString('latin1');
  const problems: string[] = [];
  const launches: string[] = [];
  const scriptRefs: number[] = [];
  const xfaRefs: number[] = [];
  const fileSpecs: { name: string; refs: number[] }[] = [];
  const embeddedTyped: number[] = [];
  const streams = new Map<number, StreamRef>();
  const objectStreams: StreamRef[] = [];
  let scripts = 0;
  let formScripts = 0;
  let xfaScript = false;

  const judgeScript = (code: string) => {
    if (isFormScript(code)) formScripts += 1;
    else scripts += 1;
  };
  const look = (objNum: number, raw: string) => {
    if (!INTERESTING.test(raw)) return;
    const dict = normaliseNames(raw);
    if (/\/S\s*\/Launch\b/.test(dict)) {
      const win = /\/Win\s*<<([\s\S]*?)>>/.exec(dict)?.[1];
      const target = (win ? valueOf(win, 'F')?.str : undefined) ?? valueOf(dict, 'F')?.str ?? '';
      const args = win ? (valueOf(win, 'P')?.str ?? '') : '';
      launches.push(`${target}${args ? ` ${args}` : ''}`.trim().slice(0, 200));
    }
    if (/\/S\s*\/JavaScript\b/.test(dict) || /\/JS(?![\w.#-])/.test(dict)) {
      // Every script of the object: a field's /AA holds one per event.
      let found = 0;
      for (const m of dict.matchAll(/\/JS(?![\w.#-])/g)) {
        if (++found > 100) break;
        const js = valueOf(dict.slice(m.index), 'JS');
        if (js?.str !== undefined) judgeScript(js.str);
        else if (js?.ref !== undefined) scriptRefs.push(js.ref);
      }
      if (!found) scripts += 1;
    }
    if (/\/XFA(?![\w.#-])/.test(dict)) {
      const at = dict.search(/\/XFA(?![\w.#-])/);
      const value = dict.slice(at + 4, at + 4 + 4000);
      const arr = /^\s*\[([^\]]*)\]/.exec(value)?.[1] ?? /^\s*\d+\s+\d+\s+R/.exec(value)?.[0] ?? '';
      for (const m of arr.matchAll(/(\d+)\s+\d+\s+R/g)) xfaRefs.push(Number(m[1]));
    }
    const ef = /\/EF\s*<<([\s\S]*?)>>/.exec(dict);
    if (ef) {
      const refs = [...ef[1]!.matchAll(/(\d+)\s+\d+\s+R/g)].map((m) => Number(m[1]));
      const rest = dict.slice(0, ef.index) + dict.slice(ef.index + ef[0].length);
      const name = valueOf(rest, 'UF')?.str ?? valueOf(rest, 'F')?.str ?? valueOf(rest, 'DOS')?.str ?? `embedded-${objNum}`;
      fileSpecs.push({ name: name.replace(/\0/g, '').slice(0, 255) || `embedded-${objNum}`, refs });
    }
    if (/\/Type\s*\/EmbeddedFile\b/.test(dict)) embeddedTyped.push(objNum);
  };

  // Searches ahead are asked for increasing positions: each keeps its last answer, so a file of a million
  // objects without an `endobj` or `endstream` is still scanned once, not once per object.
  const endobjAfter = finder(text, /endobj/g);
  const objectAfter = finder(text, /\d{1,10}\s+\d{1,5}\s+obj\b/g);
  const streamAfter = finder(text, /\bstream(?:\r\n|\n|\r)/g);
  const endstreamAfter = finder(text, /endstream/g);
  let objects = 0;
  OBJ.lastIndex = 0;
  for (let m = OBJ.exec(text); m; m = OBJ.exec(text)) {
    if (++objects > MAX_PDF_OBJECTS) {
      problems.push(`PDF with more than ${MAX_PDF_OBJECTS} objects not fully read`);
      break;
    }
    const objNum = Number(m[1]);
    const bodyStart = m.index + m[0].length;
    const endobj = endobjAfter(bodyStart);
    const nextObj = objectAfter(bodyStart);
    let bodyEnd = endobj ? endobj.index : text.length;
    const sm = streamAfter(bodyStart);
    if (sm && sm.index < bodyEnd && (!nextObj || sm.index < nextObj.index)) {
      const dict = text.slice(bodyStart, sm.index);
      const dataStart = sm.index + sm[0].length;
      const dataEnd = streamEnd(text, dict, dataStart, endstreamAfter);
      const ref: StreamRef = { dict: normaliseNames(dict), start: dataStart, end: dataEnd };
      streams.set(objNum, ref);
      if (/\/Type\s*\/ObjStm\b/.test(ref.dict)) objectStreams.push(ref);
      look(objNum, dict);
      bodyEnd = Math.min(endobjAfter(dataEnd)?.index ?? text.length, objectAfter(dataEnd)?.index ?? text.length);
    } else {
      if (nextObj && nextObj.index < bodyEnd) bodyEnd = nextObj.index;
      look(objNum, text.slice(bodyStart, bodyEnd));
    }
    OBJ.lastIndex = Math.max(bodyEnd, bodyStart);
  }
  // No objects: nothing a reader could run or extract either (a stub, or a broken file it will refuse).

  const encrypted = /\/Encrypt\s*(?:\d+\s+\d+\s+R|<<)/.test(text);
  // Objects inside compressed object streams: inflated once each (an /Extends loop is never followed).
  if (objectStreams.length > MAX_OBJECT_STREAMS) problems.push(`more than ${MAX_OBJECT_STREAMS} PDF object streams; not all read`);
  for (const os of objectStreams.slice(0, MAX_OBJECT_STREAMS)) {
    let data: Buffer;
    try {
      data = decodeStream(bytes.subarray(os.start, os.end), os.dict, MAX_METADATA_BYTES, boundedInflate);
    } catch (err) {
      // Strings and streams of an encrypted PDF (even one that opens without a password) are ciphertext:
      // the objects packed in its object streams cannot be seen without decrypting it, which we do not.
      problems.push(encrypted ? 'encrypted PDF: objects in its compressed object streams not read' : `PDF object stream unreadable (${(err as Error).message})`);
      continue;
    }
    const s = data.toString('latin1');
    const first = Number(/\/First\s+(\d+)/.exec(os.dict)?.[1] ?? -1);
    const header = first > 0 ? s.slice(0, first) : '';
    const pairs = [...header.matchAll(/(\d+)\s+(\d+)/g)].map((p) => [Number(p[1]), first + Number(p[2])] as const);
    if (!pairs.length) {
      look(-1, s);
      continue;
    }
    pairs.forEach(([num, at], k) => {
      if (++objects > MAX_PDF_OBJECTS) return;
      const end = k + 1 < pairs.length ? Math.max(at, pairs[k + 1]![1]) : s.length;
      look(num, s.slice(at, end));
    });
    if (objects > MAX_PDF_OBJECTS && !problems.some((p) => p.includes('objects not fully read'))) {
      problems.push(`PDF with more than ${MAX_PDF_OBJECTS} objects not fully read`);
    }
  }

  const streamText = (num: number): string | null => {
    const ref = streams.get(num);
    if (!ref) return null;
    try {
      return decodeText(decodeStream(bytes.subarray(ref.start, ref.end), ref.dict, MAX_METADATA_BYTES, boundedInflate));
    } catch (err) {
      problems.push(`PDF stream unreadable (${(err as Error).message})`);
      return null;
    }
  };
  for (const num of scriptRefs.slice(0, 1000)) {
    const code = streamText(num);
    if (code !== null) judgeScript(code);
    else scripts += 1;
  }
  for (const num of xfaRefs.slice(0, 100)) {
    if (/<script[\s>]/i.test(streamText(num) ?? '')) xfaScript = true;
  }

  // Embedded files: those a file specification names, then typed streams nothing names.
  const embedded: PdfEmbeddedFile[] = [];
  const done = new Set<number>();
  const extract = (num: number, name: string) => {
    if (done.has(num)) return;
    done.add(num);
    const ref = streams.get(num);
    if (!ref) {
      embedded.push({ name, unreadable: 'embedded file stream missing', compressedSize: 0 });
      return;
    }
    const raw = bytes.subarray(ref.start, ref.end);
    try {
      embedded.push({ name, bytes: decodeStream(raw, ref.dict, Number.MAX_SAFE_INTEGER, inflate), compressedSize: raw.length });
    } catch (err) {
      if ((err as Error).name === 'ArchiveLimitError') throw err;
      embedded.push({ name, unreadable: `embedded file unreadable (${(err as Error).message})`, compressedSize: raw.length });
    }
  };
  for (const spec of fileSpecs) for (const num of spec.refs) extract(num, spec.name);
  for (const num of embeddedTyped) extract(num, `embedded-${num}`);

  return { launches, scripts, formScripts, xfaScript, embedded, problems };
}

/** A search for `re` (global) at increasing positions, remembering its last answer. */
function finder(text: string, re: RegExp): (from: number) => RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  let searched = false;
  return (from) => {
    if (searched && (last === null || last.index >= from)) return last;
    re.lastIndex = from;
    last = re.exec(text);
    searched = true;
    return last;
  };
}

/** The end of a stream's data: by /Length when `endstream` follows there, else at the next `endstream`. */
function streamEnd(text: string, dict: string, start: number, endstreamAfter: (from: number) => RegExpExecArray | null): number {
  const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  if (length) {
    const end = start + Number(length[1]);
    if (end <= text.length && /^\s*endstream/.test(text.slice(end, end + 32))) return end;
  }
  const found = endstreamAfter(start);
  if (!found) return text.length;
  let end = found.index;
  if (text[end - 1] === '\n') end -= 1;
  if (text[end - 1] === '\r') end -= 1;
  return Math.max(start, end);
}
