/**
 * Office Open XML builders (docx, docm, xlsx, xlsm) as real zips made with yazl:
 * [Content_Types].xml first, package and part relationships, core/app properties,
 * and the places sensitivity labels live (custom properties, LabelInfo.xml, headers).
 */
import { vbaProjectBin, type VbaOptions } from './cfb-files.js';
import { zipBuffer, type ZipEntry } from './zip.js';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n';
const R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const REL = {
  officeDocument: `${R_NS}/officeDocument`,
  core: 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties',
  app: `${R_NS}/extended-properties`,
  custom: `${R_NS}/custom-properties`,
  labelInfo: 'http://schemas.microsoft.com/office/2020/02/relationships/classificationlabels',
  styles: `${R_NS}/styles`,
  header: `${R_NS}/header`,
  footer: `${R_NS}/footer`,
  worksheet: `${R_NS}/worksheet`,
  macrosheet: 'http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet',
  vbaProject: 'http://schemas.microsoft.com/office/2006/relationships/vbaProject',
};
const CT = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  docm: 'application/vnd.ms-word.document.macroEnabled.main+xml',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
  xlsm: 'application/vnd.ms-excel.sheet.macroEnabled.main+xml',
  wordStyles: 'application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml',
  header: 'application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml',
  footer: 'application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml',
  worksheet: 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml',
  macrosheet: 'application/vnd.ms-excel.macrosheet+xml',
  xlStyles: 'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml',
  core: 'application/vnd.openxmlformats-package.core-properties+xml',
  app: 'application/vnd.openxmlformats-officedocument.extended-properties+xml',
  custom: 'application/vnd.openxmlformats-officedocument.custom-properties+xml',
  labelInfo: 'application/vnd.ms-office.classificationlabels+xml',
  vba: 'application/vnd.ms-office.vbaProject',
};

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const xml = (s: string) => Buffer.from(XML_DECL + s, 'utf8');

function contentTypes(overrides: ReadonlyArray<readonly [string, string]>, withBin: boolean, defaults = ''): Buffer {
  return xml(
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      (withBin ? `<Default Extension="bin" ContentType="${CT.vba}"/>` : '') +
      defaults +
      overrides.map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`).join('') +
      '</Types>',
  );
}

function rels(list: ReadonlyArray<readonly [id: string, type: string, target: string]>): Buffer {
  return xml(
    `<Relationships xmlns="${PKG_REL}">` +
      list.map(([id, type, target]) => `<Relationship Id="${id}" Type="${type}" Target="${target}"/>`).join('') +
      '</Relationships>',
  );
}

export interface DocProps {
  readonly title?: string;
  readonly author?: string;
  readonly company?: string;
  /** docProps/custom.xml properties (name -> string value), e.g. MSIP_Label_<guid>_Name. */
  readonly custom?: Readonly<Record<string, string>>;
  /** docMetadata/LabelInfo.xml: a Purview label by id only (no name), as Office 2021+ writes it. */
  readonly labelInfo?: { readonly labelId: string; readonly siteId: string };
}

function coreXml(p: DocProps): Buffer {
  return xml(
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<dc:title>${xmlEscape(p.title ?? '')}</dc:title><dc:creator>${xmlEscape(p.author ?? 'Alex Turner')}</dc:creator>` +
      `<cp:lastModifiedBy>${xmlEscape(p.author ?? 'Alex Turner')}</cp:lastModifiedBy><cp:revision>3</cp:revision>` +
      '<dcterms:created xsi:type="dcterms:W3CDTF">2025-02-24T10:02:00Z</dcterms:created>' +
      '<dcterms:modified xsi:type="dcterms:W3CDTF">2025-02-27T14:31:00Z</dcterms:modified>' +
      '</cp:coreProperties>',
  );
}

function appXml(application: string, p: DocProps): Buffer {
  return xml(
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' +
      `<Template>Normal.dotm</Template><TotalTime>12</TotalTime><Application>${application}</Application><DocSecurity>0</DocSecurity>` +
      `<Company>${xmlEscape(p.company ?? 'Metropolitan Police Service')}</Company><AppVersion>16.0000</AppVersion>` +
      '</Properties>',
  );
}

