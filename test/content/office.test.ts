import { describe, expect, it } from 'vitest';
import {
  biffWorkbook, cfbFile, customXml, docSummaryWithCustom, ooxml, wordFib, wordParagraphs, zip,
} from './builders.js';
import { analyse, LABEL_GUID } from './helpers.js';

describe('OOXML', () => {
  it.each([
    ['docx', 'word', false],
    ['docm', 'word', true],
    ['dotm', 'word', true],
    ['xlsx', 'excel', false],
    ['xlsm', 'excel', true],
    ['xlam', 'excel', true],
    ['pptx', 'office-other', false],
    ['pptm', 'office-other', true],
  ] as const)('tells %s apart by its main part', async (kind, family, macros) => {
    const report = await analyse(await ooxml(kind), `file.${kind}`);
    expect(report.detected).toMatchObject({ ext: kind, family, macros, encrypted: false, basis: 'container' });
    expect(report.unscannable).toBeNull();
    expect(report.members).toEqual([]);
    expect(report.nameTricks).toEqual([]);
  });

  it('finds a VBA project and XLM macro sheets in files that claim to be macro-free', async () => {
    const vba = await analyse(await ooxml('docx', { 'word/vbaProject.bin': Buffer.alloc(64, 1) }), 'a.docx');
    expect(vba.detected).toMatchObject({ ext: 'docx', macros: true });
    const xlm = await analyse(await ooxml('xlsx', { 'xl/macrosheets/sheet1.xml': '<xm:macrosheet/>' }), 'b.xlsx');
    expect(xlm.detected).toMatchObject({ ext: 'xlsx', macros: true });
  });

  it('reads Purview labels and marking properties from docProps/custom.xml', async () => {
    const other = '99999999-8888-7777-6666-555555555555';
    const custom = customXml({
      [`MSIP_Label_${other}_Enabled`]: 'true',
      [`MSIP_Label_${other}_Name`]: 'Official Sensitive',
      [`MSIP_Label_${other}_SiteId`]: 'x',
      ProtectiveMarking: 'RESTRICTED',
      Author: 'SECRET agent',
    });
    const report = await analyse(await ooxml('docx', { 'docProps/custom.xml': custom }), 'labelled.docx');
    expect(report.markings.map((m) => [m.level, m.source])).toEqual([
      ['OFFICIAL-SENSITIVE', 'attachment:labelled.docx'],
      ['RESTRICTED', 'attachment:labelled.docx'],
    ]);
  });

  it('ignores a disabled label', async () => {
    const custom = customXml({ [`MSIP_Label_${LABEL_GUID}_Enabled`]: 'false', [`MSIP_Label_${LABEL_GUID}_Name`]: 'Secret' });
    const report = await analyse(await ooxml('xlsx', { 'docProps/custom.xml': custom }), 'x.xlsx');
    expect(report.markings).toEqual([]);
  });

  it('maps docMetadata/LabelInfo.xml label ids through purviewLabels', async () => {
    const labelInfo = `<?xml version="1.0"?><clbl:labelList xmlns:clbl="http://schemas.microsoft.com/office/2020/mipLabelMetadata"><clbl:label id="{${LABEL_GUID.toUpperCase()}}" enabled="1" method="Standard" siteId="{x}" removed="0"/></clbl:labelList>`;
    const report = await analyse(await ooxml('xlsx', { 'docMetadata/LabelInfo.xml': labelInfo }), 'book.xlsx');
    expect(report.markings.map((m) => m.level)).toEqual(['OFFICIAL-SENSITIVE']);
    const removed = labelInfo.replace('removed="0"', 'removed="1"');
    expect((await analyse(await ooxml('xlsx', { 'docMetadata/LabelInfo.xml': removed }), 'b.xlsx')).markings).toEqual([]);
  });

  it('finds banner lines in Word headers and footers, not prose', async () => {
    const report = await analyse(
      await ooxml('docx', {
        'word/header1.xml': wordParagraphs('Metropolitan Police Service', 'RESTRICTED'),
        'word/footer2.xml': wordParagraphs('Page 1 of 2', 'Access is restricted to named staff'),
      }),
      'memo.docx',
    );
    expect(report.markings.map((m) => m.level)).toEqual(['RESTRICTED']);
    const prose = await analyse(await ooxml('docx', { 'word/footer1.xml': wordParagraphs('This is SECRET Santa admin') }), 'p.docx');
    expect(prose.markings).toEqual([]);
  });

  it('counts an encrypted OpenDocument as unscannable', async () => {
    const odt = await zip({
      mimetype: { data: 'application/vnd.oasis.opendocument.text', compress: false },
      'content.xml': 'x',
      'META-INF/manifest.xml': '<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry></manifest:manifest>',
    });
    const report = await analyse(odt, 'letter.odt');
    expect(report.detected).toMatchObject({ ext: 'odt', family: 'office-other', encrypted: true });
    expect(report.unscannable).toBe('password-protected Office file');
  });

  it('tells a jar from a zip', async () => {
    const jar = await zip({ 'META-INF/MANIFEST.MF': 'Main-Class: A\n', 'A.class': Buffer.from('cafebabe00000034', 'hex') });
    expect((await analyse(jar, 'tool.zip')).detected).toMatchObject({ ext: 'jar', family: 'executable' });
  });
});

