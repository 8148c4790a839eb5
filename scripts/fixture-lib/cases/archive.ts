/**
 * Archives opened and inspected member by member (zip, nested zip, gzip, tar.gz), and content
 * that cannot be inspected: encrypted zip and Office files, a zip bomb, 7z, RAR, TNEF.
 */
import { encryptedOfficeFile } from '../cfb-files.js';
import { peExe, rar5, sevenZip, tnef } from '../executables.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { file } from '../mime.js';
import { docx } from '../ooxml.js';
import { external, secure, staff } from '../people.js';
import { gzipBuffer, markZipEncrypted, tarBuffer, zipBomb, zipBuffer } from '../zip.js';
import { CT, businessText, withFiles } from './common.js';

const { alex, priya, daniel, sarah, james, hannah, marcus } = staff;

const statement = (who: string) =>
  docx({ title: `Statement of ${who}`, paragraphs: [`Statement of ${who}`, 'I am the occupier of the address and I make this statement about the events of 28 February 2025.'] });

/** Bytes the zip bomb expands to: past both the 100 MB expanded limit and the 100:1 ratio. */
export const ZIP_BOMB_EXPANDED = 128 * 1024 * 1024;

export const archiveCases: FixtureCase[] = [
  messageCase({
    file: 'archive/zip-with-exe.eml',
    description: 'A zip whose one member is a PE executable.',
    from: alex.mailbox,
    to: [hannah.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['unscannable'], marking: null },
    message: async () => ({
      subject: 'FW: Scanned invoice',
      body: withFiles(businessText(alex, 'Hannah,\n\nZip from an unknown sender, forwarded for checking.'), [
        file(await zipBuffer([{ path: 'Invoice scan 0325.exe', data: peExe('Invoice') }]), { filename: 'Invoice scan 0325.zip', contentType: CT.zip }),
      ]),
    }),
  }),
  messageCase({
    file: 'archive/zip-nested-exe.eml',
    description: 'zip in zip in zip, with an executable at the bottom (depth 3, inside the default limit of 5).',
    from: priya.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['unscannable'], marking: null },
    message: async () => {
      const inner = await zipBuffer([{ path: 'viewer/ExhibitViewer.exe', data: peExe('Exhibit Viewer') }]);
      const middle = await zipBuffer([
        { path: 'exhibits/tools.zip', data: inner },
        { path: 'exhibits/README.txt', data: Buffer.from('Open the viewer to see the exhibits.\r\n') },
      ]);
      const outer = await zipBuffer([
        { path: 'bundle/exhibits.zip', data: middle },
        { path: 'bundle/Index.docx', data: await docx({ paragraphs: ['Index of exhibits', 'PS/1 CCTV still', 'PS/2 Photographs'] }) },
      ]);
      return {
        subject: 'Exhibit bundle - R v HOLLIS',
        body: withFiles(businessText(priya, 'Mr Clarke,\n\nThe exhibit bundle as requested. The viewer is needed for the CCTV stills.'), [file(outer, { filename: 'Exhibit bundle.zip', contentType: CT.zip })]),
      };
    },
  }),
  messageCase({
    file: 'archive/zip-docx-only.eml',
    description: 'A zip of two macro-free docx files on business mail: opened, inspected, nothing found.',
    from: alex.mailbox,
    to: [secure.cps.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['unscannable', 'executable-content', 'macro-documents'], marking: null },
    message: async () => ({
      subject: 'Further statements - R v HOLLIS',
      body: withFiles(businessText(alex, 'Rachel,\n\nTwo further statements from the house-to-house, zipped to get past the size limit on your side.'), [
        file(
          await zipBuffer([
            { path: 'Statement - J Adeyemi.docx', data: await statement('Julie ADEYEMI') },
            { path: 'Statement - R Nowak.docx', data: await statement('Robert NOWAK') },
          ]),
          { filename: 'Statements 2.zip', contentType: CT.zip },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'archive/tar-gz-script.eml',
    description: 'A tar.gz holding a PowerShell script among other files.',
    from: marcus.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: async () => ({
      subject: 'Door entry controller config',
      body: withFiles(businessText(marcus, 'Hello,\n\nThe configuration export and the install script for the new controller.'), [
        file(
          gzipBuffer(
            await tarBuffer([
              { name: 'controller/README.txt', data: Buffer.from('Run install.ps1 as administrator.\n') },
              { name: 'controller/site.conf', data: Buffer.from('site=LEWISHAM\ndoors=14\n') },
              { name: 'controller/install.ps1', data: Buffer.from('Copy-Item .\\site.conf C:\\Controller\\site.conf\r\nRestart-Service DoorController\r\n'), mode: 0o755 },
            ]),
            'controller-config.tar',
          ),
          { filename: 'controller-config.tar.gz', contentType: CT.gzip },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'archive/gzip-exe.eml',
    description: 'A gzip file whose content is a PE executable.',
    from: marcus.mailbox,
    to: [daniel.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: () => ({
      subject: 'MDT agent update',
      body: withFiles(businessText(marcus, 'Dan,\n\nCompressed so it gets through. Unzip with 7-Zip and run it on the MDTs.'), [
        file(gzipBuffer(peExe('MDT Agent'), 'mdt-agent-update.exe'), { filename: 'mdt-agent-update.gz', contentType: CT.gzip }),
      ]),
    }),
  }),
  messageCase({
    file: 'unscannable/zip-encrypted.eml',
    description: 'A password-protected zip (general purpose bit 0 set on every member, local and central headers).',
    from: priya.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['executable-content'], marking: null },
    message: async () => ({
      subject: 'Disclosure bundle (password to follow by phone)',
      body: withFiles(businessText(priya, 'Mr Clarke,\n\nThe disclosure bundle is attached. I will phone with the password.'), [
        file(markZipEncrypted(await zipBuffer([{ path: 'Disclosure/Interview summary.docx', data: await statement('Darren HOLLIS') }])), {
          filename: 'Disclosure bundle.zip',
          contentType: CT.zip,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'unscannable/zip-bomb.eml',
    description: 'A zip bomb: one member expands to 128 MiB of zeros (ratio about 1,000:1), past the ratio and expanded-size limits.',
    from: hannah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['malformed'], marking: null },
    message: async () => ({
      subject: 'ANPR export',
      body: withFiles(businessText(hannah, 'Alex,\n\nThe ANPR export you asked for. It is big once unzipped.'), [
        file(await zipBomb('anpr-export-feb.csv', ZIP_BOMB_EXPANDED), { filename: 'anpr-export-feb.zip', contentType: CT.zip }),
      ]),
    }),
  }),
  messageCase({
    file: 'unscannable/seven-zip.eml',
    description: 'A 7z archive: a format we cannot open.',
    from: alex.mailbox,
    to: [secure.kent.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], marking: null },
    message: () => ({
      subject: 'Cross-border job - phone download',
      body: withFiles(businessText(alex, 'Tom,\n\nThe phone download report from our side, 7-Zipped as your system wanted.'), [
        file(sevenZip('phone-download.7z'), { filename: 'phone-download-report.7z', contentType: 'application/x-7z-compressed' }),
      ]),
    }),
  }),
  messageCase({
    file: 'unscannable/rar.eml',
    description: 'A RAR 5 archive: a format we cannot open.',
    from: james.mailbox,
    to: [sarah.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], marking: null },
    message: () => ({
      subject: 'Body-worn stills',
      body: withFiles(businessText(james, 'Ma\'am,\n\nThe stills from last night, compressed.'), [file(rar5('bwv-stills.rar'), { filename: 'bwv-stills.rar', contentType: CT.octet })]),
    }),
  }),
  messageCase({
    file: 'unscannable/docx-password.eml',
    description: 'A password-protected docx: a CFB with EncryptionInfo and EncryptedPackage, not a zip.',
    from: sarah.mailbox,
    to: [daniel.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['macro-documents'], marking: null },
    message: () => ({
      subject: 'Team C appraisals',
      body: withFiles(businessText(sarah, 'Dan,\n\nThe appraisal notes, password as usual.'), [
        file(encryptedOfficeFile('team-c-appraisals', 18_432), { filename: 'Team C appraisals.docx', contentType: CT.docx }),
      ]),
    }),
  }),
  messageCase({
    file: 'archive/tnef-winmail-docx.eml',
    description: 'A winmail.dat (TNEF, signature 0x223E9F78) carrying a docx: decoded, and the docx inside inspected like any attachment.',
    from: sarah.mailbox,
    to: [external.venue.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['unscannable', 'executable-content'], marking: null },
    message: async () => ({
      subject: 'Community event - running order',
      extraHeaders: [['X-MS-TNEF-Correlator', '<LO4P123MB6543A1B2C3D4E5F6@LO4P123MB6543.GBRP123.PROD.OUTLOOK.COM>']],
      body: withFiles(businessText(sarah, 'Hello,\n\nThe running order for the community event is attached.'), [
        file(tnef('Running order.docx', await docx({ paragraphs: ['Running order', '18:00 Doors', '18:30 Welcome - Insp Whitfield'] })), {
          filename: 'winmail.dat',
          contentType: CT.tnef,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'executable/tnef-winmail-exe.eml',
    description: 'A winmail.dat (TNEF) carrying a Windows executable named like a document: decoded, and the executable inside found.',
    from: sarah.mailbox,
    to: [external.venue.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: async () => ({
      subject: 'Community event - seating plan',
      extraHeaders: [['X-MS-TNEF-Correlator', '<LO4P123MB6543A1B2C3D4E5F7@LO4P123MB6543.GBRP123.PROD.OUTLOOK.COM>']],
      body: withFiles(businessText(sarah, 'Hello,\n\nThe seating plan is attached.'), [
        file(tnef('Seating plan.docx', peExe()), {
          filename: 'winmail.dat',
          contentType: CT.tnef,
        }),
      ]),
    }),
  }),
];
