/** Ordinary business mail that must pass, and business mail with macro-enabled Office files. */
import { legacyDoc, legacyXls } from '../cfb-files.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { gif, logoPng, pdf, photoJpeg, png, wav } from '../media.js';
import { file, multipart, text } from '../mime.js';
import { docx, xlsx } from '../ooxml.js';
import { colleagues, external, secure, staff } from '../people.js';
import { CT, alternative, businessText, htmlOf, withFiles } from './common.js';

const { alex, priya, daniel, sarah, james, hannah, marcus } = staff;

const statementDocx = () =>
  docx({
    title: 'MG11 Witness Statement',
    author: 'Alex Turner',
    paragraphs: [
      'WITNESS STATEMENT (Criminal Justice Act 1967, s.9; Magistrates Court Act 1980, ss.5A(3)(a) and 5B)',
      'Statement of: Kevin OSEI    Age if under 18: Over 18    Occupation: Delivery driver',
      'This statement (consisting of 2 pages each signed by me) is true to the best of my knowledge and belief.',
      'On Friday 28th February 2025 at about 21:40 I was parked on Rushey Green, SE6, when I saw a man in a dark hooded top try the doors of three parked cars.',
      'I would recognise the man again if I saw him.',
    ],
  });

export const businessCases: FixtureCase[] = [
  messageCase({
    file: 'business/witness-statement-docx.eml',
    description: 'Business mail to a colleague with a macro-free docx and an OFFICIAL banner: nothing to find.',
    from: alex.mailbox,
    to: [priya.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['macro-documents', 'executable-content', 'unscannable'], marking: 'OFFICIAL', personal: false },
    message: async () => ({
      subject: 'MG11 - K Osei - CR/0041234/25',
      body: withFiles(
        businessText(alex, 'Priya,\n\nAttached is the draft MG11 from the witness in the Rushey Green vehicle crime job. Can you check it over before I send it to the case progression unit?', 'OFFICIAL'),
        [file(await statementDocx(), { filename: 'MG11 - K Osei - CR-0041234-25.docx', contentType: CT.docx })],
      ),
    }),
  }),
  messageCase({
    file: 'business/ward-panel-xlsx-external.eml',
    description: 'Business mail to a council partner (external, not secure) with an xlsx: allowed.',
    from: sarah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'business-to-webmail'], marking: null },
    message: async () => ({
      subject: 'Catford ward panel - attendance and priorities',
      body: withFiles(
        businessText(sarah, 'Hi Joseph,\n\nAs promised at Tuesday\'s panel, here is the attendance list and the three priorities the panel voted for this quarter. Let me know if the council\'s figures differ.', undefined),
        [
          file(
            await xlsx({
              sheetName: 'Panel Q1',
              rows: [
                ['Priority', 'Votes', 'Lead'],
                ['Anti-social behaviour, Catford Broadway', 11, 'PS Okoro'],
                ['Speeding, Bromley Road', 8, 'PC Murphy'],
                ['Drug dealing, Laurel Grove estate', 7, 'Insp Whitfield'],
              ],
            }),
            { filename: 'Catford ward panel Q1 2025.xlsx', contentType: CT.xlsx },
          ),
        ],
        true,
      ),
    }),
  }),
  messageCase({
    file: 'business/legacy-doc-internal.eml',
    description: 'A Word 97-2003 .doc (real CFB with a WordDocument stream, no macros) between colleagues: allowed.',
    from: daniel.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['macro-documents', 'unscannable'], marking: null },
    message: () => ({
      subject: 'Old s.9 template you asked for',
      body: withFiles(businessText(daniel, 'Alex,\n\nFound the old template on the shared drive. It is the 2003 format so it may complain when you open it.'), [
        file(legacyDoc({ text: 'WITNESS STATEMENT\nCJ Act 1967, s.9; MC Act 1980, ss.5A(3)(a) and 5B; MC Rules 1981, r.70\nStatement of:\nAge if under 18:\nOccupation:' }), {
          filename: 'Section 9 statement template.doc',
          contentType: CT.doc,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'business/legacy-xls-to-cps.eml',
    description: 'A legacy .xls (CFB Workbook stream) to the CPS on the secure network, OFFICIAL banner: allowed.',
    from: hannah.mailbox,
    to: [secure.cps.mailbox],
    cc: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'macro-documents'], marking: 'OFFICIAL' },
    message: () => ({
      subject: 'MG6C schedule - R v HOLLIS - URN 01YE1234525',
      body: withFiles(businessText(hannah, 'Rachel,\n\nPlease find the unused material schedule for the first hearing. DS Turner is copied in as OIC.', 'OFFICIAL'), [
        file(legacyXls({ sheetName: 'MG6C', cells: ['Item', 'CCTV Rushey Green 28/02', 'House-to-house log', 'CAD 7654/28FEB25'] }), {
          filename: 'MG6C R v HOLLIS.xls',
          contentType: CT.xls,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'business/pdf-letter-to-solicitor.eml',
    description: 'A PDF letter to an external solicitor: allowed.',
    from: alex.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'executable-content'], marking: null },
    message: () => ({
      subject: 'Return of property - your client Mr D Hollis',
      body: withFiles(businessText(alex, 'Dear Mr Clarke,\n\nPlease find attached a letter confirming the arrangements for the return of your client\'s mobile telephone. It can be collected from Lewisham police station front counter from Monday.'), [
        file(pdf('Return of property', ['Dear Mr Clarke,', 'Property reference 01YE/2025/000734 is ready for collection.', 'Please bring photographic identification.']), {
          filename: 'Return of property - 01YE-2025-000734.pdf',
          contentType: CT.pdf,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'business/scene-photos.eml',
    description: 'Business mail with PNG, JPEG and GIF images: media is a personal-mail rule only.',
    from: james.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-media', 'personal-attachment-type'], marking: null, personal: false },
    message: () => ({
      subject: 'Scene photos - Bromley Road collision',
      body: withFiles(businessText(james, 'Sarge,\n\nPhotos from the scene this morning. The skid marks are in the second one. Originals are on the body-worn system.'), [
        file(png(96, 64, (x, y) => [(x * 2) & 0xff, (y * 3) & 0xff, 120]), { filename: 'IMG_4471.png', contentType: CT.png }),
        file(photoJpeg('Samsung SM-G991B'), { filename: 'IMG_4472.jpg', contentType: CT.jpeg }),
        file(gif(), { filename: 'marker.gif', contentType: CT.gif }),
      ]),
    }),
  }),
  messageCase({
    file: 'business/html-rota-no-script.eml',
    description: 'An HTML attachment without script is not executable content.',
    from: sarah.mailbox,
    to: [daniel.mailbox, james.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content'], marking: null },
    message: () => ({
      subject: 'Easter bank holiday rota',
      body: withFiles(businessText(sarah, 'All,\n\nThe rota for the Easter weekend is attached as a web page so it opens on the MDTs. Swaps through PS Okoro please.'), [
        file(Buffer.from('<!DOCTYPE html>\r\n<html><head><title>Easter rota</title><style>td{padding:4px}</style></head><body><h1>Team C - Easter 2025</h1><table><tr><th>Date</th><th>Earlies</th><th>Lates</th></tr><tr><td>Fri 18 Apr</td><td>Okoro, Murphy</td><td>Bell, Singh</td></tr><tr><td>Mon 21 Apr</td><td>Murphy, Khan</td><td>Okoro, Evans</td></tr></table></body></html>\r\n'), {
          filename: 'Easter rota.html',
          contentType: CT.html,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'business/svg-crest-no-script.eml',
    description: 'An SVG image without script or event handlers is not executable content.',
    from: marcus.mailbox,
    to: [sarah.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content'], marking: null },
    message: () => ({
      subject: 'BCU crest for the newsletter',
      body: withFiles(businessText(marcus, 'Sarah,\n\nHere is the crest as a vector file, it scales cleanly for the newsletter header.'), [
        file(Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\r\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120"><title>SE BCU</title><circle cx="60" cy="60" r="56" fill="#003087"/><text x="60" y="68" font-family="Arial" font-size="22" fill="#fff" text-anchor="middle">SE BCU</text></svg>\r\n'), {
          filename: 'se-bcu-crest.svg',
          contentType: CT.svg,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'business/docx-named-jpg.eml',
    description: 'A docx sent as scan_0042.jpg: the name is wrong, but the true type is a macro-free Word file, which business mail may carry.',
    from: james.mailbox,
    to: [priya.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['executable-content', 'macro-documents'], marking: null },
    message: async () => ({
      subject: 'Scanned notes from the house-to-house',
      body: withFiles(businessText(james, 'Priya,\n\nThe scanner renamed the file again, it should still open in Word.'), [
        file(await docx({ paragraphs: ['House-to-house, Laurel Grove, 1 March 2025', 'No. 14: no reply. No. 16: heard shouting at about 23:00. No. 18: no reply.'] }), {
          filename: 'scan_0042.jpg',
          contentType: CT.jpeg,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'business/twelve-recipients.eml',
    description: 'Business mail to 12 colleagues: below the mass-mail threshold, and the personal recipient limit does not apply.',
    from: sarah.mailbox,
    to: colleagues(12).map((p) => p.mailbox),
    expect: { decision: 'accept', rules: [], absent: ['mass-mail', 'personal-recipients'], marking: null, personal: false },
    message: () => ({
      subject: 'Neighbourhood tasking - week 10',
      body: alternative(businessText(sarah, 'Team,\n\nTasking for week 10: high-visibility patrols on Catford Broadway 15:00-19:00 daily, weapons sweep of Mountsfield Park on Wednesday, and the ward panel on Thursday evening.')),
    }),
  }),
  messageCase({
    file: 'business/bcc-recipient.eml',
    description: 'A Bcc recipient appears only in the envelope: supporting evidence only, not auto-forwarding.',
    from: priya.mailbox,
    to: [external.school.mailbox],
    envelope: { to: [external.school.address, external.housing.address] },
    expect: { decision: 'accept', rules: [], absent: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'Safer schools officer visit - 12 March',
      body: alternative(businessText(priya, 'Dear Ms Price,\n\nThank you for the invitation. PC Murphy and I will attend the Year 9 assembly on 12 March at 09:00 to talk about online safety.')),
    }),
  }),
  messageCase({
    file: 'business/html-signature-logo.eml',
    description: 'Business HTML mail with an inline signature logo referenced by Content-ID.',
    from: marcus.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-media'], marking: null },
    message: () => {
      const plain = businessText(marcus, 'Hello,\n\nCould you confirm the delivery date for the replacement door entry fobs for Lewisham station (PO 4500123456)?');
      return {
        subject: 'PO 4500123456 - door entry fobs',
        body: multipart('alternative', [
          text(plain),
          multipart('related', [
            text(htmlOf(plain, '<p><img src="cid:image001.png@01DB8C3A.5F2E1B40" width="64" height="24" alt="Metropolitan Police"></p>'), { subtype: 'html' }),
            file(logoPng(), { filename: 'image001.png', contentType: CT.png, inline: true, contentId: 'image001.png@01DB8C3A.5F2E1B40' }),
          ]),
        ]),
      };
    },
  }),
  messageCase({
    file: 'business/call-recording-wav.eml',
    description: 'A WAV call recording on business mail: media is only restricted on personal mail.',
    from: hannah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-media'], marking: 'OFFICIAL' },
    message: () => ({
      subject: 'CAD 7654 - 999 call audio',
      body: withFiles(businessText(hannah, 'Alex,\n\nThe clip of the 999 call from the Laurel Grove job, as requested. The full recording is on the command and control system.', 'OFFICIAL'), [
        file(wav(6000), { filename: 'CAD7654-28FEB25.wav', contentType: CT.wav }),
      ]),
    }),
  }),
];
