/**
 * Objects embedded in a compound (OLE) file, as Office keeps them: Word's `ObjectPool/_<n>/`, Excel's
 * `MBD<n>/` storages, and the root of an `oleObject<n>.bin` inside an OOXML package. Each object is
 * one of:
 *  - `\x01Ole10Native`: a 4-byte size, then the native data. For the Packager (the "package" object
 *    Outlook and Word make when a file is dragged in), that data is a label, the source path, a temp
 *    path and the file itself ([MS-OLEDS] 2.3.6, and the Packager format as Windows writes it).
 *    Double-clicking it runs the file by the name it was packaged under.
 *  - `Package`: the bytes of an embedded OOXML file (an xlsx in a doc).
 *  - `CONTENTS`: the bytes of a foreign object (a PDF from Acrobat).
 *  - a storage that is itself a document (`WordDocument`, `Workbook` ...): copied out as a compound
 *    file of its own and analysed like any member, so its own objects are found there.
 *  - PowerPoint's objects, kept inside its document stream (see ppt-objects.ts).
 * Everything is bounded: header fields are checked against the stream they sit in, the copy of an
 * embedded storage has a size cap, and the caller's member sink counts members, bytes and depth.
 */
import * as CFB from 'cfb';
import { isExecutableName } from './executable-names.js';
import { EMBEDDED_STORAGE_LIMIT, type ObjectView } from './cfb-view.js';
import type { FoundMember, MemberSink } from './members.js';
import { PPT_DOCUMENT, pptObjects } from './ppt-objects.js';

/** Streams that mark a storage as a document of its own. */
const DOCUMENT_STREAMS = ['WordDocument', 'Workbook', 'Book', 'PowerPoint Document', 'VisioDocument'];
const OLE10_NATIVE = '\u0001ole10native';
/**
 * Equation Editor 3.0 data: Microsoft removed the editor in January 2018 because its parser was
 * exploited (CVE-2017-11882, CVE-2018-0802) by documents that still arrive today. We cannot say
 * whether its bytes are an equation or an exploit, so a person looks.
 */
const EQUATION_NATIVE = 'equation native';
/** Raw payload streams; only believed in a storage that says it holds an OLE object. */
const PAYLOAD_STREAMS = new Set(['package', 'contents']);
const OBJECT_MARKERS = new Set(['\u0001compobj', '\u0001ole']);

/** The Packager header (label, paths) is read from this many bytes at most. */
const NATIVE_HEADER_MAX = 64 * 1024;
const PACKAGER_EMBEDDED = 3;

function lastSegment(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function parentOf(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
}

/** A path as people read it: control characters (the \x01 of '\x01Ole10Native') dropped. */
function readable(path: string): string {
  return path.replace(/[\u0000-\u001f]/g, '');
}

/** Objects to take out of a compound file: document storages, and payload streams outside them. */
export function objectPaths(paths: readonly string[]): { storages: string[]; streams: string[] } {
  const set = new Set(paths);
  const lower = new Set(paths.map((p) => p.toLowerCase()));
  const storages = paths
    .filter((p) => p.endsWith('/') && DOCUMENT_STREAMS.some((s) => set.has(p + s)))
    .filter((p, _, all) => !all.some((q) => q !== p && p.startsWith(q)));
  const inStorage = (p: string) => storages.some((s) => p.startsWith(s));
  const streams = paths.filter((p) => {
    if (p.endsWith('/') || inStorage(p)) return false;
    const name = lastSegment(p).toLowerCase();
    if (name === OLE10_NATIVE || name === EQUATION_NATIVE) return true;
    const parent = parentOf(p).toLowerCase();
    return PAYLOAD_STREAMS.has(name) && [...OBJECT_MARKERS].some((m) => lower.has(parent + m));
  });
  return { storages, streams };
}

export interface PackagedFile {
  /** Where the file's bytes start in the Ole10Native stream, and how many there are. */
  readonly offset: number;
  readonly length: number;
  /** The name Windows would run it under, or null (raw native data). */
  readonly name: string | null;
}

function cString(buf: Buffer, at: number): { text: string; next: number } | null {
  const end = buf.indexOf(0, at);
  if (end < 0) return null;
  return { text: buf.toString('latin1', at, end), next: end + 1 };
}

function fileNameOf(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1).trim();
}

/**
 * Where the embedded file sits in an Ole10Native stream of `streamSize` bytes whose first bytes are
 * `head`. Throws with a plain reason when a length field points outside the stream.
 */
