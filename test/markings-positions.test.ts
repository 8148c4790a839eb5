import { describe, expect, it } from 'vitest';
import { excelHeaderText } from '../src/message/content/office-marking-text.js';
import { wordText } from '../src/message/content/office-xml.js';
import {
  markingInValue,
  markingsInBody,
  markingsInMsipProperties,
  markingsInSubject,
  markingsInText,
  normaliseMarkingText,
} from '../src/message/markings.js';
import type { MarkingHit } from '../src/message/model.js';
import { analyse, makeOptions } from './content/helpers.js';
import { ooxml, zip } from './content/builders.js';

const scheme = makeOptions().markings;
const shown = (hits: MarkingHit[]): string[] => hits.map((h) => (h.doubt ? `${h.level}?` : h.level));
const body = (s: string): string[] => shown(markingsInBody(s, scheme));
const subject = (s: string): string[] => shown(markingsInSubject(s, scheme));
const text = (s: string): string[] => shown(markingsInText(s, scheme, 'attachment:a.docx'));

describe('normalising what Word and Outlook type', () => {
  it('turns no-break hyphens, dashes and spaces into plain ones and drops soft hyphens and zero-width marks', () => {
    expect(normaliseMarkingText('OFFICIAL\u2011SENSITIVE')).toBe('OFFICIAL-SENSITIVE');
    expect(normaliseMarkingText('RESTR\u00ADIC\u200BTED\u00A0')).toBe('RESTRICTED ');
    expect(normaliseMarkingText('\uFF32\uFF25\uFF33\uFF34\uFF32\uFF29\uFF23\uFF34\uFF25\uFF24')).toBe('RESTRICTED');
    expect(subject('OFFICIAL\u2011SENSITIVE: referral')).toEqual(['OFFICIAL-SENSITIVE']);
    expect(subject('RE\u200BSTRICTED - figures')).toEqual(['RESTRICTED']);
    expect(body('Hello\n\u00A0OFFICIAL\u2010SENSITIVE\u00A0\nbye')).toEqual(['OFFICIAL-SENSITIVE']);
  });
});

describe('everyday phrases are not markings', () => {
  it.each([
    'PRIVATE & CONFIDENTIAL - reference request',
    'PRIVATE AND CONFIDENTIAL: offer letter',
    'Reference request - PERSONAL & CONFIDENTIAL',
    'STRICTLY CONFIDENTIAL: tender',
    'HIGHLY CONFIDENTIAL - board paper',
    'COMMERCIAL IN CONFIDENCE - pricing',
    'CONFIDENTIAL & PRIVATE - appraisal',
    'STAFF IN CONFIDENCE: sickness review',
    'MEDICAL IN CONFIDENCE',
  ])('subject %s', (s) => {
    expect(subject(s)).toEqual([]);
  });

  it('keeps real subject markings, CONFIDENTIAL included', () => {
    expect(subject('CONFIDENTIAL - staff review')).toEqual(['CONFIDENTIAL']);
    expect(subject('RESTRICTED: figures')).toEqual(['RESTRICTED']);
    expect(subject('[SECRET] plans')).toEqual(['SECRET']);
    expect(subject('PRIVATE & RESTRICTED - figures')).toEqual(['RESTRICTED']);
    expect(subject('HIGHLY RESTRICTED: rota')).toEqual(['RESTRICTED']);
  });
});

