/**
 * Embedded objects as Office writes them, and the Office files that carry them: the Packager's
 * \x01Ole10Native stream (a file dragged into a document), OLE objects holding an OOXML `Package`,
 * Word's ObjectPool storages, a minimal pptx, and OpenDocument text with pictures, objects and Basic.
 */
import { deflateSync } from 'node:zlib';
import { u16le, u32le } from './bytes.js';
import { cfbFile, compObj, type Streams } from './cfb-files.js';
import { zipBuffer, type ZipEntry } from './zip.js';

export interface PackagedFile {
  /** What the icon says (Windows shows it under the object). */
  readonly label: string;
  /** The file's own path when it was packaged; Windows runs the file by this name. */
  readonly sourcePath: string;
  readonly data: Buffer;
}

const z = (s: string) => Buffer.from(`${s}\0`, 'latin1');

/** The Packager's \x01Ole10Native stream: size, then label, source path, temp path and the file. */
export function ole10Native(f: PackagedFile): Buffer {
  const temp = z(`C:\\Users\\ATURNE~1\\AppData\\Local\\Temp\\${f.sourcePath.slice(f.sourcePath.lastIndexOf('\\') + 1)}`);
  const native = Buffer.concat([
    u16le(2), z(f.label), z(f.sourcePath), u16le(0), u16le(3), u32le(temp.length), temp, u32le(f.data.length), f.data,
  ]);
  return Buffer.concat([u32le(native.length), native]);
}

/** The streams of an OLE object storage (under `prefix`) holding a packaged file. */
export function packagerStreams(prefix: string, f: PackagedFile): Streams {
  return [
    [`${prefix}\u0001Ole10Native`, ole10Native(f)],
    [`${prefix}\u0001CompObj`, compObj('OLE Package', 'Package', 'Package')],
    [`${prefix}\u0003ObjInfo`, Buffer.from([0x40, 0x00, 0x03, 0x00, 0x01, 0x00])],
  ];
}

/** `word/embeddings/oleObject1.bin` holding a packaged file. */
export function packagerObjectBin(f: PackagedFile): Buffer {
  return cfbFile(null, packagerStreams('', f));
}

/** An OLE object holding an OOXML file in its `Package` stream (how Office 2007+ embeds one in a .doc). */
export function packageObjectBin(file: Buffer, progId = 'Excel.Sheet.12'): Buffer {
  return cfbFile(null, [
    ['Package', file],
    ['\u0001CompObj', compObj('Microsoft Excel Worksheet', 'Biff12', progId)],
  ]);
}