describe('CFB (OLE) files', () => {
  it('tells Word, Excel and PowerPoint apart', async () => {
    expect((await analyse(cfbFile({ WordDocument: wordFib(), '1Table': Buffer.alloc(64) }), 'a.doc')).detected).toMatchObject({
      ext: 'doc', family: 'word', macros: false, encrypted: false, basis: 'container',
    });
    expect((await analyse(cfbFile({ Workbook: biffWorkbook() }), 'b.xls')).detected).toMatchObject({ ext: 'xls', family: 'excel', macros: false });
    expect((await analyse(cfbFile({ Book: biffWorkbook() }), 'old.xls')).detected).toMatchObject({ ext: 'xls', family: 'excel' });
    expect((await analyse(cfbFile({ 'PowerPoint Document': Buffer.alloc(64) }), 'c.ppt')).detected).toMatchObject({
      ext: 'ppt', family: 'office-other',
    });
  });

  it('finds VBA projects and Excel 4.0 macro sheets', async () => {
    const doc = cfbFile({ WordDocument: wordFib(), 'Macros/VBA/dir': Buffer.alloc(32, 1), 'Macros/PROJECT': 'ID=x' });
    expect((await analyse(doc, 'm.doc')).detected).toMatchObject({ ext: 'doc', macros: true });
    const xls = cfbFile({ Workbook: biffWorkbook(), '_VBA_PROJECT_CUR/VBA/dir': Buffer.alloc(32, 1) });
    expect((await analyse(xls, 'm.xls')).detected).toMatchObject({ ext: 'xls', macros: true });
    const xlm = cfbFile({ Workbook: biffWorkbook({ macroSheet: true }) });
    expect((await analyse(xlm, 'xlm.xls')).detected).toMatchObject({ ext: 'xls', macros: true });
  });

  it('counts password-protected Office files as unscannable', async () => {
    const ooxmlEncrypted = cfbFile({ EncryptionInfo: Buffer.alloc(64, 4), EncryptedPackage: Buffer.alloc(4096, 9) });
    const a = await analyse(ooxmlEncrypted, 'secret.docx');
    expect(a.detected).toMatchObject({ encrypted: true, family: 'office-other' });
    expect(a.unscannable).toBe('password-protected Office file');
    expect(a.nameTricks).toEqual([]);
    const doc = await analyse(cfbFile({ WordDocument: wordFib(true) }), 'locked.doc');
    expect(doc.detected).toMatchObject({ ext: 'doc', encrypted: true });
    expect(doc.unscannable).toBe('password-protected Office file');
    const xls = await analyse(cfbFile({ Workbook: biffWorkbook({ filepass: true }) }), 'locked.xls');
    expect(xls.detected).toMatchObject({ ext: 'xls', encrypted: true });
    expect(xls.unscannable).toBe('password-protected Office file');
  });

  it('recognises MSI installers by class id and by their tables', async () => {
    const byClsid = cfbFile({ '\u0005SummaryInformation': Buffer.alloc(64) }, '84100c000000000000c0000000000046');
    expect((await analyse(byClsid, 'setup.bin')).detected).toMatchObject({ ext: 'msi', family: 'executable' });
    const byTables = cfbFile({ '\u0005SummaryInformation': Buffer.alloc(64), '\u4840\u3f3f\u4577\u446c': Buffer.alloc(16) });
    expect((await analyse(byTables, 'setup.dat')).detected).toMatchObject({ ext: 'msi', family: 'executable' });
  });

  it('reads custom document properties of a legacy file', async () => {
    const doc = cfbFile({
      WordDocument: wordFib(),
      '\u0005DocumentSummaryInformation': docSummaryWithCustom({
        [`MSIP_Label_${LABEL_GUID}_Enabled`]: 'True',
        [`MSIP_Label_${LABEL_GUID}_Name`]: 'Internal',
        Classification: 'Confidential',
      }),
    });
    const report = await analyse(doc, 'old.doc');
    expect(report.markings.map((m) => [m.level, m.source])).toEqual([
      ['OFFICIAL-SENSITIVE', 'attachment:old.doc'],
      ['CONFIDENTIAL', 'attachment:old.doc'],
    ]);
  });

  it('turns a corrupt compound file into a reason, not an exception', async () => {
    const broken = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600, 0xff)]);
    const report = await analyse(broken, 'broken.doc');
    expect(report.unscannable).toMatch(/compound \(OLE\) file/);
  });
});

// Speed is measured by `npm run bench:inspect` (a figure, not a timed test: a 2 ms bound failed
// on a slow day of these shared machines). Here the typical labelled docx is checked for what
// its analysis finds.
describe('a typical labelled docx', () => {
  it('is read as a Word document with its label and header marking; its picture is just a picture', async () => {
    const docx = await ooxml('docx', {
      'docProps/custom.xml': customXml({ [`MSIP_Label_${LABEL_GUID}_Enabled`]: 'true', [`MSIP_Label_${LABEL_GUID}_Name`]: 'Official' }),
      'word/header1.xml': wordParagraphs('OFFICIAL'),
      'word/footer1.xml': wordParagraphs('Page 1'),
      'word/styles.xml': '<w:styles/>'.repeat(2000),
      'word/media/image1.png': Buffer.alloc(20_000, 3),
    });
    const report = await analyse(docx, 'typical.docx');
    expect(report.detected).toMatchObject({ ext: 'docx', macros: false, encrypted: false });
    expect(report.unscannable).toBeNull();
    expect(report.markings.map((m) => m.level)).toContain('OFFICIAL');
    expect(report.nameTricks).toEqual([]);
  });
});
