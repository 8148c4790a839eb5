/**
 * The header and footer text of a Word 97-2003 document (.doc), where a protective marking is
 * typed: the header story (CPs ccpText + ccpFtn .. + ccpHdd) read through the piece table (Clx
 * in the 0Table / 1Table stream, MS-DOC 2.9.38). Compressed pieces are 8-bit (cp1252), others
 * UTF-16LE. Bounded: the streams are read up to the caps the caller gives, at most MAX_CHARS
 * characters and MAX_PIECES pieces; anything inconsistent ends the read with what was found.
 */

const FIB_WHICH_TABLE = 0x0200;
const MAX_CHARS = 64 * 1024;
const MAX_PIECES = 10_000;

/** The FIB fields we need, or null when the FIB is not a Word 97+ one or is too short. */
function fibFields(fib: Buffer): { table: '0Table' | '1Table'; hdStart: number; hdLength: number; fcClx: number; lcbClx: number } | null {
  if (fib.length < 34 || fib.readUInt16LE(0) !== 0xa5ec) return null;
  const csw = fib.readUInt16LE(32);
  const lwAt = 34 + csw * 2;
  if (lwAt + 2 > fib.length) return null;
  const cslw = fib.readUInt16LE(lwAt);
  const lw = lwAt + 2;
  if (cslw < 6 || lw + 24 > fib.length) return null;
  const ccpText = fib.readInt32LE(lw + 12);
  const ccpFtn = fib.readInt32LE(lw + 16);
  const ccpHdd = fib.readInt32LE(lw + 20);
  const blob = lw + cslw * 4 + 2;
  const clxAt = blob + 33 * 8;
  if (clxAt + 8 > fib.length || ccpText < 0 || ccpFtn < 0 || ccpHdd <= 0) return null;
  return {
    table: (fib.readUInt16LE(0x0a) & FIB_WHICH_TABLE) !== 0 ? '1Table' : '0Table',
    hdStart: ccpText + ccpFtn,
    hdLength: Math.min(ccpHdd, MAX_CHARS),
    fcClx: fib.readUInt32LE(clxAt),
    lcbClx: fib.readUInt32LE(clxAt + 4),
  };
}

/** The PlcPcd of a Clx: skip Prc entries (0x01), find the Pcdt (0x02). */
function pieceTable(clx: Buffer): Buffer | null {
  let at = 0;
  for (let i = 0; i < 10_000 && at < clx.length; i += 1) {
    if (clx[at] === 0x01 && at + 3 <= clx.length) at += 3 + clx.readInt16LE(at + 1);
    else if (clx[at] === 0x02 && at + 5 <= clx.length) {
      const lcb = clx.readUInt32LE(at + 1);
      return clx.subarray(at + 5, Math.min(at + 5 + lcb, clx.length));
    } else return null;
  }
  return null;
}

function cp1252(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** Header story text of a .doc, '' when it has none or it cannot be read. Word marks ends of paragraphs with '\r'. */
export function wordBinaryHeaderText(wordDocument: Buffer | null, tableStream: (name: '0Table' | '1Table') => Buffer | null): string {
  if (!wordDocument) return '';
  const fib = fibFields(wordDocument);
  if (!fib) return '';
  const table = tableStream(fib.table);
  if (!table || fib.fcClx + fib.lcbClx > table.length || fib.lcbClx < 5) return '';
  const plc = pieceTable(table.subarray(fib.fcClx, fib.fcClx + fib.lcbClx));
  if (!plc || plc.length < 16) return '';
  const n = Math.min(Math.floor((plc.length - 4) / 12), MAX_PIECES);
  const from = fib.hdStart;
  const to = fib.hdStart + fib.hdLength;
  const out: string[] = [];
  let chars = 0;
  for (let i = 0; i < n && chars < MAX_CHARS; i += 1) {
    const cpStart = plc.readUInt32LE(i * 4);
    const cpEnd = plc.readUInt32LE((i + 1) * 4);
    // CPs only grow in a real piece table: a hostile one cannot make pieces overlap the story many times.
    if (cpEnd < cpStart) break;
    if (cpEnd <= from || cpStart >= to || cpEnd === cpStart) continue;
    const pcd = 4 * (n + 1) + i * 8;
    if (pcd + 6 > plc.length) break;
    const raw = plc.readUInt32LE(pcd + 2);
    const compressed = (raw & 0x40000000) !== 0;
    const fc = raw & 0x3fffffff;
    const a = Math.max(cpStart, from) - cpStart;
    const b = Math.min(cpEnd, to) - cpStart;
    const start = compressed ? fc / 2 + a : fc + a * 2;
    const end = compressed ? fc / 2 + b : fc + b * 2;
    if (end > wordDocument.length) break;
    const piece = compressed ? cp1252(wordDocument.subarray(start, end)) : wordDocument.toString('utf16le', start, end);
    out.push(piece);
    chars += piece.length;
  }
  // Paragraph and cell marks become lines; field codes' markers and other controls go.
  return out.join('').replace(/[\r\u0007\u000b\u000c]/g, '\n').replace(/[\u0000-\u0008\u000e-\u001f]/g, '');
}