describe('markingsInBody', () => {
  it('counts the sender\'s own banners as before', () => {
    expect(body('OFFICIAL-SENSITIVE\n\nJoseph,\nThe summary follows.')).toEqual(['OFFICIAL-SENSITIVE']);
    expect(body('Protective Marking: RESTRICTED\n\nKieran,')).toEqual(['RESTRICTED']);
    expect(body('Protective Marking: Confidential\n\nKieran,')).toEqual(['CONFIDENTIAL']);
    expect(body('Security Classification: CONFIDENTIAL')).toEqual(['CONFIDENTIAL']);
  });

  it('holds a bare CONFIDENTIAL, and ignores the mixed-case labels of other organisations', () => {
    expect(body('CONFIDENTIAL\n\nMr Clarke,')).toEqual(['CONFIDENTIAL?']);
    expect(body('Classification: CONFIDENTIAL')).toEqual(['CONFIDENTIAL?']);
    expect(body('Classification: Confidential\nSensitivity: Confidential')).toEqual([]);
    expect(body('Classification: Restricted')).toEqual(['RESTRICTED']);
    expect(body('Sensitivity: OFFICIAL-SENSITIVE')).toEqual(['OFFICIAL-SENSITIVE']);
  });

  it('makes a marking in quoted history doubtful, and a doubtful one there nothing', () => {
    const gmail = 'Thanks, fine.\n\nOn Mon, 3 Mar 2025 at 10:02, Priya Shah <priya.shah@met.police.uk>\nwrote:\n\nRESTRICTED\n\nThe profile.\nCONFIDENTIAL\n';
    expect(body(gmail)).toEqual(['RESTRICTED?']);
    const outlook = 'Fine.\n\n________________________________\nFrom: Priya Shah\nSent: 03 March 2025 10:02\nTo: Hannah\nSubject: x\n\nOFFICIAL-SENSITIVE\n';
    expect(body(outlook)).toEqual(['OFFICIAL-SENSITIVE?']);
    expect(body('Fine.\n\n-----Original Message-----\nSECRET\n')).toEqual(['SECRET?']);
    expect(body('Fine.\n\n---------- Forwarded message ---------\nRESTRICTED\n')).toEqual(['RESTRICTED?']);
    expect(body('Fine.\n> RESTRICTED\n> the profile\n')).toEqual(['RESTRICTED?']);
  });

  it('prefers the sender\'s own marking to the same level in history', () => {
    const hits = markingsInBody('RESTRICTED\n\nFine.\n\n-----Original Message-----\nRESTRICTED\n', scheme);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.doubt).toBeUndefined();
  });

  it('ignores a CONFIDENTIAL heading of a disclaimer and doubts a marking inside one', () => {
    const disclaimer = 'This email and any attachments are confidential and intended solely for the addressee.';
    expect(body(`Hello,\n\nCONFIDENTIAL\n\n${disclaimer}`)).toEqual([]);
    expect(body(`Hello,\n\nCONFIDENTIAL\n${disclaimer}`)).toEqual([]);
    expect(body(`Hello,\n\nThis email is confidential and intended\nCONFIDENTIAL\nsolely for the addressee.`)).toEqual([]);
    expect(body(`Hello,\n\nCONFIDENTIAL: This email is intended solely for the addressee.\nRESTRICTED`)).toEqual(['RESTRICTED?']);
    // A real marking just above the disclaimer still counts, as does one above it in a single-paragraph HTML body.
    expect(body(`Hello,\n\nRESTRICTED\n${disclaimer}`)).toEqual(['RESTRICTED']);
    expect(body(`Hello,\n\nRESTRICTED\n\n${disclaimer}`)).toEqual(['RESTRICTED']);
    expect(body(`OFFICIAL-SENSITIVE\nJoseph,\nThe summary.\nKind regards\n${disclaimer}`)).toEqual(['OFFICIAL-SENSITIVE']);
  });

  it('stays linear on a huge body with a candidate line', () => {
    const huge = `RESTRICTED\n${'On a day somebody\n'.repeat(200_000)}${'> x\n'.repeat(200_000)}${'y'.repeat(1_000_000)}\n`;
    const started = performance.now();
    expect(body(huge)).toEqual(['RESTRICTED']);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('labels and properties', () => {
  const id = 'f42aa342-8706-4288-bd11-ebb85995028c';
  const label = (name: string): [string, string][] => [
    [`MSIP_Label_${id}_Enabled`, 'true'],
    [`MSIP_Label_${id}_Name`, name],
  ];

  it("ignores Microsoft's title-case 'Confidential' label but keeps our labels", () => {
    expect(shown(markingsInMsipProperties(label('Confidential'), scheme, 'x'))).toEqual([]);
    expect(shown(markingsInMsipProperties(label('CONFIDENTIAL'), scheme, 'x'))).toEqual(['CONFIDENTIAL']);
    expect(shown(markingsInMsipProperties(label('Official Sensitive'), scheme, 'x'))).toEqual(['OFFICIAL-SENSITIVE']);
    expect(shown(markingsInMsipProperties(label('Restricted'), scheme, 'x'))).toEqual(['RESTRICTED']);
  });

  it('doubts a mixed-case Confidential document property', () => {
    expect(markingInValue('Confidential', scheme, 'x')?.doubt).toMatch(/mixed case/);
    expect(markingInValue('CONFIDENTIAL', scheme, 'x')?.doubt).toBeUndefined();
    expect(markingInValue('Restricted', scheme, 'x')?.doubt).toBeUndefined();
  });
});

describe('Office text', () => {
  it('strips Excel header codes, one line per section', () => {
    expect(excelHeaderText('&L&"Arial,Bold"&12RESTRICTED&CPage &P of &N&R&KFF0000Tom && Jerry')).toBe('\nRESTRICTED\nPage  of \nTom & Jerry');
    expect(text(excelHeaderText('&C&"Arial"OFFICIAL&"Arial,Bold"-SENSITIVE'))).toEqual(['OFFICIAL-SENSITIVE']);
  });

  it('reads watermarks, text boxes and Word special characters', () => {
    const xml =
      '<w:hdr><w:p><w:r><w:pict><v:shapetype><v:textpath on="t"/></v:shapetype><v:shape><v:textpath style="x" string="OFFICIAL&#8209;SENSITIVE"/></v:shape></w:pict></w:r></w:p>' +
      '<w:p><w:r><w:t>RESTR</w:t></w:r><w:r><w:softHyphen/><w:t>ICTED</w:t></w:r></w:p>' +
      '<w:p><w:r><w:t>TOP</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t><w:t>SECRET</w:t></w:r><w:r><w:delText>x</w:delText></w:r></w:p></w:hdr>';
    expect(text(wordText(xml))).toEqual(['OFFICIAL-SENSITIVE', 'RESTRICTED', 'TOP SECRET']);
    expect(text(wordText('<w:p><w:r><w:t>OFFICIAL</w:t></w:r><w:r><w:noBreakHyphen/><w:t>SENSITIVE</w:t></w:r></w:p>'))).toEqual(['OFFICIAL-SENSITIVE']);
  });

  const sheet = (headerFooter: string, rows = 1): string =>
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    Array.from({ length: rows }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>value ${i} ${'x'.repeat(40)}</t></is></c></row>`).join('') +
    `</sheetData>${headerFooter}</worksheet>`;

  it('finds a marking in an xlsx print header, first-page footer or chartsheet', async () => {
    const file = await ooxml('xlsx', {
      'xl/worksheets/sheet1.xml': sheet('<headerFooter differentFirst="1"><oddHeader>&amp;CWard figures</oddHeader><firstFooter>&amp;C&amp;14RESTRICTED</firstFooter></headerFooter>'),
      'xl/chartsheets/sheet1.xml': '<chartsheet><headerFooter><oddHeader>&amp;LSECRET</oddHeader></headerFooter></chartsheet>',
    });
    const report = await analyse(file, 'figures.xlsx');
    expect(report.markings.map((m) => m.level).sort()).toEqual(['RESTRICTED', 'SECRET']);
  });

  it('streams a worksheet too big to read whole to its headerFooter', async () => {
    const big = sheet('<x:headerFooter><x:oddHeader>&amp;COFFICIAL-SENSITIVE</x:oddHeader></x:headerFooter>', 30_000);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const report = await analyse(await ooxml('xlsx', { 'xl/worksheets/sheet1.xml': big }), 'big.xlsx');
    expect(report.markings.map((m) => m.level)).toEqual(['OFFICIAL-SENSITIVE']);
  });

  it('finds a Word header part by its relationship, whatever its name, and not a look-alike', async () => {
    const rels =
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="parts/../firstPage.xml"/></Relationships>';
    const marked = await ooxml('docx', {
      'word/_rels/document.xml.rels': rels,
      'word/firstPage.xml': '<w:hdr><w:p><w:r><w:t>RESTRICTED</w:t></w:r></w:p></w:hdr>',
    });
    expect((await analyse(marked, 'a.docx')).markings.map((m) => m.level)).toEqual(['RESTRICTED']);
    const unreferenced = await ooxml('docx', { 'word/notes.xml': '<w:hdr><w:p><w:r><w:t>RESTRICTED</w:t></w:r></w:p></w:hdr>' });
    expect((await analyse(unreferenced, 'b.docx')).markings).toEqual([]);
  });

  it('stays bounded on hostile workbooks: many huge sheets, an endless headerFooter', async () => {
    const filler = `<worksheet><sheetData>${'<row><c><v>1</v></c></row>'.repeat(300_000)}</sheetData>`;
    const sheets: Record<string, string> = {};
    for (let i = 1; i <= 10; i += 1) sheets[`xl/worksheets/sheet${i}.xml`] = filler;
    sheets['xl/worksheets/sheet11.xml'] = `<worksheet><headerFooter><oddHeader>${'&amp;CRESTRICTED '.repeat(20_000)}`;
    const started = performance.now();
    const report = await analyse(await ooxml('xlsx', sheets), 'hostile.xlsx');
    expect(performance.now() - started).toBeLessThan(8000);
    // The unterminated element is read as far as the cap: what it shows still counts.
    expect(report.markings.map((m) => m.level)).toEqual(['RESTRICTED']);
  });

  it('reads a banner in the first paragraphs of a Word body, not one further down', async () => {
    const doc = (paras: string[]): string =>
      `<w:document><w:body>${paras.map((p) => `<w:p><w:r><w:t>${p}</w:t></w:r></w:p>`).join('')}</w:body></w:document>`;
    const top = await ooxml('docx', { 'word/document.xml': doc(['', 'OFFICIAL-SENSITIVE', 'Referral', ...Array.from({ length: 20_000 }, () => 'x'.repeat(40))]) });
    expect((await analyse(top, 'a.docx')).markings.map((m) => m.level)).toEqual(['OFFICIAL-SENSITIVE']);
    const deep = await ooxml('docx', { 'word/document.xml': doc(['Referral', 'a', 'b', 'c', 'd', 'e', 'f', 'RESTRICTED']) });
    expect((await analyse(deep, 'b.docx')).markings).toEqual([]);
  });

  it('reads the page headers of an OpenDocument text', async () => {
    const styles =
      '<office:document-styles><office:master-styles><style:master-page style:name="Standard"><style:header><text:p>Lambeth</text:p></style:header>' +
      '<style:footer-first><text:p text:style-name="F">OFFICIAL<text:s/>SENSITIVE</text:p></style:footer-first></style:master-page></office:master-styles>' +
      '<office:body><text:p>RESTRICTED</text:p></office:body></office:document-styles>';
    const file = await zip({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<office:document-content/>', 'styles.xml': styles });
    expect((await analyse(file, 'a.odt')).markings.map((m) => m.level)).toEqual(['OFFICIAL-SENSITIVE']);
  });

  it('reads PowerPoint slide masters', async () => {
    const master = '<p:sldMaster><p:cSld><p:spTree><p:sp><a:p><a:r><a:t>OFFICIAL-SENSITIVE</a:t></a:r></a:p></p:sp></p:spTree></p:cSld></p:sldMaster>';
    const file = await ooxml('pptx', { 'ppt/slideMasters/slideMaster1.xml': master });
    expect((await analyse(file, 'deck.pptx')).markings.map((m) => m.level)).toEqual(['OFFICIAL-SENSITIVE']);
  });
});
