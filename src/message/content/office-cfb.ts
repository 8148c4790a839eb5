/**
 * CFB / OLE compound files, read with `cfb` (SheetJS): what is inside decides the type.
 * WordDocument -> Word (.doc); Workbook / Book -> Excel (.xls); PowerPoint Document -> .ppt;
 * the MSI class id or MSI tables -> installer (executable); __substg1.0_ streams -> Outlook .msg;
 * EncryptionInfo + EncryptedPackage -> password-encrypted OOXML. Macros: a VBA project (Macros/VBA,
 * _VBA_PROJECT_CUR/VBA) or an Excel 4.0 macro sheet. Encryption of legacy files: the Word FIB flag,
 * the Excel FILEPASS record, PowerPoint's EncryptedSummary stream.
 */
import * as CFB from 'cfb';
import type { Policy } from '../../config/policy-schema.js';
import type { MarkingHit, TypeFamily } from '../model.js';
import { markingsInText } from '../markings.js';
import { biffPrintHeaderText } from './biff-print-headers.js';
import { wordBinaryHeaderText } from './word-binary-headers.js';
import { propertyMarkings } from './office-ooxml.js';
import type { CfbView, ObjectView } from './cfb-view.js';
import { customProperties } from './property-set.js';

export interface CfbFindings {
  readonly mime: string;
  readonly ext: string;
  readonly family: TypeFamily;
  readonly macros: boolean;
  readonly encrypted: boolean;
  /** An Outlook message: the caller opens `rewritten()` with msgreader. */
  readonly outlookMessage: boolean;
  /**
   * The same streams written afresh by cfb: msgreader trusts the sizes and chains of the file it is given
   * (a hostile .msg claiming a 2 GB stream exhausts memory), so it only ever sees a file cfb has rebuilt.
   */
  readonly rewritten: () => Buffer;
  readonly markings: MarkingHit[];
  /** The parsed file, for taking its embedded objects out (see ole-objects.ts). */
  readonly view: ObjectView;
}

/** Installer class ids as cfb prints them (bytes in file order): MSI, MSP (patch), MST (transform). */
const MSI_CLSIDS: Record<string, [string, string]> = {
  '84100c000000000000c0000000000046': ['msi', 'application/x-msi'],
  '86100c000000000000c0000000000046': ['msp', 'application/x-ms-patch'],
  '82100c000000000000c0000000000046': ['mst', 'application/x-ms-transform'],
};

const BIFF_BOF = 0x0809;
const BIFF_EOF = 0x000a;
const BIFF_FILEPASS = 0x002f;
const BIFF_BOUNDSHEET = 0x0085;
const WORD_F_ENCRYPTED = 0x0100;

function bytesOf(entry: CFB.CFB$Entry | undefined | null): Buffer | null {
  if (!entry?.content) return null;
  const c = entry.content;
  return Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
}

/** Walk the workbook globals: FILEPASS means encrypted; a BOUNDSHEET of type 1 is an XLM macro sheet. */
function excelGlobals(stream: Buffer | null): { encrypted: boolean; xlm: boolean } {
  const out = { encrypted: false, xlm: false };
  if (!stream || stream.length < 4 || stream.readUInt16LE(0) !== BIFF_BOF) return out;
  let at = 0;
  for (let i = 0; i < 10_000 && at + 4 <= stream.length; i += 1) {
    const type = stream.readUInt16LE(at);
    const len = stream.readUInt16LE(at + 2);
    if (type === BIFF_FILEPASS) return { ...out, encrypted: true };
    if (type === BIFF_BOUNDSHEET && len >= 6 && at + 10 <= stream.length && stream[at + 4 + 5] === 0x01) out.xlm = true;
    if (type === BIFF_EOF) break;
    at += 4 + len;
  }
  return out;
}

