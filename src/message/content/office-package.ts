/**
 * The members of a zip-based Office file (OOXML, OpenDocument): a document is a container, and what
 * sits in it is looked at like an archive member. Embedded objects (`word/embeddings/oleObject1.bin`,
 * an xlsx in `xl/embeddings/`, ODF's `Object 1`), media (`word/media/`, ODF's `Pictures/`) and
 * anything else a package holds go through the member sink; the package's own XML parts
 * (`*.xml`, `*.rels`) are only checked to be XML, which costs a few bytes each.
 *
 * What is listed: a member whose bytes are more than a part (a program, an archive, an Office file,
 * a PDF, an image or sound or video, anything unscannable). What is looked at but not listed: parts
 * of unknown or text type (fonts, printer settings, a VBA project: the document's macro flag speaks
 * for it), OLE wrappers whose embedded file is listed instead, and the previews Office draws itself
 * (thumbnails, ODF object replacements).
 */
import type { Readable } from 'node:stream';
import type { ContentReport } from './analysis-work.js';
import { ArchiveLimitError } from './archive-limits.js';
import { expandZip } from './archive-zip.js';
import type { MemberSink } from './members.js';
import type { ZipEntryInfo, ZipHandle } from './zip-file.js';

/** Package XML parts, and how many of them a package may have (a docx has tens, a large xlsx hundreds). */
const XML_PART = /\.(?:xml|rels|vml)$|^mimetype$/i;
export const MAX_PACKAGE_PARTS = 10_000;
/** Parts up to this size are read whole to check their first bytes (one synchronous inflate). */
const SMALL_PART = 256 * 1024;

/** Pictures Office makes of the document or of an object: not something the sender attached. */
const PREVIEW = /^(?:docProps\/thumbnail\.[a-z]+|Thumbnails\/[^/]+|ObjectReplacements\/[^/]+)$/i;

/** True when the member is itself listed (see the file comment). */
export function listedPackageMember(path: string, report: ContentReport): boolean {
  const { family } = report.detected;
  if (report.unscannable !== null) return true;
  if (family === 'unknown' || family === 'text') return false;
  return !(family === 'image' && PREVIEW.test(path));
}

async function firstBytes(zip: ZipHandle, entry: ZipEntryInfo): Promise<Buffer | null> {
  if (entry.declaredSize <= SMALL_PART) return zip.read(entry, SMALL_PART);
  let stream: Readable | undefined;
  try {
    stream = await zip.stream(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) return chunk;
    return Buffer.alloc(0);
  } catch {
    return null;
  } finally {
    stream?.destroy();
  }
}

/** Markup, by its first bytes: a byte-order mark or white space, then '<'. */
export function looksLikeMarkup(head: Buffer): boolean {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true;
  let i = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (head[i] !== 0x3c) return false;
  return !head.subarray(i, i + 256).includes(0);
}

/** `mimetype` holds a media type, not markup. */
function isPlainPart(entry: ZipEntryInfo, head: Buffer): boolean {
  if (entry.name.toLowerCase() === 'mimetype') return head.length < 256 && /^[\x20-\x7e]*$/.test(head.toString('latin1'));
  return looksLikeMarkup(head);
}

/** The package's members that are not plain XML parts, each to the sink. */
export async function expandPackage(zip: ZipHandle, sink: MemberSink, signal?: AbortSignal): Promise<void> {
  const rest: ZipEntryInfo[] = [];
  let parts = 0;
  for (const entry of zip.entries) {
    if (entry.isDirectory) continue;
    if (XML_PART.test(entry.name) && !entry.encrypted) {
      signal?.throwIfAborted();
      const head = await firstBytes(zip, entry);
      if (head && isPlainPart(entry, head)) {
        parts += 1;
        if (parts > MAX_PACKAGE_PARTS) throw new ArchiveLimitError(`more than ${MAX_PACKAGE_PARTS} parts in an Office file`);
        continue;
      }
    }
    rest.push(entry);
  }
  for (const entry of rest) {
    // A small member is read in one step (a stream per member costs more than the member);
    // one whose bytes do not fit, or cannot be had, goes the ordinary way, which says why.
    const small = !entry.encrypted && (entry.compressionMethod === 0 || entry.compressionMethod === 8) && entry.declaredSize < SMALL_PART;
    const bytes = small ? await zip.read(entry, SMALL_PART) : null;
    const verdict =
      bytes && bytes.length < SMALL_PART
        ? await sink({ path: entry.name, source: [bytes], compressedSize: entry.compressedSize, declaredSize: entry.declaredSize })
        : await expandOne(zip, entry, sink);
    if (verdict === 'stop') return;
  }
}

async function expandOne(zip: ZipHandle, entry: ZipEntryInfo, sink: MemberSink): Promise<'continue' | 'stop'> {
  let verdict: 'continue' | 'stop' = 'continue';
  await expandZip({ ...zip, entries: [entry] }, async (member) => (verdict = await sink(member)));
  return verdict;
}

/** Members that are not XML parts by name: only these need the depth to open. */
export function hasNonPartMembers(zip: ZipHandle): boolean {
  return zip.entries.some((e) => !e.isDirectory && !XML_PART.test(e.name));
}
