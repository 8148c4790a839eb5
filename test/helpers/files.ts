/**
 * Real-file builders for tests: the same code that makes the fixture corpus, plus a few
 * one-call shortcuts. Every builder returns genuine bytes (valid zips, CFB containers,
 * PE headers ...), never a stub, and the same input always gives the same bytes.
 */
import { legacyDoc, legacyXls } from '../../scripts/fixture-lib/cfb-files.js';
import { LABELS, TENANT_ID, msipCustomProperties } from '../../scripts/fixture-lib/labels.js';
import { file, multipart, renderMessage, text, type Header, type MimeNode } from '../../scripts/fixture-lib/mime.js';
import { docx, xlsx } from '../../scripts/fixture-lib/ooxml.js';
import { markZipEncrypted, zipBuffer } from '../../scripts/fixture-lib/zip.js';

export { encryptedOfficeFile, legacyDoc, legacyXls, outlookMsg, vbaProjectBin } from '../../scripts/fixture-lib/cfb-files.js';
export { elfExe, isoImage, oneNoteSection, peExe, rar5, sevenZip, tnef, windowsShortcut } from '../../scripts/fixture-lib/executables.js';
export { LABELS, TENANT_ID, msipCustomProperties, msipLabelsHeader } from '../../scripts/fixture-lib/labels.js';
export { gif, jpeg, logoPng, mp3, mp4, pdf, photoJpeg, photoPng, png, wav } from '../../scripts/fixture-lib/media.js';
export { attachedMessage, encodedWords, file, multipart, raw, renderMessage, text } from '../../scripts/fixture-lib/mime.js';
export { docx, xlsx, type DocxOptions, type XlsxOptions } from '../../scripts/fixture-lib/ooxml.js';
export { alexHome, colleagues, external, publicWebmail, secure, staff } from '../../scripts/fixture-lib/people.js';
export { gzipBuffer, markZipEncrypted, tarBuffer, zipBomb, zipBuffer, type ZipEntry } from '../../scripts/fixture-lib/zip.js';

const AUTO_OPEN = { module: 'ThisDocument', source: 'Sub AutoOpen()\n    MsgBox "Hello"\nEnd Sub\n' };

/** A docx with one paragraph per line of `body`. */
export const simpleDocx = (body = 'Test document'): Promise<Buffer> => docx({ paragraphs: body.split('\n') });

/** A macro-enabled .docm (word/vbaProject.bin, macroEnabled content type). */
export const docm = (body = 'Macro document'): Promise<Buffer> => docx({ paragraphs: [body], vba: AUTO_OPEN });

/** A macro-free xlsx. */
export const simpleXlsx = (rows: ReadonlyArray<ReadonlyArray<string | number>> = [['A', 1]]): Promise<Buffer> => xlsx({ rows });

/** A macro-enabled .xlsm (xl/vbaProject.bin). */
export const xlsm = (): Promise<Buffer> => xlsx({ rows: [['A', 1]], vba: { module: 'ThisWorkbook', source: 'Sub Workbook_Open()\nEnd Sub\n' } });

/** An xlsx hiding an Excel 4.0 macro sheet (xl/macrosheets/sheet1.xml). */
export const xlsxWithXlm = (): Promise<Buffer> => xlsx({ rows: [['A', 1]], xlmFormulas: ['EXEC("calc.exe")', 'HALT()'] });

/** A legacy .doc, with a Macros/VBA storage when `macros` is true. */
export const doc = (macros = false): Buffer => legacyDoc({ text: 'Legacy document', ...(macros ? { vba: AUTO_OPEN } : {}) });

/** A legacy .xls, with a _VBA_PROJECT_CUR storage when `macros` is true. */
export const xls = (macros = false): Buffer =>
  legacyXls({ sheetName: 'Sheet1', cells: ['A', 'B'], ...(macros ? { vba: { module: 'ThisWorkbook', source: 'Sub Workbook_Open()\nEnd Sub\n' } } : {}) });