export function parseOle10Native(head: Buffer, streamSize: number): PackagedFile {
  if (head.length < 4) throw new Error('Ole10Native stream shorter than its size field');
  const nativeSize = head.readUInt32LE(0);
  if (nativeSize > streamSize - 4) {
    throw new Error(`Ole10Native claims ${nativeSize} bytes but its stream holds ${Math.max(0, streamSize - 4)}`);
  }
  const raw: PackagedFile = { offset: 4, length: nativeSize, name: null };
  // Packager: u16 2, label, source path, u16 flags, u16 type (3 = embedded file), u32 + temp path, u32 size, data.
  if (head.length < 6 || head.readUInt16LE(4) !== 2) return raw;
  const label = cString(head, 6);
  const source = label && cString(head, label.next);
  if (!label || !source || source.next + 8 > head.length) return raw;
  const type = head.readUInt16LE(source.next + 2);
  if (type !== PACKAGER_EMBEDDED) return raw;
  const tempLength = head.readUInt32LE(source.next + 4);
  const tempAt = source.next + 8;
  if (tempAt + tempLength + 4 > head.length) return raw;
  const temp = head.toString('latin1', tempAt, tempAt + tempLength).replace(/\0.*$/s, '');
  const dataAt = tempAt + tempLength + 4;
  const dataLength = head.readUInt32LE(tempAt + tempLength);
  if (dataAt + dataLength > 4 + nativeSize) {
    throw new Error(`packaged file claims ${dataLength} bytes but its object holds ${Math.max(0, 4 + nativeSize - dataAt)}`);
  }
  // The label is only what the icon says; the file keeps its own name, and Windows runs it by the
  // temp path's. Any of them that names a program is the one to judge.
  const names = [fileNameOf(source.text), fileNameOf(temp), fileNameOf(label.text)].filter((n) => n !== '');
  return { offset: dataAt, length: dataLength, name: names.find((n) => isExecutableName(n)) ?? names[0] ?? null };
}

/**
 * Takes `bytes` from the process-wide whole-read budget while a copy is held in memory; resolves
 * with the release (see whole-read-budget.ts).
 */
export type HoldMemory = (bytes: number) => Promise<() => void>;

/**
 * Every stream under `prefix`, copied into a compound file of its own (throws past the limit),
 * with the release of the memory it holds: call it when the copy has been analysed.
 */
async function storageAsFile(view: ObjectView, prefix: string, hold: HoldMemory): Promise<{ bytes: Buffer; release: () => void }> {
  const streams = view.paths.filter((p) => p.startsWith(prefix) && !p.endsWith('/'));
  const total = streams.reduce((n, p) => n + (view.size(p) ?? 0), 0);
  if (total > EMBEDDED_STORAGE_LIMIT) throw new Error(`embedded document over ${EMBEDDED_STORAGE_LIMIT} bytes not opened`);
  const release = await hold(2 * total);
  try {
    return { bytes: await copyStreams(view, prefix, streams), release };
  } catch (err) {
    release();
    throw err;
  }
}

async function copyStreams(view: ObjectView, prefix: string, streams: readonly string[]): Promise<Buffer> {
  const fresh = CFB.utils.cfb_new();
  for (const p of streams) {
    const size = view.size(p) ?? 0;
    const parts: Buffer[] = [];
    for await (const c of view.chunks(p, 0, size)) parts.push(c);
    // Directory names hold at most 31 characters; cfb would warn on the console about longer ones.
    const rel = p.slice(prefix.length).split('/').map((n) => n.slice(0, 31)).join('/');
    CFB.utils.cfb_add(fresh, rel, Buffer.concat(parts));
  }
  return Buffer.from(CFB.write(fresh, { type: 'buffer' }) as Uint8Array);
}

/** Sends every embedded object of the compound file to the sink. */
export async function expandObjects(view: ObjectView, sink: MemberSink, hold: HoldMemory): Promise<void> {
  const { storages, streams } = objectPaths(view.paths);
  if (view.paths.includes(PPT_DOCUMENT)) {
    for await (const member of pptObjects(view)) if ((await sink(member)) === 'stop') return;
  }
  for (const storage of storages) {
    const path = readable(storage.slice(0, -1)) || 'embedded document';
    let copy: { bytes: Buffer; release: () => void } | null = null;
    let member: FoundMember;
    try {
      copy = await storageAsFile(view, storage, hold);
      member = { path, source: [copy.bytes] };
    } catch (err) {
      member = { path, unreadable: err instanceof Error ? err.message : String(err) };
    }
    try {
      if ((await sink(member)) === 'stop') return;
    } finally {
      copy?.release();
    }
  }
  for (const stream of streams) {
    const size = view.size(stream) ?? 0;
    const where = readable(parentOf(stream));
    let member: FoundMember;
    if (lastSegment(stream).toLowerCase() === EQUATION_NATIVE) {
      member = { path: `${where}Equation Native`, unreadable: 'Equation Editor 3.0 object (removed by Microsoft in 2018 after exploits) not inspected' };
    } else if (lastSegment(stream).toLowerCase() === OLE10_NATIVE) {
      try {
        const head = (await view.stream(stream, NATIVE_HEADER_MAX)) ?? Buffer.alloc(0);
        const file = parseOle10Native(head, size);
        member = {
          path: `${where}${file.name ?? 'Ole10Native'}`,
          source: view.chunks(stream, file.offset, file.length),
          declaredSize: file.length,
        };
      } catch (err) {
        member = { path: `${where}Ole10Native`, unreadable: `unreadable embedded object: ${err instanceof Error ? err.message : String(err)}` };
      }
    } else {
      member = { path: `${where}${readable(lastSegment(stream))}`, source: view.chunks(stream, 0, size), declaredSize: size };
    }
    if ((await sink(member)) === 'stop') return;
  }
}