function customXml(props: Readonly<Record<string, string>>): Buffer {
  const body = Object.entries(props)
    .map(
      ([name, value], i) =>
        `<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="${i + 2}" name="${xmlEscape(name)}"><vt:lpwstr>${xmlEscape(value)}</vt:lpwstr></property>`,
    )
    .join('');
  return xml(
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' +
      body +
      '</Properties>',
  );
}

function labelInfoXml(l: { labelId: string; siteId: string }): Buffer {
  return xml(
    '<clbl:labelList xmlns:clbl="http://schemas.microsoft.com/office/2020/mipLabelMetadata">' +
      `<clbl:label id="{${l.labelId}}" enabled="1" method="Standard" siteId="{${l.siteId}}" removed="0"/>` +
      '</clbl:labelList>',
  );
}

/** The parts and relationships every package shares; the caller adds the main document. */
function packageParts(p: DocProps, application: string) {
  const overrides: Array<readonly [string, string]> = [
    ['/docProps/core.xml', CT.core],
    ['/docProps/app.xml', CT.app],
  ];
  const pkgRels: Array<readonly [string, string, string]> = [
    ['rId2', REL.core, 'docProps/core.xml'],
    ['rId3', REL.app, 'docProps/app.xml'],
  ];
  const entries: ZipEntry[] = [
    { path: 'docProps/core.xml', data: coreXml(p) },
    { path: 'docProps/app.xml', data: appXml(application, p) },
  ];
  if (p.custom) {
    overrides.push(['/docProps/custom.xml', CT.custom]);
    pkgRels.push(['rId4', REL.custom, 'docProps/custom.xml']);
    entries.push({ path: 'docProps/custom.xml', data: customXml(p.custom) });
  }
  if (p.labelInfo) {
    overrides.push(['/docMetadata/LabelInfo.xml', CT.labelInfo]);
    pkgRels.push(['rId5', REL.labelInfo, 'docMetadata/LabelInfo.xml']);
    entries.push({ path: 'docMetadata/LabelInfo.xml', data: labelInfoXml(p.labelInfo) });
  }
  return { overrides, pkgRels, entries };
}

const W_NS =
  'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

const VML_NS =
  'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w10="urn:schemas-microsoft-com:office:word"';

const para = (text: string) =>
  `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r></w:p>`;

export interface DocxOptions extends DocProps {
  readonly paragraphs: readonly string[];
  /** Text of word/header1.xml (where protective markings are usually typed). */
  readonly headerText?: string;
  readonly footerText?: string;
  /** Makes a .docm: macro-enabled content type and word/vbaProject.bin. */
  readonly vba?: VbaOptions;
  /**
   * More header/footer parts, raw XML inside w:hdr / w:ftr, referenced from the section as `type`
   * (a 'first' reference also sets w:titlePg, as Word does for "Different first page").
   */
  readonly headerParts?: ReadonlyArray<{ readonly part: string; readonly kind: 'header' | 'footer'; readonly type: 'default' | 'first' | 'even'; readonly xml: string }>;
  /** Store document.xml uncompressed (to make a file of a real, known size). */
  readonly storeBody?: boolean;
  /** Media and embedded objects (see office-objects.ts), related from the main part. */
  readonly parts?: readonly PackagePart[];
}

/** A part the main document relates to: `word/media/image1.png`, `word/embeddings/oleObject1.bin` ... */
export interface PackagePart {
  /** Path below the main part's folder: 'media/image1.png'. */
  readonly path: string;
  readonly data: Buffer;
  readonly kind: 'image' | 'oleObject' | 'package';
  readonly store?: boolean;
}

const PART_REL: Record<PackagePart['kind'], string> = {
  image: `${R_NS}/image`,
  oleObject: `${R_NS}/oleObject`,
  package: `${R_NS}/package`,
};

