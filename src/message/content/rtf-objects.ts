/**
 * OLE objects embedded in RTF: Word opens `{\object ... {\*\objdata <hex>}}` and hands the bytes
 * to the object's server, so a packaged program, a compound file or an Equation Editor exploit
 * can ride in a file that looks like text. The hex is an OLE 1.0 ObjectHeader ([MS-OLEDS] 2.2):
 * version, format id (2 = embedded), class name, topic, item, then the native data; for the
 * `Package` class that data is the Packager's (label, paths, the file).
 *
 * Word's reader is lax: it skips white space and control words inside the hex, so we do the same.
 * Bounded: at most MAX_OBJECTS objects, and the hex of one object never beyond the file.
 */
import type { FoundMember } from './members.js';
import { parseOle10Native } from './ole-objects.js';

const MAX_OBJECTS = 1000;
const FORMAT_EMBEDDED = 2;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/**
 * Walks one \objdata group from `at` (just after the keyword) to its closing brace, giving each
 * hex digit outside nested groups to `digit`; returns where the group ends.
 */
function walkObjdata(rtf: Buffer, at: number, digit: (v: number) => void): number {
  let depth = 0;
  let i = at;
  for (; i < rtf.length; i++) {
    const c = rtf[i]!;
    if (c === 0x7d) {
      if (depth === 0) break;
      depth--;
    } else if (c === 0x7b) depth++;
    else if (c === 0x5c) {
      // A control word (letters, optional number, optional space) or symbol: skipped, as Word does.
      let j = i + 1;
      while (j < rtf.length && (rtf[j]! | 0x20) >= 0x61 && (rtf[j]! | 0x20) <= 0x7a) j++;
      if (j === i + 1) j++;
      else {
        if (rtf[j] === 0x2d) j++;
        while (j < rtf.length && rtf[j]! >= 0x30 && rtf[j]! <= 0x39) j++;
        if (rtf[j] === 0x20) j++;
      }
      i = j - 1;
    } else if (depth === 0) {
      const v = hexValue(c);
      if (v >= 0) digit(v);
    }
  }
  return i;
}

/** The bytes of one \objdata group, and where it ends (two passes: count, then decode). */
function objdataBytes(rtf: Buffer, at: number): { bytes: Buffer; end: number } {
  let digits = 0;
  const end = walkObjdata(rtf, at, () => {
    digits++;
  });
  const out = Buffer.alloc(digits >> 1);
  let n = 0;
  let high = -1;
  walkObjdata(rtf, at, (v) => {
    if (high < 0) high = v;
    else {
      if (n < out.length) out[n++] = (high << 4) | v;
      high = -1;
    }
  });
  return { bytes: out, end };
}

function lengthPrefixed(buf: Buffer, at: number): { text: string; next: number } {
  if (at + 4 > buf.length) throw new Error('object header cut short');
  const len = buf.readUInt32LE(at);
  if (at + 4 + len > buf.length) throw new Error(`object header field claims ${len} bytes past its end`);
  return { text: buf.toString('latin1', at + 4, at + 4 + len).replace(/\0.*$/s, ''), next: at + 4 + len };
}

/** The file an OLE 1.0 object carries, as a member (or why it cannot be had). */
export function oleObjectMember(data: Buffer, index: number): FoundMember {
  const path = `object ${index}`;
  try {
    if (data.length < 8) throw new Error('object header cut short');
    const format = data.readUInt32LE(4);
    if (format !== FORMAT_EMBEDDED) return { path, unreadable: `RTF object of format ${format} (linked or unknown) not inspected` };
    const className = lengthPrefixed(data, 8);
    const topic = lengthPrefixed(data, className.next);
    const item = lengthPrefixed(data, topic.next);
    if (item.next + 4 > data.length) throw new Error('object header cut short');
    const size = data.readUInt32LE(item.next);
    const nativeAt = item.next + 4;
    if (nativeAt + size > data.length) throw new Error(`native data claims ${size} bytes but the object holds ${data.length - nativeAt}`);
    const native = data.subarray(nativeAt, nativeAt + size);
    const cls = className.text.trim();
    if (/^equation\.3/i.test(cls)) {
      return { path: `${path} (${cls})`, unreadable: 'Equation Editor 3.0 object (removed by Microsoft in 2018 after exploits) not inspected' };
    }
    if (cls.toLowerCase() === 'package') {
      // The Packager's data is what an Ole10Native stream holds after its 4-byte size.
      const sized = Buffer.concat([Buffer.alloc(4), native]);
      sized.writeUInt32LE(native.length, 0);
      const file = parseOle10Native(sized, sized.length);
      const name = file.name ?? `${path}.bin`;
      return { path: `${path}/${name}`, source: [sized.subarray(file.offset, file.offset + file.length)], declaredSize: file.length };
    }
    // Other servers' native data: often a compound file (a Word or Excel object); analysed as it is.
    return { path: `${path} (${cls.replace(/[^\w.-]/g, '') || 'unnamed class'})`, source: [native], declaredSize: size };
  } catch (err) {
    return { path, unreadable: `unreadable RTF object: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Every embedded object of an RTF document, as members. */
export function* rtfObjects(rtf: Buffer): Generator<FoundMember> {
  const keyword = Buffer.from('\\objdata', 'latin1');
  let index = 0;
  let at = rtf.indexOf(keyword);
  for (; at >= 0 && index < MAX_OBJECTS; at = rtf.indexOf(keyword, at + 1)) {
    const after = at + keyword.length;
    // \objdata, not \objdatafoo.
    if (after < rtf.length && (rtf[after]! | 0x20) >= 0x61 && (rtf[after]! | 0x20) <= 0x7a) continue;
    const { bytes, end } = objdataBytes(rtf, after);
    index += 1;
    yield oleObjectMember(bytes, index);
    at = end;
  }
  // More objects than we open: say so rather than pass the rest unseen.
  if (at >= 0) yield { path: `object ${index + 1}`, unreadable: `more than ${MAX_OBJECTS} objects in one RTF file` };
}
