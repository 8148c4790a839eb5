/** Business mail carrying macro-enabled Office files: held for review (Information Code of Conduct). */
import { legacyDoc, legacyXls } from '../cfb-files.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { file } from '../mime.js';
import { docx, xlsx } from '../ooxml.js';
import { external, staff } from '../people.js';
import { CT, businessText, withFiles } from './common.js';

const { alex, daniel, sarah, marcus, hannah } = staff;

const rosterMacro = {
  module: 'ThisDocument',
  source: 'Sub AutoOpen()\n    \' Fill the roster table from the shift pattern\n    Dim r As Integer\n    For r = 1 To 28\n        ActiveDocument.Tables(1).Cell(r + 1, 1).Range.Text = Format(DateAdd("d", r - 1, Date), "ddd dd mmm")\n    Next r\nEnd Sub\n',
};

export const macroCases: FixtureCase[] = [
  messageCase({
    file: 'macro/docm-roster.eml',
    description: 'A .docm (macro-enabled content type and word/vbaProject.bin) on business mail: quarantine.',
    from: marcus.mailbox,
    to: [sarah.mailbox],
    expect: { decision: 'quarantine', rules: ['macro-documents'], absent: ['personal-attachment-type', 'executable-content'], marking: null },
    message: async () => ({
      subject: 'Roster generator - updated',
      body: withFiles(businessText(marcus, 'Sarah,\n\nThe roster generator with the fix for the leap year. You will need to enable content when it opens.'), [
        file(await docx({ paragraphs: ['Team C roster', 'Date | Earlies | Lates | Nights'], vba: rosterMacro }), { filename: 'Roster generator v3.docm', contentType: CT.docm }),
      ]),
    }),
  }),
  messageCase({
    file: 'macro/xlsm-order-form.eml',
    description: 'An .xlsm with xl/vbaProject.bin sent to a supplier: quarantine.',
    from: sarah.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'quarantine', rules: ['macro-documents'], marking: null },
    message: async () => ({
      subject: 'Uniform order - SE BCU March',
      body: withFiles(businessText(sarah, 'Hello,\n\nOur March order is on the attached form. The totals button recalculates the delivery charge.'), [
        file(
          await xlsx({
            sheetName: 'Order',
            rows: [['Item', 'Size', 'Qty'], ['Wicking T-shirt', 'M', 12], ['Wicking T-shirt', 'L', 9], ['Fleece', 'L', 4]],
            vba: { module: 'ThisWorkbook', source: 'Sub Workbook_Open()\n    Sheets("Order").Range("E1").Value = "Delivery: " & Format(Now, "dd/mm/yyyy")\nEnd Sub\n' },
          }),
          { filename: 'SE BCU uniform order March.xlsm', contentType: CT.xlsm },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'macro/doc-with-vba.eml',
    description: 'A legacy .doc with a Macros/VBA storage (AutoOpen): quarantine.',
    from: daniel.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'quarantine', rules: ['macro-documents'], marking: null },
    message: () => ({
      subject: 'Stop and search tally sheet',
      body: withFiles(businessText(daniel, 'Alex,\n\nThe tally sheet the late turn uses. It adds the totals itself when you open it.'), [
        file(legacyDoc({ text: 'Stop and search tally - Team C\nDate:\nOfficer:\nGrounds:', vba: rosterMacro }), { filename: 'S&S tally.doc', contentType: CT.doc }),
      ]),
    }),
  }),
  messageCase({
    file: 'macro/xls-with-vba.eml',
    description: 'A legacy .xls with a _VBA_PROJECT_CUR storage: quarantine.',
    from: hannah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'quarantine', rules: ['macro-documents'], marking: null },
    message: () => ({
      subject: 'Burglary hotspot tracker',
      body: withFiles(businessText(hannah, 'Alex,\n\nThe old tracker with the refresh macro, as discussed.'), [
        file(
          legacyXls({
            sheetName: 'Hotspots',
            cells: ['Ward', 'Catford South', 'Rushey Green', 'Lewisham Central'],
            vba: { module: 'ThisWorkbook', source: 'Private Sub Workbook_Open()\n    Application.Calculate\nEnd Sub\n' },
          }),
          { filename: 'Burglary hotspot tracker.xls', contentType: CT.xls },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'macro/xlsx-xlm-macrosheet.eml',
    description: 'An .xlsx whose workbook hides an Excel 4.0 macro sheet (xl/macrosheets/sheet1.xml, Auto_Open): macros despite the name and type.',
    from: alex.mailbox,
    to: [hannah.mailbox],
    expect: { decision: 'quarantine', rules: ['macro-documents'], marking: null },
    message: async () => ({
      subject: 'FW: Outstanding invoice March',
      body: withFiles(businessText(alex, 'Hannah,\n\nThis came into the team mailbox, can you have a look before anyone opens it? Looks odd to me.'), [
        file(await xlsx({ sheetName: 'Invoice', rows: [['Invoice', 'INV-30391'], ['Amount', 1420.5]], xlmFormulas: ['EXEC("rundll32.exe shell32.dll,Control_RunDLL")', 'HALT()'] }), {
          filename: 'Invoice_INV-30391.xlsx',
          contentType: CT.xlsx,
        }),
      ]),
    }),
  }),
];