/** Word's ObjectPool storage for one object, named like Word names them (_ + a timestamp). */
export function objectPool(id: number, streams: (prefix: string) => Streams): Streams {
  return streams(`ObjectPool/_${1_493_700_000 + id}/`);
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n';

/** A PowerPoint presentation with one slide. */
export async function pptx(title: string, extra: readonly ZipEntry[] = []): Promise<Buffer> {
  const p = 'http://schemas.openxmlformats.org/presentationml/2006/main';
  return zipBuffer([
    {
      path: '[Content_Types].xml',
      data: Buffer.from(
        `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/><Override PartName="/ppt/slides/slide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/></Types>`,
      ),
    },
    {
      path: '_rels/.rels',
      data: Buffer.from(`${XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>`),
    },
    { path: 'ppt/presentation.xml', data: Buffer.from(`${XML_DECL}<p:presentation xmlns:p="${p}"><p:sldIdLst><p:sldId id="256"/></p:sldIdLst></p:presentation>`) },
    { path: 'ppt/slides/slide1.xml', data: Buffer.from(`${XML_DECL}<p:sld xmlns:p="${p}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${title}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`) },
    ...extra,
  ]);
}

export interface OdtOptions {
  readonly paragraphs: readonly string[];
  /** Pictures/<name> entries. */
  readonly pictures?: ReadonlyArray<readonly [name: string, data: Buffer]>;
  /** Top-level `Object N` entries (a foreign OLE object is kept as a compound file). */
  readonly objects?: ReadonlyArray<readonly [name: string, data: Buffer]>;
  /** A Basic macro library. */
  readonly basic?: string;
}

/** An OpenDocument text: `mimetype` first and stored, META-INF/manifest.xml, content.xml. */
export async function odt(o: OdtOptions): Promise<Buffer> {
  const office = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"';
  const files: ZipEntry[] = [
    { path: 'content.xml', data: Buffer.from(`${XML_DECL}<office:document-content ${office} office:version="1.3"><office:body><office:text>${o.paragraphs.map((t) => `<text:p>${t}</text:p>`).join('')}</office:text></office:body></office:document-content>`) },
    { path: 'styles.xml', data: Buffer.from(`${XML_DECL}<office:document-styles ${office} office:version="1.3"/>`) },
    { path: 'meta.xml', data: Buffer.from(`${XML_DECL}<office:document-meta ${office} office:version="1.3"/>`) },
    ...(o.pictures ?? []).map(([name, data]) => ({ path: `Pictures/${name}`, data, store: true })),
    ...(o.objects ?? []).map(([name, data]) => ({ path: name, data })),
    ...(o.basic ? [{ path: 'Basic/Standard/Module1.xml', data: Buffer.from(`${XML_DECL}<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">${o.basic}</script:module>`) }] : []),
  ];
  const manifest = `${XML_DECL}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>${files.map((f) => `<manifest:file-entry manifest:full-path="${f.path}" manifest:media-type=""/>`).join('')}</manifest:manifest>`;
  return zipBuffer([
    { path: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text'), store: true },
    { path: 'META-INF/manifest.xml', data: Buffer.from(manifest) },
    ...files,
  ]);
}

/** A PowerPoint 97-2003 file whose document stream holds these OLE objects as compressed ExOleObjStg records. */
export function legacyPpt(objects: readonly Buffer[]): Buffer {
  const record = (verInst: number, type: number, body: Buffer) => Buffer.concat([u16le(verInst), u16le(type), u32le(body.length), body]);
  const documentAtom = record(0x0001, 0x03e9, Buffer.alloc(40));
  const stream = Buffer.concat([
    record(0x000f, 0x03e8, documentAtom), // DocumentContainer
    ...objects.map((o) => record(0x0010, 0x1011, Buffer.concat([u32le(o.length), deflateSync(o)]))),
  ]);
  return cfbFile(null, [
    ['PowerPoint Document', stream],
    ['Current User', Buffer.alloc(32)],
    ['\u0001CompObj', compObj('Microsoft Office PowerPoint Presentation', 'PowerPoint 97-2003', 'PowerPoint.Show.8')],
  ]);
}

/** An OLE 1.0 ObjectHeader with embedded native data, as RTF's \objdata carries it. */
export function ole1Object(className: string, native: Buffer): Buffer {
  const lp = (s: string) => Buffer.concat([u32le(s.length + 1), Buffer.from(`${s}\0`, 'latin1')]);
  return Buffer.concat([u32le(0x0501), u32le(2), lp(className), lp(''), lp(''), u32le(native.length), native]);
}

/** An RTF document with these objects (class, native data), hex in lines of 128 as Word writes it. */
export function rtfWithObjects(text: string, objects: ReadonlyArray<readonly [className: string, native: Buffer]>): Buffer {
  const hex = (b: Buffer) => b.toString('hex').replace(/.{128}/g, '$&\r\n');
  const body = objects
    .map(([cls, native]) => `{\\object\\objemb\\objw1440\\objh960{\\*\\objclass ${cls}}{\\*\\objdata \r\n${hex(ole1Object(cls, native))}\r\n}{\\result {\\pict\\wmetafile8 0100}}}`)
    .join('\r\n');
  return Buffer.from(`{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\f0\\fs22 ${text}\\par\r\n${body}\r\n}`, 'latin1');
}

/** The Packager's native data for a file (an Ole10Native stream without its 4-byte size). */
export function packagerNative(f: PackagedFile): Buffer {
  return ole10Native(f).subarray(4);
}