const DEFAULT_TYPES: Record<string, string> = {
  png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', emf: 'image/x-emf', wmf: 'image/x-wmf',
  bin: 'application/vnd.openxmlformats-officedocument.oleObject',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/** Relationships, content-type defaults and zip entries for the parts of `folder` ('word', 'xl'). */
function relatedParts(folder: string, parts: readonly PackagePart[] | undefined) {
  const list = parts ?? [];
  const rels = list.map((p, i) => [`rIdP${i + 1}`, PART_REL[p.kind], p.path] as const);
  const exts = [...new Set(list.map((p) => p.path.slice(p.path.lastIndexOf('.') + 1).toLowerCase()))];
  const defaults = exts.filter((e) => DEFAULT_TYPES[e]).map((e) => `<Default Extension="${e}" ContentType="${DEFAULT_TYPES[e]}"/>`).join('');
  const entries: ZipEntry[] = list.map((p) => ({ path: `${folder}/${p.path}`, data: p.data, store: p.store }));
  return { rels, defaults, entries };
}

export async function docx(o: DocxOptions): Promise<Buffer> {
  const pkg = packageParts(o, 'Microsoft Office Word');
  const docRels: Array<readonly [string, string, string]> = [['rId1', REL.styles, 'styles.xml']];
  const overrides: Array<readonly [string, string]> = [
    ['/word/document.xml', o.vba ? CT.docm : CT.docx],
    ['/word/styles.xml', CT.wordStyles],
    ...pkg.overrides,
  ];
  const entries: ZipEntry[] = [];
  let sectRefs = '';
  if (o.headerText !== undefined) {
    docRels.push(['rId2', REL.header, 'header1.xml']);
    overrides.push(['/word/header1.xml', CT.header]);
    entries.push({ path: 'word/header1.xml', data: xml(`<w:hdr ${W_NS}><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>${xmlEscape(o.headerText)}</w:t></w:r></w:p></w:hdr>`) });
    sectRefs += '<w:headerReference w:type="default" r:id="rId2"/>';
  }
  if (o.footerText !== undefined) {
    docRels.push(['rId3', REL.footer, 'footer1.xml']);
    overrides.push(['/word/footer1.xml', CT.footer]);
    entries.push({ path: 'word/footer1.xml', data: xml(`<w:ftr ${W_NS}><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>${xmlEscape(o.footerText)}</w:t></w:r></w:p></w:ftr>`) });
    sectRefs += '<w:footerReference w:type="default" r:id="rId3"/>';
  }
  (o.headerParts ?? []).forEach((h, i) => {
    const id = `rIdH${i + 1}`;
    docRels.push([id, REL[h.kind], h.part]);
    overrides.push([`/word/${h.part}`, CT[h.kind]]);
    const root = h.kind === 'header' ? 'w:hdr' : 'w:ftr';
    entries.push({ path: `word/${h.part}`, data: xml(`<${root} ${W_NS} ${VML_NS}>${h.xml}</${root}>`) });
    sectRefs += `<w:${h.kind}Reference w:type="${h.type}" r:id="${id}"/>`;
  });
  if (o.headerParts?.some((h) => h.type === 'first')) sectRefs += '<w:titlePg/>';
  if (o.vba) {
    docRels.push(['rId9', REL.vbaProject, 'vbaProject.bin']);
    entries.push({ path: 'word/vbaProject.bin', data: vbaProjectBin(o.vba) });
  }
  const body =
    `<w:document ${W_NS}><w:body>` +
    o.paragraphs.map(para).join('') +
    `<w:sectPr>${sectRefs}<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>` +
    '</w:body></w:document>';
  const related = relatedParts('word', o.parts);
  docRels.push(...related.rels);
  entries.push(...related.entries);
  const styles = `<w:styles ${W_NS}><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/><w:sz w:val="22"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>`;
  return zipBuffer([
    { path: '[Content_Types].xml', data: contentTypes(overrides, Boolean(o.vba), related.defaults) },
    { path: '_rels/.rels', data: rels([['rId1', REL.officeDocument, 'word/document.xml'], ...pkg.pkgRels]) },
    { path: 'word/document.xml', data: xml(body), store: o.storeBody },
    { path: 'word/_rels/document.xml.rels', data: rels(docRels) },
    { path: 'word/styles.xml', data: xml(styles) },
    ...entries,
    ...pkg.entries,
  ]);
}

export interface XlsxOptions extends DocProps {
  readonly sheetName?: string;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** Makes an .xlsm: macro-enabled content type and xl/vbaProject.bin. */
  readonly vba?: VbaOptions;
  /** An Excel 4.0 (XLM) macro sheet with these formulas, hidden, run by Auto_Open. */
  readonly xlmFormulas?: readonly string[];
  /** The worksheet's print headers and footers: raw XML inside <headerFooter>, e.g. '<oddHeader>&amp;CRESTRICTED</oddHeader>'. */
  readonly headerFooterXml?: string;
  /** Extra attributes of <headerFooter> ('differentFirst="1"'). */
  readonly headerFooterAttrs?: string;
  /** Media and embedded objects, related from the workbook. */
  readonly parts?: readonly PackagePart[];
}

const colName = (i: number) => String.fromCharCode(65 + i);

function sheetXml(rows: ReadonlyArray<ReadonlyArray<string | number>>, headerFooter = ''): string {
  const data = rows
    .map((row, r) => {
      const cells = row
        .map((v, c) => {
          const ref = `${colName(c)}${r + 1}`;
          return typeof v === 'number'
            ? `<c r="${ref}"><v>${v}</v></c>`
            : `<c r="${ref}" t="inlineStr"><is><t>${xmlEscape(v)}</t></is></c>`;
        })
        .join('');
      return `<row r="${r + 1}">${cells}</row>`;
    })
    .join('');
  return `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${data}</sheetData>${headerFooter}</worksheet>`;
}

export async function xlsx(o: XlsxOptions): Promise<Buffer> {
  const pkg = packageParts(o, 'Microsoft Excel');
  const overrides: Array<readonly [string, string]> = [
    ['/xl/workbook.xml', o.vba ? CT.xlsm : CT.xlsx],
    ['/xl/worksheets/sheet1.xml', CT.worksheet],
    ['/xl/styles.xml', CT.xlStyles],
    ...pkg.overrides,
  ];
  const wbRels: Array<readonly [string, string, string]> = [
    ['rId1', REL.worksheet, 'worksheets/sheet1.xml'],
    ['rId2', REL.styles, 'styles.xml'],
  ];
  const entries: ZipEntry[] = [];
  let sheets = `<sheet name="${xmlEscape(o.sheetName ?? 'Sheet1')}" sheetId="1" r:id="rId1"/>`;
  let definedNames = '';
  if (o.xlmFormulas) {
    overrides.push(['/xl/macrosheets/sheet1.xml', CT.macrosheet]);
    wbRels.push(['rId3', REL.macrosheet, 'macrosheets/sheet1.xml']);
    sheets += '<sheet name="Macro1" sheetId="2" state="hidden" r:id="rId3"/>';
    definedNames = '<definedNames><definedName name="_xlnm.Auto_Open" hidden="1">Macro1!$A$1</definedName></definedNames>';
    const cells = o.xlmFormulas
      .map((f, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="b"><f>${xmlEscape(f)}</f><v>0</v></c></row>`)
      .join('');
    entries.push({
      path: 'xl/macrosheets/sheet1.xml',
      data: xml(`<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>${cells}</sheetData></xm:macrosheet>`),
    });
  }
  if (o.vba) {
    wbRels.push(['rId9', REL.vbaProject, 'vbaProject.bin']);
    entries.push({ path: 'xl/vbaProject.bin', data: vbaProjectBin(o.vba) });
  }
  const related = relatedParts('xl', o.parts);
  wbRels.push(...related.rels);
  entries.push(...related.entries);
  const workbook = `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${R_NS}"><sheets>${sheets}</sheets>${definedNames}</workbook>`;
  const styles = '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellXfs></styleSheet>';
  return zipBuffer([
    { path: '[Content_Types].xml', data: contentTypes(overrides, Boolean(o.vba), related.defaults) },
    { path: '_rels/.rels', data: rels([['rId1', REL.officeDocument, 'xl/workbook.xml'], ...pkg.pkgRels]) },
    { path: 'xl/workbook.xml', data: xml(workbook) },
    { path: 'xl/_rels/workbook.xml.rels', data: rels(wbRels) },
    {
      path: 'xl/worksheets/sheet1.xml',
      data: xml(
        sheetXml(
          o.rows,
          o.headerFooterXml === undefined
            ? ''
            : '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
                `<headerFooter${o.headerFooterAttrs ? ` ${o.headerFooterAttrs}` : ''}>${o.headerFooterXml}</headerFooter>`,
        ),
      ),
    },
    { path: 'xl/styles.xml', data: xml(styles) },
    ...entries,
    ...pkg.entries,
  ]);
}
