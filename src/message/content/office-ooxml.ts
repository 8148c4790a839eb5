/**
 * Zip-based documents and packages: OOXML (docx/docm/xlsx/xlsm/pptx ...), OpenDocument, and zips that are
 * really programs (jar, apk, msix, vsix). For OOXML: macros (vbaProject.bin, XLM macro sheets, macro-enabled
 * main part) and the labels that carry a protective marking (docProps/custom.xml, docMetadata/LabelInfo.xml,
 * the text of Word headers and footers).
 */
import type { Policy } from '../../config/policy-schema.js';
import { levelForPurviewLabel, markingInValue, markingsInMsipProperties } from '../markings.js';
import type { MarkingHit, TypeFamily } from '../model.js';
import { documentTextMarkings } from './office-marking-text.js';
import { attr, decodeEntities, scanXml } from './office-xml.js';
import type { ZipEntryInfo, ZipHandle } from './zip-file.js';

export interface ZipKind {
  readonly mime: string;
  readonly ext: string;
  readonly family: TypeFamily;
  /** 'document': an Office/ODF file (inspected, members opened as a package, see office-package.ts); 'program'; 'archive': open members. */
  readonly role: 'document' | 'program' | 'archive';
}

const PART_CAP = 1024 * 1024;

/** Main part content type (lower-case, without '+xml'/'main') -> type. */
const OOXML_MAIN: readonly [string, string, TypeFamily, string][] = [
  ['ms-word.document.macroenabled.main', 'docm', 'word', 'application/vnd.ms-word.document.macroenabled.12'],
  ['ms-word.template.macroenabledtemplate.main', 'dotm', 'word', 'application/vnd.ms-word.template.macroenabled.12'],
  ['wordprocessingml.template.main', 'dotx', 'word', 'application/vnd.openxmlformats-officedocument.wordprocessingml.template'],
  ['wordprocessingml.document.main', 'docx', 'word', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['ms-excel.sheet.macroenabled.main', 'xlsm', 'excel', 'application/vnd.ms-excel.sheet.macroenabled.12'],
  ['ms-excel.template.macroenabled.main', 'xltm', 'excel', 'application/vnd.ms-excel.template.macroenabled.12'],
  ['ms-excel.addin.macroenabled.main', 'xlam', 'excel', 'application/vnd.ms-excel.addin.macroenabled.12'],
  ['ms-excel.sheet.binary.macroenabled.main', 'xlsb', 'excel', 'application/vnd.ms-excel.sheet.binary.macroenabled.12'],
  ['spreadsheetml.template.main', 'xltx', 'excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.template'],
  ['spreadsheetml.sheet.main', 'xlsx', 'excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ms-powerpoint.presentation.macroenabled.main', 'pptm', 'office-other', 'application/vnd.ms-powerpoint.presentation.macroenabled.12'],
  ['ms-powerpoint.slideshow.macroenabled.main', 'ppsm', 'office-other', 'application/vnd.ms-powerpoint.slideshow.macroenabled.12'],
  ['ms-powerpoint.template.macroenabled.main', 'potm', 'office-other', 'application/vnd.ms-powerpoint.template.macroenabled.12'],
  ['ms-powerpoint.addin.macroenabled.main', 'ppam', 'office-other', 'application/vnd.ms-powerpoint.addin.macroenabled.12'],
  ['presentationml.slideshow.main', 'ppsx', 'office-other', 'application/vnd.openxmlformats-officedocument.presentationml.slideshow'],
  ['presentationml.template.main', 'potx', 'office-other', 'application/vnd.openxmlformats-officedocument.presentationml.template'],
  ['presentationml.presentation.main', 'pptx', 'office-other', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  ['ms-visio.drawing.macroenabled.main', 'vsdm', 'office-other', 'application/vnd.ms-visio.drawing.macroenabled.main+xml'],
  ['ms-visio.drawing.main', 'vsdx', 'office-other', 'application/vnd.ms-visio.drawing.main+xml'],
];

const MACRO_ENABLED = new Set(['docm', 'dotm', 'xlsm', 'xltm', 'xlam', 'pptm', 'ppsm', 'potm', 'ppam', 'vsdm']);

/** OpenDocument is not Microsoft Word or Excel (MPS Personal Use SOP 4.3 names those): all 'office-other'. */
const ODF: Record<string, [string, TypeFamily]> = {
  'application/vnd.oasis.opendocument.text': ['odt', 'office-other'],
  'application/vnd.oasis.opendocument.text-template': ['ott', 'office-other'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods', 'office-other'],
  'application/vnd.oasis.opendocument.spreadsheet-template': ['ots', 'office-other'],
  'application/vnd.oasis.opendocument.presentation': ['odp', 'office-other'],
  'application/vnd.oasis.opendocument.presentation-template': ['otp', 'office-other'],
  'application/vnd.oasis.opendocument.graphics': ['odg', 'office-other'],
  'application/epub+zip': ['epub', 'office-other'],
};

function find(entries: readonly ZipEntryInfo[], name: string): ZipEntryInfo | undefined {
  const want = name.toLowerCase();
  return entries.find((e) => e.name.toLowerCase() === want);
}

async function readText(zip: ZipHandle, entry: ZipEntryInfo | undefined, cap = PART_CAP): Promise<string | null> {
  if (!entry) return null;
  const bytes = await zip.read(entry, cap);
  if (!bytes) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  return bytes.toString('utf8');
}

/** What a zip really is, from its entry names and (for OOXML / ODF) its type declarations. */
export async function classifyZip(zip: ZipHandle): Promise<ZipKind> {
  const entries = zip.entries;
  const names = entries.map((e) => e.name.toLowerCase());
  const contentTypes = find(entries, '[Content_Types].xml');
  if (contentTypes) {
    const xml = ((await readText(zip, contentTypes)) ?? '').toLowerCase();
    for (const [marker, ext, family, mime] of OOXML_MAIN) {
      if (xml.includes(`${marker}+xml`) || xml.includes(`${marker}"`)) return { mime, ext, family, role: 'document' };
    }
    if (names.includes('word/document.xml')) return ooxmlByExt('docx');
    if (names.includes('xl/workbook.xml')) return ooxmlByExt('xlsx');
    if (names.includes('xl/workbook.bin')) return ooxmlByExt('xlsb');
    if (names.includes('ppt/presentation.xml')) return ooxmlByExt('pptx');
    if (xml.includes('xps')) return { mime: 'application/oxps', ext: 'xps', family: 'office-other', role: 'document' };
  }
  const mimetype = find(entries, 'mimetype');
  if (mimetype) {
    const declared = ((await readText(zip, mimetype, 256)) ?? '').trim();
    const odf = ODF[declared];
    if (odf) return { mime: declared, ext: odf[0], family: odf[1], role: 'document' };
  }
  if (names.includes('androidmanifest.xml') && names.includes('classes.dex')) {
    return { mime: 'application/vnd.android.package-archive', ext: 'apk', family: 'executable', role: 'program' };
  }
  if (names.some((n) => n.endsWith('.class')) || (names.includes('meta-inf/manifest.mf') && names.some((n) => n.endsWith('.jar')))) {
    return { mime: 'application/java-archive', ext: 'jar', family: 'executable', role: 'program' };
  }
  if (names.includes('appxmanifest.xml') || names.includes('appxmetadata/appxbundlemanifest.xml')) {
    return { mime: 'application/msix', ext: 'msix', family: 'executable', role: 'program' };
  }
  if (names.includes('extension.vsixmanifest')) {
    return { mime: 'application/vsix', ext: 'vsix', family: 'executable', role: 'program' };
  }
  return { mime: 'application/zip', ext: 'zip', family: 'archive', role: 'archive' };
}

function ooxmlByExt(ext: string): ZipKind {
  const row = OOXML_MAIN.find((r) => r[1] === ext)!;
  return { mime: row[3], ext, family: row[2], role: 'document' };
}

export interface DocumentFindings {
  readonly macros: boolean;
  readonly encrypted: boolean;
  readonly markings: MarkingHit[];
}

/** Macros, encryption (ODF) and markings of a zip-based document. */
export async function inspectZipDocument(
  zip: ZipHandle,
  kind: ZipKind,
  scheme: Policy['markings'],
  source: string,
): Promise<DocumentFindings> {
  const names = zip.entries.map((e) => e.name.toLowerCase());
  // A macro-enabled type counts even without a VBA part: it is the kind of file that asks to run macros.
  const macros =
    MACRO_ENABLED.has(kind.ext) ||
    names.some(
      (n) =>
        n.endsWith('vbaproject.bin') ||
        n.endsWith('vbadata.xml') ||
        n.startsWith('xl/macrosheets/') ||
        n.startsWith('xl/intlmacrosheets/') ||
        n.startsWith('basic/') ||
        n.startsWith('scripts/'),
    );
  let encrypted = false;
  if (kind.mime.startsWith('application/vnd.oasis.') || kind.ext === 'epub') {
    const manifest = await readText(zip, find(zip.entries, 'META-INF/manifest.xml'));
    encrypted = manifest !== null && /encryption-data/i.test(manifest);
  }
  const markings: MarkingHit[] = [];
  const custom = await readText(zip, find(zip.entries, 'docProps/custom.xml'));
  if (custom) markings.push(...customPropertyMarkings(custom, scheme, source));
  const labelInfo = await readText(zip, find(zip.entries, 'docMetadata/LabelInfo.xml'));
  if (labelInfo) markings.push(...labelInfoMarkings(labelInfo, scheme, source));
  markings.push(...(await documentTextMarkings(zip, kind.family, scheme, source)));
  return { macros, encrypted, markings };
}

/** docProps/custom.xml: MSIP_Label_<guid>_Name / _Enabled, and the configured marking properties. */
export function customPropertyMarkings(xml: string, scheme: Policy['markings'], source: string): MarkingHit[] {
  const props: [string, string][] = [];
  let name: string | null = null;
  let value: string[] = [];
  scanXml(xml, {
    tag(t) {
      if (t.name !== 'property') return;
      if (t.kind === 'open') {
        name = attr(t.attrs, 'name');
        value = [];
      } else if (t.kind === 'close' && name !== null) {
        props.push([name, decodeEntities(value.join('')).trim()]);
        name = null;
      }
    },
    text(s) {
      if (name !== null && value.length < 64) value.push(s);
    },
  });
  return propertyMarkings(props, scheme, source);
}

/** Markings from document properties (name, value), whatever the file format kept them in. */
export function propertyMarkings(
  props: readonly (readonly [string, string])[],
  scheme: Policy['markings'],
  source: string,
): MarkingHit[] {
  const hits = markingsInMsipProperties(props, scheme, source);
  const wanted = new Set(scheme.documentProperties.map((p) => p.toLowerCase()));
  for (const [name, value] of props) {
    if (!wanted.has(name.toLowerCase())) continue;
    const hit = markingInValue(value, scheme, source);
    if (hit) hits.push(hit);
  }
  return hits;
}

/** docMetadata/LabelInfo.xml: <clbl:label id="{guid}" enabled="1" removed="0"/>, mapped through purviewLabels. */
export function labelInfoMarkings(xml: string, scheme: Policy['markings'], source: string): MarkingHit[] {
  const hits: MarkingHit[] = [];
  scanXml(xml, {
    tag(t) {
      if (t.name !== 'label' || t.kind === 'close') return;
      const id = attr(t.attrs, 'id');
      const enabled = attr(t.attrs, 'enabled');
      const removed = attr(t.attrs, 'removed');
      if (!id || enabled === '0' || enabled === 'false' || removed === '1' || removed === 'true') return;
      const level = levelForPurviewLabel({ id }, scheme);
      if (level) hits.push({ ...level, source, text: `label ${id}` });
    },
  });
  return hits;
}
