/** MIME that cannot be parsed reliably (malformed), and a part that cannot be decoded (unscannable). */
import { messageCase, type FixtureCase } from '../manifest.js';
import { pdf } from '../media.js';
import { base64Lines, file, multipart, raw, text } from '../mime.js';
import { staff } from '../people.js';
import { CT, businessText } from './common.js';

const { alex, daniel, sarah } = staff;

/** Base64 of a real PDF with invalid characters spliced in and the last quantum cut short. */
function brokenBase64(): string {
  const lines = base64Lines(pdf('Custody record extract', ['Detained 01/03/2025 02:14', 'Released under investigation'])).split('\r\n');
  return lines
    .map((l, i) => (i % 3 === 1 ? `${l.slice(0, 30)}!!**%%${l.slice(36)}` : l))
    .join('\r\n')
    .replace(/.{3}$/, '');
}

export const malformedCases: FixtureCase[] = [
  messageCase({
    file: 'malformed/missing-closing-boundary.eml',
    description: 'multipart/mixed without its close delimiter (a truncated message): cannot be parsed reliably.',
    from: daniel.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'quarantine', rules: ['malformed'], marking: null },
    message: () => ({
      subject: 'Custody handover',
      body: multipart(
        'mixed',
        [text(businessText(daniel, 'Alex,\n\nHandover notes attached.')), file(pdf('Custody handover', ['Cell 4: awaiting interview', 'Cell 7: for charge']), { filename: 'Handover.pdf', contentType: CT.pdf })],
        { omitClose: true },
      ),
    }),
  }),
  messageCase({
    file: 'malformed/no-boundary-parameter.eml',
    description: 'Content-Type multipart/mixed with no boundary parameter: the parts cannot be found.',
    from: sarah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'quarantine', rules: ['malformed'], marking: null },
    message: () => ({
      subject: 'Tasking sheet',
      body: multipart('mixed', [text(businessText(sarah, 'Alex,\n\nTasking sheet attached.')), file(pdf('Tasking', ['Patrol Catford Broadway 15:00-19:00']), { filename: 'Tasking.pdf', contentType: CT.pdf })], {
        omitBoundaryParam: true,
      }),
    }),
  }),
  messageCase({
    file: 'malformed/broken-base64.eml',
    description: "An attachment whose base64 has invalid characters ('!', '*', '%') and a cut-short last quantum: a part that cannot be decoded.",
    from: daniel.mailbox,
    to: [sarah.mailbox],
    expect: { decision: 'quarantine', rules: ['unscannable'], absent: ['executable-content'], marking: null },
    message: () => ({
      subject: 'Custody record extract',
      body: multipart('mixed', [
        text(businessText(daniel, 'Ma\'am,\n\nThe extract you asked for.')),
        raw(
          [
            ['Content-Type', 'application/pdf; name="Custody record extract.pdf"'],
            ['Content-Disposition', 'attachment; filename="Custody record extract.pdf"'],
            ['Content-Transfer-Encoding', 'base64'],
          ],
          brokenBase64(),
        ),
      ]),
    }),
  }),
];
