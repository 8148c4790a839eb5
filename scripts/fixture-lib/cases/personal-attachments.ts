/**
 * Attachments on personal mail: only macro-free Word and Excel files (doc, docx, xls, xlsx) by
 * true type; no images, sound or video except small inline logos (MPS Personal Use SOP 3.4, 4.3).
 */
import { legacyDoc } from '../cfb-files.js';
import { peExe } from '../executables.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { logoPng, mp3, mp4, pdf, photoJpeg, photoPng, png, wav } from '../media.js';
import { encodedWords, file } from '../mime.js';
import { docx, xlsx } from '../ooxml.js';
import { alexHome, family, staff } from '../people.js';
import { zipBuffer } from '../zip.js';
import { CT, htmlWithInlineImage, personalText, personalWithFiles } from './common.js';

const { alex, priya, daniel, james } = staff;

export const personalAttachmentCases: FixtureCase[] = [
  messageCase({
    file: 'personal/docx.eml',
    description: 'Personal mail with a macro-free docx: allowed.',
    from: alex.mailbox,
    to: [family.club.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Club newsletter piece',
      body: personalWithFiles('Hi,\n\nMy piece for the March newsletter is attached. Cut it as you need to.', [
        file(await docx({ title: 'Newsletter', paragraphs: ['Cross-country season round-up', 'Twelve of us ran at Parliament Hill, and the mud was as deep as ever.'] }), { filename: 'Newsletter - XC round-up.docx', contentType: CT.docx }),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/xlsx.eml',
    description: 'Personal mail with a macro-free xlsx: allowed.',
    from: daniel.mailbox,
    to: [family.ben.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Fantasy league table',
      body: personalWithFiles('Ben,\n\nTable attached, you are still bottom.', [
        file(await xlsx({ sheetName: 'Table', rows: [['Team', 'Points'], ['Okoro Athletic', 1432], ['Carter United', 1201]] }), { filename: 'League table GW27.xlsx', contentType: CT.xlsx }),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/legacy-doc.eml',
    description: 'Personal mail with a macro-free Word 97-2003 .doc: allowed.',
    from: alex.mailbox,
    to: [family.mum.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: () => ({
      subject: '[Personal] Letter for the council tax',
      body: personalWithFiles('Mum,\n\nHere is the letter, in the old Word format so it opens on your laptop.', [
        file(legacyDoc({ text: 'Dear Sir or Madam,\nI write to ask for the single person discount to be applied from 1 April.' }), { filename: 'Council tax letter.doc', contentType: CT.doc }),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/pdf.eml',
    description: 'Personal mail with a PDF: not a Word or Excel file.',
    from: alex.mailbox,
    to: [alexHome.gmail.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type'], absent: ['personal-media', 'business-to-home-address'], marking: null, personal: true },
    message: () => ({
      subject: '[Personal] Car insurance renewal',
      body: personalWithFiles('Renewal documents to print at home.', [file(pdf('Motor insurance renewal', ['Policy MTR-4471-22', 'Renewal date 1 April 2025']), { filename: 'Insurance renewal.pdf', contentType: CT.pdf })]),
    }),
  }),
  messageCase({
    file: 'personal/jpg.eml',
    description: 'Personal mail with a JPEG photo: media (left by the attachment-type rule to the media rule).',
    from: james.mailbox,
    to: [family.ben.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: () => ({
      subject: '[Personal] Photo from Saturday',
      body: personalWithFiles('Ben,\n\nThe photo from the match.', [file(photoJpeg('Apple iPhone 13'), { filename: 'IMG_2041.jpg', contentType: CT.jpeg })]),
    }),
  }),
  messageCase({
    file: 'personal/signature-logo.eml',
    description: 'Personal HTML mail whose signature has a small inline logo (cid:, under 20 KB): exempt from the media rule.',
    from: alex.mailbox,
    to: [family.club.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-media', 'personal-attachment-type'], marking: null, personal: true },
    message: () => ({
      subject: '[Personal] Entry for the Hastings half',
      body: htmlWithInlineImage(personalText('Hi,\n\nPlease put me down for the club entry to the Hastings half. I will pay at Tuesday training.', 'Alex Turner'), logoPng(), 'image001.png@01DB8C3A.5F2E1B40', 'Metropolitan Police'),
    }),
  }),
  messageCase({
    file: 'personal/large-inline-image.eml',
    description: 'Personal HTML mail embedding a 37 KB photo by Content-ID: over the logo size, so media.',
    from: alex.mailbox,
    to: [family.sam.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], marking: null, personal: true },
    message: () => ({
      subject: '[Personal] Meet Biscuit',
      body: htmlWithInlineImage(personalText('Sam,\n\nWe picked up the puppy on Saturday. Meet Biscuit!'), photoPng(128, 96), 'biscuit.png@01DB8C3A.6A1C2D30', 'Biscuit'),
    }),
  }),
  messageCase({
    file: 'personal/docm.eml',
    description: 'Personal mail with a macro-enabled .docm: not macro-free, so not allowed (macro-documents is a business-mail rule).',
    from: priya.mailbox,
    to: [family.ben.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type'], absent: ['macro-documents'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Quiz night score sheet',
      body: personalWithFiles('Ben,\n\nThe score sheet that adds itself up.', [
        file(await docx({ paragraphs: ['Quiz night', 'Round | Team | Score'], vba: { module: 'ThisDocument', source: 'Sub AutoOpen()\n    ActiveDocument.Fields.Update\nEnd Sub\n' } }), { filename: 'Quiz score sheet.docm', contentType: CT.docm }),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/encoded-subject-pdf.eml',
    description: 'The [Personal] tag inside a base64 encoded-word subject, with a PDF: the decoded subject is what counts.',
    from: priya.mailbox,
    to: [family.mum.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type'], marking: null, personal: true },
    message: () => ({
      rawSubject: encodedWords("[Personal] Zoë's christening – order of service"),
      body: personalWithFiles('Mum,\n\nThe order of service to print.', [file(pdf('Order of service', ['Welcome', 'Reading', 'Blessing']), { filename: 'Order of service.pdf', contentType: CT.pdf })]),
    }),
  }),
  messageCase({
    file: 'personal/exe.eml',
    description: 'Personal mail with an executable: both the personal attachment rule and the executable rule.',
    from: james.mailbox,
    to: [family.ben.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type', 'executable-content'], absent: ['personal-media'], marking: null, personal: true },
    message: () => ({ subject: '[Personal] The game I told you about', body: personalWithFiles('Ben,\n\nHere it is.', [file(peExe('Retro Racer'), { filename: 'RetroRacer.exe', contentType: 'application/x-msdownload' })]) }),
  }),
  messageCase({
    file: 'personal/zip-of-docx.eml',
    description: 'Personal mail with a zip holding only docx files: the zip itself is not a Word or Excel file (archives included).',
    from: alex.mailbox,
    to: [family.club.mailbox],
    expect: { decision: 'reject', rules: ['personal-attachment-type'], absent: ['executable-content', 'unscannable'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Results write-ups',
      body: personalWithFiles('Both write-ups zipped together.', [
        file(
          await zipBuffer([
            { path: 'XC results.docx', data: await docx({ paragraphs: ['XC results'] }) },
            { path: 'Track results.docx', data: await docx({ paragraphs: ['Track results'] }) },
          ]),
          { filename: 'Write-ups.zip', contentType: CT.zip },
        ),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/mp3.eml',
    description: 'Personal mail with an MP3 (sound).',
    from: priya.mailbox,
    to: [family.mum.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: () => ({ subject: '[Personal] The song for the party', body: personalWithFiles('Mum,\n\nThis is the one.', [file(mp3('First dance'), { filename: 'First dance.mp3', contentType: CT.mp3 })]) }),
  }),
  messageCase({
    file: 'personal/mp4.eml',
    description: 'Personal mail with an MP4 video.',
    from: alex.mailbox,
    to: [family.sam.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: () => ({ subject: '[Personal] Video from the finish line', body: personalWithFiles('Look at your face!', [file(mp4(3000), { filename: 'finish.mp4', contentType: CT.mp4 })]) }),
  }),
  messageCase({
    file: 'personal/jpg-named-docx.eml',
    description: 'A JPEG photo named holiday-letter.docx on personal mail: the true type (image) decides, so media, not attachment type.',
    from: james.mailbox,
    to: [family.ben.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], absent: ['personal-attachment-type'], marking: null, personal: true },
    message: () => ({ subject: '[Personal] Holiday letter', body: personalWithFiles('Ben,\n\nThe letter for the villa.', [file(photoJpeg('Pixel 7'), { filename: 'holiday-letter.docx', contentType: CT.docx })]) }),
  }),
  messageCase({
    file: 'personal/lowercase-tag-wav.eml',
    description: "The tag in lower case ('[personal]') still tags the mail; a WAV voice note is media.",
    from: daniel.mailbox,
    to: [family.ben.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], marking: null, personal: true },
    message: () => ({ subject: '[personal] voice note from the twins', body: personalWithFiles('They insisted.', [file(wav(5000), { filename: 'twins.wav', contentType: CT.wav })]) }),
  }),
  messageCase({
    file: 'personal/uppercase-tag-png.eml',
    description: "'[PERSONAL]' in upper case, not after a marking: the tag; the PNG map is media (attached, so the inline-logo exemption does not apply).",
    from: alex.mailbox,
    to: [priya.mailbox],
    expect: { decision: 'reject', rules: ['personal-media'], marking: null, personal: true },
    message: () => ({
      subject: '[PERSONAL] Car share to Hendon',
      body: personalWithFiles('Priya,\n\nPick-up point marked on the map.', [file(png(80, 60, (x, y) => (Math.abs(x - 40) + Math.abs(y - 30) < 6 ? [220, 20, 20] : [230, 230, 210])), { filename: 'pickup-map.png', contentType: CT.png })]),
    }),
  }),
];
