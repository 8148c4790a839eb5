/**
 * Files written into text: uuencode (`begin 644 name` ... `end`, and GNU `begin-base64`) and yEnc
 * (`=ybegin ... =yend`). Outlook, Thunderbird and news readers show such a block as an attachment, so
 * its file is handed back to be inspected like an archive member. A block is only believed when its
 * lines are what the encoder writes (a sentence that mentions "begin 644" is prose); sizes the block
 * declares are never trusted, the output is never larger than the text it came from.
 */

export interface EncodedFile {
  readonly name: string;
  readonly bytes: Buffer;
  /** Why the file may be incomplete (a yEnc part of a multi-part post), or null. */
  readonly partial: string | null;
}

/** Blocks decoded per text item; more make the item unscannable. */
export const MAX_ENCODED_FILES = 20;

const UU_BEGIN = /^begin(-base64)? +[0-7]{3,4} +([^\r\n]{1,255}?)\r?$/gm;
const Y_BEGIN = /^=ybegin +([^\r\n]{0,1024}?)\r?$/gm;

/** Cheap test on the raw bytes before any decoding: may this text hold an encoded file? */
export function mayHoldEncodedFile(bytes: Buffer): boolean {
  if (bytes.indexOf('=ybegin ') >= 0) return true;
  // 'begin' at the start of a line followed by a mode: prose says "begin" often, rarely "begin 644"
  for (let at = bytes.indexOf('begin'); at >= 0; at = bytes.indexOf('begin', at + 5)) {
    if (at > 0 && bytes[at - 1] !== 0x0a) continue;
    const after = bytes.toString('latin1', at + 5, at + 20);
    if (/^(?:-base64)? +[0-7]{3}/.test(after)) return true;
  }
  return false;
}

export interface EncodedFiles {
  readonly files: readonly EncodedFile[];
  readonly reasons: readonly string[];
}

/** Every uuencoded and yEnc file in `text` (latin1: one character per byte). */
export function findEncodedFiles(text: string): EncodedFiles {
  const files: EncodedFile[] = [];
  const reasons = new Set<string>();
  const add = (file: EncodedFile | null): void => {
    if (!file) return;
    if (files.length >= MAX_ENCODED_FILES) reasons.add(`more than ${MAX_ENCODED_FILES} uuencoded or yEnc files in one text: the rest are not inspected`);
    else files.push(file);
  };
  for (const m of text.matchAll(UU_BEGIN)) add(m[1] ? base64Block(text, lineAfter(text, m), m[2]!) : uuBlock(text, lineAfter(text, m), m[2]!));
  for (const m of text.matchAll(Y_BEGIN)) {
    const file = yencBlock(text, lineAfter(text, m), m[1]!);
    if (file?.partial) reasons.add(file.partial);
    add(file);
  }
  return { files, reasons: [...reasons] };
}

function lineAfter(text: string, m: RegExpExecArray | RegExpMatchArray): number {
  const at = (m.index ?? 0) + m[0].length;
  return text.charCodeAt(at) === 0x0a ? at + 1 : at;
}

/** The lines from `from`, without their line ending, lazily. */
function* linesFrom(text: string, from: number): Generator<string> {
  let at = from;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl);
    yield line.endsWith('\r') ? line.slice(0, -1) : line;
    at = nl + 1;
  }
}

function uuBlock(text: string, from: number, name: string): EncodedFile | null {
  const chunks: Buffer[] = [];
  let dataLines = 0;
  for (const line of linesFrom(text, from)) {
    if (line === 'end') break;
    if (line === '' || line === '`' || line === ' ') {
      if (dataLines === 0) return null; // a file starts with data
      continue;
    }
    const decoded = uuLine(line);
    if (!decoded) {
      if (dataLines === 0) return null;
      break; // the block ended without 'end' (cut short): keep what was decoded
    }
    chunks.push(decoded);
    dataLines++;
  }
  if (dataLines === 0) return null;
  return { name: name.trim(), bytes: Buffer.concat(chunks), partial: null };
}

/** One uuencoded line, or null when it is not one (its length character must match its length). */
function uuLine(line: string): Buffer | null {
  const count = (line.charCodeAt(0) - 0x20) & 0x3f;
  if (count === 0) return null;
  const want = Math.ceil(count / 3) * 4;
  const body = line.slice(1);
  // encoders pad to a multiple of four and some add a checksum character; some strip trailing blanks
  if (body.length > want + 2 || body.length < want - 3) return null;
  const out = Buffer.alloc(Math.ceil(want / 4) * 3);
  let o = 0;
  for (let i = 0; i < want; i += 4) {
    const a = uuValue(body.charCodeAt(i));
    const b = uuValue(body.charCodeAt(i + 1));
    const c = uuValue(body.charCodeAt(i + 2));
    const d = uuValue(body.charCodeAt(i + 3));
    if ((a | b | c | d) < 0) return null;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 0x0f) << 4) | (c >> 2);
    out[o++] = ((c & 0x03) << 6) | d;
  }
  return out.subarray(0, count);
}

function uuValue(c: number): number {
  if (Number.isNaN(c)) return 0; // stripped trailing blank
  if (c < 0x20 || c > 0x60) return -1;
  return (c - 0x20) & 0x3f;
}

function base64Block(text: string, from: number, name: string): EncodedFile | null {
  const lines: string[] = [];
  for (const line of linesFrom(text, from)) {
    if (line === '====') break;
    if (!/^[A-Za-z0-9+/=]{1,100}$/.test(line)) {
      if (lines.length === 0) return null;
      break;
    }
    lines.push(line);
  }
  if (lines.length === 0) return null;
  return { name: name.trim(), bytes: Buffer.from(lines.join(''), 'base64'), partial: null };
}

function yencBlock(text: string, from: number, params: string): EncodedFile | null {
  const name = /(?:^| )name=(.*)$/.exec(params)?.[1]?.trim() ?? '';
  const part = /(?:^| )part=(\d{1,6})/.exec(params)?.[1];
  const total = /(?:^| )total=(\d{1,6})/.exec(params)?.[1];
  if (!/(?:^| )line=\d/.test(params) || !/(?:^| )size=\d/.test(params)) return null;
  let at = from;
  if (part !== undefined) {
    // the =ypart line follows
    const nl = text.indexOf('\n', at);
    if (!text.startsWith('=ypart ', at) || nl < 0) return null;
    at = nl + 1;
  }
  const end = text.indexOf('\n=yend', at - 1);
  const stop = end < 0 ? text.length : end;
  const out = Buffer.alloc(Math.max(0, stop - at));
  let o = 0;
  for (let i = at; i < stop; i++) {
    const c = text.charCodeAt(i) & 0xff;
    if (c === 0x0a || c === 0x0d) continue;
    if (c === 0x3d /* = */ && i + 1 < stop) {
      i++;
      out[o++] = (text.charCodeAt(i) - 64 - 42) & 0xff;
    } else {
      out[o++] = (c - 42) & 0xff;
    }
  }
  if (o === 0) return null;
  const many = (total !== undefined && total !== '1') || (part !== undefined && part !== '1' && total === undefined);
  const partial = many ? `yEnc file '${name.slice(0, 80)}' is one part of a multi-part post: the whole file cannot be reassembled here` : null;
  return { name: name || 'yenc-file', bytes: out.subarray(0, o), partial };
}