function rewrite(container: CFB.CFB$Container, limit: number): Buffer {
  const fresh = CFB.utils.cfb_new();
  let total = 0;
  container.FullPaths.forEach((full, i) => {
    const entry = container.FileIndex[i];
    const content = bytesOf(entry);
    if (!entry || entry.type !== 2 || !content) return;
    total += content.length;
    if (total > limit) throw new Error('compound file streams larger than the file');
    // Directory names hold at most 31 characters; cfb would warn on the console about longer (hostile) ones.
    const path = full.replace(/^[^/]*\//, '').split('/').map((n) => n.slice(0, 31)).join('/');
    CFB.utils.cfb_add(fresh, path, content);
  });
  return Buffer.from(CFB.write(fresh, { type: 'buffer' }) as Uint8Array);
}

/** Streams read for classification are small; a workbook's globals come first in its stream. */
const SUMMARY_MAX = 1024 * 1024;
const FIB_MAX = 512;
const WORKBOOK_MAX = 4 * 1024 * 1024;
/** A .doc's text and piece table: the header story follows the main text, so most of the stream. */
const WORD_TEXT_MAX = 8 * 1024 * 1024;

export type CfbClassification = Omit<CfbFindings, 'rewritten' | 'view'>;

/** The type, macros, encryption and labels of a compound file, from its directory and a few small streams. */
export async function classifyCfb(view: CfbView, scheme: Policy['markings'], source: string): Promise<CfbClassification> {
  const { paths } = view;
  const top = new Set(paths.filter((p) => p !== '' && !p.slice(0, -1).includes('/')).map((p) => p.replace(/\/$/, '')));
  // Word keeps its VBA project in 'Macros', Excel in '_VBA_PROJECT_CUR'; both hold a 'VBA' storage.
  const vba = paths.some((p) => /^(?:Macros|_VBA_PROJECT_CUR)\/$/i.test(p) || /(?:^|\/)VBA\/(?:dir)?$/i.test(p));
  const base = { macros: vba, encrypted: false, outlookMessage: false, markings: [] as MarkingHit[] };
  // Labels matter only for documents: read the summary stream only for them.
  const labels = async (): Promise<MarkingHit[]> => {
    const docSummary = await view.stream('\u0005DocumentSummaryInformation', SUMMARY_MAX);
    return docSummary ? propertyMarkings(customProperties(docSummary), scheme, source) : [];
  };

  const installer = MSI_CLSIDS[view.rootClsid.toLowerCase()];
  if (installer) return { ...base, mime: installer[1], ext: installer[0], family: 'executable' };
  if (top.has('\u0005SummaryInformation') && [...top].some((n) => n.startsWith('\u4840'))) {
    return { ...base, mime: 'application/x-msi', ext: 'msi', family: 'executable' };
  }
  if (top.has('EncryptionInfo') && top.has('EncryptedPackage')) {
    return { ...base, mime: 'application/x-ms-office-encrypted', ext: '', family: 'office-other', encrypted: true };
  }
  if (top.has('__properties_version1.0') || [...top].some((n) => n.startsWith('__substg1.0_'))) {
    return { ...base, mime: 'application/vnd.ms-outlook', ext: 'msg', family: 'message', outlookMessage: true };
  }
  if (top.has('WordDocument')) {
    const fib = await view.stream('WordDocument', FIB_MAX);
    const encrypted = fib !== null && fib.length >= 12 && (fib.readUInt16LE(0x0a) & WORD_F_ENCRYPTED) !== 0;
    const markings = await labels();
    if (!encrypted) markings.push(...(await wordHeaderMarkings(view, scheme, source)));
    return { ...base, mime: 'application/msword', ext: 'doc', family: 'word', encrypted, markings };
  }
  if (top.has('Workbook') || top.has('Book')) {
    const workbook = await view.stream(top.has('Workbook') ? 'Workbook' : 'Book', WORKBOOK_MAX);
    const globals = excelGlobals(workbook);
    const printed = markingsInText(biffPrintHeaderText(workbook), scheme, source);
    return {
      ...base, mime: 'application/vnd.ms-excel', ext: 'xls', family: 'excel',
      macros: base.macros || globals.xlm, encrypted: globals.encrypted, markings: [...(await labels()), ...printed],
    };
  }
  if (top.has('PowerPoint Document')) {
    const encrypted = top.has('EncryptedSummary');
    return { ...base, mime: 'application/vnd.ms-powerpoint', ext: 'ppt', family: 'office-other', encrypted, markings: await labels() };
  }
  if (top.has('VisioDocument')) return { ...base, mime: 'application/vnd.visio', ext: 'vsd', family: 'office-other', markings: await labels() };
  if (top.has('Quill')) return { ...base, mime: 'application/x-mspublisher', ext: 'pub', family: 'office-other', markings: await labels() };
  return { ...base, mime: 'application/x-cfb', ext: 'cfb', family: 'unknown', markings: await labels() };
}

/** Header and footer banners of a .doc; a file whose streams do not add up gives none (it is still a document). */
async function wordHeaderMarkings(view: CfbView, scheme: Policy['markings'], source: string): Promise<MarkingHit[]> {
  const doc = await view.stream('WordDocument', WORD_TEXT_MAX);
  const tables = { '0Table': await view.stream('0Table', WORD_TEXT_MAX), '1Table': await view.stream('1Table', WORD_TEXT_MAX) };
  return markingsInText(wordBinaryHeaderText(doc, (name) => tables[name]), scheme, source);
}

/** A compound file in memory, parsed whole by `cfb` (which can also write it afresh for msgreader). */
export async function inspectCfb(bytes: Buffer, scheme: Policy['markings'], source: string): Promise<CfbFindings> {
  const container = CFB.parse(bytes, { type: 'buffer' });
  const paths = container.FullPaths.map((p) => p.replace(/^[^/]*\//, ''));
  const content = (path: string): Buffer | null => {
    const i = paths.indexOf(path);
    return i >= 0 && container.FileIndex[i]?.type === 2 ? bytesOf(container.FileIndex[i]) ?? Buffer.alloc(0) : null;
  };
  const view: ObjectView = {
    paths,
    rootClsid: container.FileIndex[0]?.clsid ?? '',
    stream: async (path, max) => {
      const bytesOfEntry = content(path);
      return bytesOfEntry && bytesOfEntry.length > max ? bytesOfEntry.subarray(0, max) : bytesOfEntry;
    },
    size: (path) => {
      const i = paths.indexOf(path);
      return i >= 0 && container.FileIndex[i]?.type === 2 ? container.FileIndex[i]!.size : null;
    },
    // A directory size the sectors do not back is a broken object: Office would not open it either.
    chunks: (path, offset, length) => {
      const all = content(path) ?? Buffer.alloc(0);
      const i = paths.indexOf(path);
      const size = container.FileIndex[i]?.size ?? 0;
      if (all.length < size) throw new Error(`stream ${path.replace(/[\u0000-\u001f]/g, '')} shorter than its size`);
      return [all.subarray(offset, Math.min(size, offset + length))];
    },
  };
  const found = await classifyCfb(view, scheme, source);
  return { ...found, view, rewritten: () => rewrite(container, 2 * bytes.length + 4096) };
}
