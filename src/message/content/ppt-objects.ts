/**
 * OLE objects embedded in a PowerPoint 97-2003 file. PowerPoint keeps them inside its
 * `PowerPoint Document` stream, as top-level ExOleObjStg records ([MS-PPT] 2.10.34): the record's
 * body is a compound file holding the object (a packaged file, a workbook ...), zlib-compressed
 * when the record instance is 1 (then a 4-byte decompressed size comes first).
 * Only top-level record headers are read (persist objects are top-level); each record body is
 * read only when it is an object, and never above EMBEDDED_STORAGE_LIMIT.
 */
import { inflateSync } from 'node:zlib';
import type { FoundMember } from './members.js';
import { EMBEDDED_STORAGE_LIMIT, type ObjectView } from './cfb-view.js';

export const PPT_DOCUMENT = 'PowerPoint Document';
const EX_OLE_OBJ_STG = 0x1011;
/** Top-level records read at most (a large deck has a few thousand). */
const MAX_RECORDS = 100_000;

async function bytesAt(view: ObjectView, offset: number, length: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of view.chunks(PPT_DOCUMENT, offset, length)) parts.push(c);
  const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (out.length < length) throw new Error('PowerPoint record runs past its stream');
  return out;
}

/** The objects of the PowerPoint Document stream, as members (a bad record is an unreadable member). */
export async function* pptObjects(view: ObjectView): AsyncGenerator<FoundMember> {
  const size = view.size(PPT_DOCUMENT);
  if (size === null) return;
  let n = 0;
  for (let at = 0, records = 0; at + 8 <= size && records < MAX_RECORDS; records++) {
    const header = await bytesAt(view, at, 8);
    const instance = header.readUInt16LE(0) >> 4;
    const type = header.readUInt16LE(2);
    const length = header.readUInt32LE(4);
    const body = at + 8;
    at = body + length;
    if (type !== EX_OLE_OBJ_STG) continue;
    n += 1;
    const path = `${PPT_DOCUMENT}/object ${n}`;
    try {
      if (at > size) throw new Error(`object record claims ${length} bytes past the end of its stream`);
      if (length > EMBEDDED_STORAGE_LIMIT) throw new Error(`embedded object over ${EMBEDDED_STORAGE_LIMIT} bytes not opened`);
      const raw = await bytesAt(view, body, length);
      if (instance !== 1) {
        yield { path, source: [raw] };
        continue;
      }
      const declared = raw.length >= 4 ? raw.readUInt32LE(0) : 0;
      if (declared > EMBEDDED_STORAGE_LIMIT) throw new Error(`embedded object over ${EMBEDDED_STORAGE_LIMIT} bytes not opened`);
      yield { path, source: [inflateSync(raw.subarray(4), { maxOutputLength: Math.max(1, declared) })], compressedSize: length, declaredSize: declared };
    } catch (err) {
      yield { path, unreadable: `unreadable embedded object: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}
