/**
 * What the intake normalises before anything is inspected (src/intake/): a bare CR or LF becomes
 * CRLF and a NUL byte is deleted, so what is inspected is what the recipient's client gets.
 * Without it, a MIME boundary behind a bare CR is invisible to a parser that splits lines on LF
 * yet real once the message is delivered (every MTA and nodemailer rewrite bare CRs to CRLF),
 * and a NUL inside a boundary parameter makes the parts unfindable for a reader that keeps it.
 * Each trick has its positive case (caught) and a look-alike of honest but sloppy mail (accepted).
 */
import { peExe } from '../executables.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { file, text } from '../mime.js';
import { external, staff } from '../people.js';
import { CT, businessText, withFiles } from './common.js';

const { alex, marcus, priya, sarah } = staff;

/** The case with its built bytes rewritten by `edit` (the generator itself writes only CRLF and no NUL). */
function edited(c: FixtureCase, edit: (bytes: Buffer) => Buffer): FixtureCase {
  return { ...c, build: async () => edit(await c.build()) };
}

/** Ends the delimiter line that opens the part holding `marker` with a bare CR instead of CRLF. */
function bareCrAfterDelimiter(marker: string) {
  return (bytes: Buffer): Buffer => {
    const text = bytes.toString('latin1');
    const at = text.indexOf(marker);
    const delimiter = text.lastIndexOf('\r\n--', at);
    const lineEnd = text.indexOf('\r\n', delimiter + 2);
    if (at < 0 || delimiter < 0 || lineEnd > at) throw new Error(`intake fixture: no part holding ${marker}`);
    return Buffer.from(`${text.slice(0, lineEnd)}\r${text.slice(lineEnd + 2)}`, 'latin1');
  };
}

/** Splices a NUL into the first boundary parameter (the delimiter lines keep the boundary without it). */
function nulInBoundaryParameter(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  const m = /boundary="([^"]{4,})"/.exec(text);
  if (!m?.[1]) throw new Error('intake fixture: no boundary parameter');
  const b = m[1];
  return Buffer.from(text.replace(m[0], `boundary="${b.slice(0, 3)}\0${b.slice(3)}"`), 'latin1');
}

/** Every `from` in the message becomes `to` (NUL bytes spliced into names and text). */
function replaceAll(from: string, to: string) {
  return (bytes: Buffer): Buffer => {
    const text = bytes.toString('latin1');
    if (!text.includes(from)) throw new Error(`intake fixture: no ${JSON.stringify(from)} to replace`);
    return Buffer.from(text.split(from).join(to), 'latin1');
  };
}

export const intakeCases: FixtureCase[] = [
  edited(
    messageCase({
      file: 'intake/boundary-behind-bare-cr.eml',
      description:
        'A Windows program whose MIME delimiter line ends with a bare CR instead of CRLF: a parser that splits lines on LF never sees the delimiter and reads one text part, the recipient (every MTA rewrites bare CR to CRLF) gets the attachment. Normalised to CRLF first, it is caught.',
      from: marcus.mailbox,
      to: [external.consultant.mailbox],
      expect: { decision: 'reject', rules: ['executable-content'], absent: ['malformed'], marking: null },
      message: () => ({
        subject: 'Updated viewer for the CCTV export',
        body: withFiles(businessText(marcus, 'Kieran,\n\nThe viewer the export needs is attached.'), [
          file(peExe('CCTV Viewer'), { filename: 'viewer.exe', contentType: CT.octet }),
        ]),
      }),
    }),
    bareCrAfterDelimiter('filename="viewer.exe"'),
  ),
  edited(
    messageCase({
      file: 'intake/bare-line-endings-in-text.eml',
      description: 'Look-alike: a plain business note whose lines end with bare CR and bare LF (an old tool), nothing hidden: normalised and accepted.',
      from: sarah.mailbox,
      to: [alex.mailbox],
      expect: { decision: 'accept', rules: [], absent: ['malformed', 'executable-content'], marking: null },
      message: () => ({
        subject: 'Rota for next week',
        body: text(businessText(sarah, 'Alex,\n\nEarlies Monday to Wednesday, lates Thursday and Friday.\nSwap with Priya if you need to.')),
      }),
    }),
    (bytes) => replaceAll('Earlies Monday to Wednesday, lates Thursday and Friday.\r\n', 'Earlies Monday to Wednesday, lates Thursday and Friday.\r')(replaceAll('Swap with Priya if you need to.\r\n', 'Swap with Priya if you need to.\n')(bytes)),
  ),
  edited(
    messageCase({
      file: 'intake/nul-in-boundary.eml',
      description:
        'A Windows program in a multipart/mixed whose boundary parameter has a NUL byte spliced in while the delimiter lines do not: read as sent, no delimiter matches and the parts cannot be found (held as malformed at best). With every NUL deleted first, as delivered, the parts are found and the program is caught.',
      from: marcus.mailbox,
      to: [external.consultant.mailbox],
      expect: { decision: 'reject', rules: ['executable-content'], absent: ['malformed'], marking: null },
      message: () => ({
        subject: 'Export tool',
        body: withFiles(businessText(marcus, 'Kieran,\n\nThe export tool is attached.'), [
          file(peExe('Export Tool'), { filename: 'export.exe', contentType: CT.octet }),
        ]),
      }),
    }),
    nulInBoundaryParameter,
  ),
  edited(
    messageCase({
      file: 'intake/nul-in-text.eml',
      description: 'Look-alike: NUL bytes in the body of an ordinary note (pasted from a broken export), nothing hidden: deleted and accepted.',
      from: priya.mailbox,
      to: [sarah.mailbox],
      expect: { decision: 'accept', rules: [], absent: ['malformed', 'executable-content'], marking: null },
      message: () => ({
        subject: 'Figures for the meeting',
        body: text(businessText(priya, 'Ma\'am,\n\nBurglary is down 4% on last month, robbery flat.')),
      }),
    }),
    replaceAll('robbery flat.', 'robbery\0\0 flat.'),
  ),
];
