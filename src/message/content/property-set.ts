/**
 * OLE property sets ([MS-OLEPS]) as found in the \u0005DocumentSummaryInformation stream of .doc/.xls/.ppt:
 * only the user-defined (custom) properties with string or boolean values, which is where Purview
 * (MSIP_Label_*) and classification tools put a document's marking. Every read is bounds-checked; a
 * malformed stream yields what was read so far.
 */
import iconv from 'iconv-lite';

const VT_I2 = 0x02;
const VT_I4 = 0x03;
const VT_BOOL = 0x0b;
const VT_LPSTR = 0x1e;
const VT_LPWSTR = 0x1f;
const CP_UTF16 = 1200;
const MAX_PROPERTIES = 1000;
const MAX_STRING = 4096;

function decode8(bytes: Buffer, codepage: number): string {
  const enc = codepage === 65001 ? 'utf8' : `cp${codepage}`;
  const text = iconv.encodingExists(enc) ? iconv.decode(bytes, enc) : bytes.toString('latin1');
  return text.replace(/\0+$/, '');
}

/** Custom properties as [name, value] pairs (booleans as 'true'/'false', integers as digits). */
export function customProperties(stream: Buffer): [string, string][] {
  const out: [string, string][] = [];
  try {
    if (stream.length < 28 || stream.readUInt16LE(0) !== 0xfffe) return out;
    const sets = Math.min(stream.readUInt32LE(24), 4);
    for (let s = 0; s < sets; s += 1) {
      const at = 28 + s * 20;
      if (at + 20 > stream.length) break;
      readSection(stream, stream.readUInt32LE(at + 16), out);
    }
  } catch {
    // RangeError from a lying offset: keep what was read.
  }
  return out;
}

function readSection(buf: Buffer, start: number, out: [string, string][]): void {
  if (start + 8 > buf.length) return;
  const size = buf.readUInt32LE(start);
  const end = Math.min(buf.length, start + size);
  const count = Math.min(buf.readUInt32LE(start + 4), MAX_PROPERTIES);
  const offsets = new Map<number, number>();
  for (let i = 0; i < count; i += 1) {
    const at = start + 8 + i * 8;
    if (at + 8 > end) break;
    offsets.set(buf.readUInt32LE(at), start + buf.readUInt32LE(at + 4));
  }
  const dictAt = offsets.get(0);
  if (dictAt === undefined) return; // no names: not the user-defined section
  let codepage = 1252;
  const cpAt = offsets.get(1);
  if (cpAt !== undefined && cpAt + 6 <= end && buf.readUInt16LE(cpAt) === VT_I2) codepage = buf.readUInt16LE(cpAt + 4);
  const names = readDictionary(buf, dictAt, end, codepage);
  for (const [id, name] of names) {
    const at = offsets.get(id);
    if (at === undefined || at + 4 > end) continue;
    const value = readValue(buf, at, end, codepage);
    if (value !== null) out.push([name, value]);
  }
}

function readDictionary(buf: Buffer, at: number, end: number, codepage: number): Map<number, string> {
  const names = new Map<number, string>();
  if (at + 4 > end) return names;
  const entries = Math.min(buf.readUInt32LE(at), MAX_PROPERTIES);
  let p = at + 4;
  for (let i = 0; i < entries && p + 8 <= end; i += 1) {
    const id = buf.readUInt32LE(p);
    const chars = buf.readUInt32LE(p + 4);
    p += 8;
    const bytes = codepage === CP_UTF16 ? chars * 2 : chars;
    if (bytes > MAX_STRING || p + bytes > end) break;
    const name =
      codepage === CP_UTF16 ? buf.toString('utf16le', p, p + bytes).replace(/\0+$/, '') : decode8(buf.subarray(p, p + bytes), codepage);
    names.set(id, name);
    p += bytes;
    if (codepage === CP_UTF16) p += (4 - (bytes % 4)) % 4;
  }
  return names;
}

function readValue(buf: Buffer, at: number, end: number, codepage: number): string | null {
  const type = buf.readUInt16LE(at);
  const v = at + 4;
  if (type === VT_BOOL && v + 2 <= end) return buf.readUInt16LE(v) ? 'true' : 'false';
  if (type === VT_I4 && v + 4 <= end) return String(buf.readInt32LE(v));
  if ((type === VT_LPSTR || type === VT_LPWSTR) && v + 4 <= end) {
    const n = buf.readUInt32LE(v);
    const bytes = type === VT_LPWSTR ? n * 2 : n;
    if (bytes > MAX_STRING || v + 4 + bytes > end) return null;
    const raw = buf.subarray(v + 4, v + 4 + bytes);
    if (type === VT_LPWSTR || codepage === CP_UTF16) return raw.toString('utf16le').replace(/\0+$/, '');
    return decode8(raw, codepage);
  }
  return null;
}