/** A docx carrying a marking in one of the places Office keeps it. */
export function markedDocx(where: 'msip-label' | 'classification-property' | 'label-info' | 'header', level = 'OFFICIAL-SENSITIVE'): Promise<Buffer> {
  const paragraphs = ['Marked document'];
  switch (where) {
    case 'msip-label':
      return docx({ paragraphs, custom: msipCustomProperties({ id: LABELS.officialSensitive.id, name: level }) });
    case 'classification-property':
      return docx({ paragraphs, custom: { Classification: level } });
    case 'label-info':
      return docx({ paragraphs, labelInfo: { labelId: LABELS.officialSensitive.id, siteId: TENANT_ID } });
    case 'header':
      return docx({ paragraphs, headerText: level });
  }
}

/** Script files that have no magic: executable by name only. */
export const SCRIPTS = {
  js: Buffer.from('WScript.Echo("hello");\r\n'),
  vbs: Buffer.from('WScript.Echo "hello"\r\n'),
  ps1: Buffer.from('Write-Host "hello"\r\n'),
  bat: Buffer.from('@echo off\r\necho hello\r\n'),
  hta: Buffer.from('<html><head><HTA:APPLICATION/><script language="VBScript">MsgBox "hello"</script></head></html>\r\n'),
} as const;

/** HTML that carries script, and an SVG with an event handler: executable content. */
export const htmlWithScript = (): Buffer => Buffer.from('<!DOCTYPE html><html><head><script>alert(1)</script></head><body>Form</body></html>\r\n');
export const svgWithOnload = (): Buffer => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>\r\n');

/** `levels` zips nested inside each other with `leafName` at the bottom (levels = 1 is a plain zip). */
export async function nestedZip(levels: number, leafName: string, leaf: Buffer): Promise<Buffer> {
  let inner = await zipBuffer([{ path: leafName, data: leaf }]);
  for (let i = 1; i < levels; i++) inner = await zipBuffer([{ path: `level-${levels - i}.zip`, data: inner }]);
  return inner;
}

/** A zip whose members are flagged encrypted (general purpose bit 0). */
export async function encryptedZip(entries: ReadonlyArray<{ path: string; data: Buffer }>): Promise<Buffer> {
  return markZipEncrypted(await zipBuffer(entries));
}

export interface TestAttachment {
  readonly filename: string;
  readonly data: Buffer;
  readonly contentType?: string;
  /** Inline with a Content-ID (an image referenced from the HTML body). */
  readonly contentId?: string;
}

export interface TestMessage {
  readonly from?: string;
  readonly to?: readonly string[];
  readonly cc?: readonly string[];
  readonly subject?: string;
  readonly text?: string;
  /** HTML alternative; inline attachments (with contentId) go into a multipart/related with it. */
  readonly html?: string;
  readonly attachments?: readonly TestAttachment[];
  readonly headers?: readonly Header[];
  /** Replaces the whole body (for encrypted or broken structures). */
  readonly body?: MimeNode;
}

/**
 * A complete RFC 5322 message (CRLF, fixed date and ids) in one call, for tests:
 * `testMessage({ subject: '[Personal] hi', attachments: [{ filename: 'a.exe', data: peExe() }] })`.
 */
export function testMessage(m: TestMessage, seed = 'test-message'): Buffer {
  const plain = text(m.text ?? 'Hello.\n');
  const inline = (m.attachments ?? []).filter((a) => a.contentId);
  const attached = (m.attachments ?? []).filter((a) => !a.contentId);
  const asPart = (a: TestAttachment) =>
    file(a.data, { filename: a.filename, contentType: a.contentType ?? 'application/octet-stream', ...(a.contentId ? { inline: true, contentId: a.contentId } : {}) });
  let body: MimeNode = plain;
  if (m.html !== undefined) {
    const html = text(m.html, { subtype: 'html' });
    body = multipart('alternative', [plain, inline.length ? multipart('related', [html, ...inline.map(asPart)]) : html]);
  } else if (inline.length) {
    body = multipart('related', [plain, ...inline.map(asPart)]);
  }
  if (attached.length) body = multipart('mixed', [body, ...attached.map(asPart)]);
  return renderMessage(
    {
      from: m.from ?? 'Alex Turner <alex.turner@met.police.uk>',
      to: m.to ?? ['Priya Shah <priya.shah@met.police.uk>'],
      ...(m.cc ? { cc: m.cc } : {}),
      subject: m.subject ?? 'Test message',
      date: new Date(Date.UTC(2025, 2, 3, 9, 0, 0)),
      extraHeaders: m.headers ?? [],
      body: m.body ?? body,
      plainClient: true,
    },
    seed,
  );
}
