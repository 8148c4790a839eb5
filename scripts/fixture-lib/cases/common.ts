/** Shared pieces of fixture messages: signatures, the disclaimer, content types, bodies. */
import { file, text, multipart, type MimeNode } from '../mime.js';
import type { Person } from '../people.js';
import { armour, pgpEncrypted } from '../crypto.js';

export const CT = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docm: 'application/vnd.ms-word.document.macroEnabled.12',
  xlsm: 'application/vnd.ms-excel.sheet.macroEnabled.12',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  wav: 'audio/wav',
  octet: 'application/octet-stream',
  zip: 'application/x-zip-compressed',
  gzip: 'application/x-gzip',
  html: 'text/html',
  svg: 'image/svg+xml',
  tnef: 'application/ms-tnef',
  msg: 'application/vnd.ms-outlook',
} as const;

const ROLES: Record<string, string> = {
  'Alex Turner': 'Detective Sergeant | Lewisham CID',
  'Priya Shah': 'Detective Constable | Public Protection Unit',
  'Daniel Okoro': 'Police Sergeant 4417SE | Response Team C',
  'Sarah Whitfield': 'Inspector | South East BCU Neighbourhoods',
  'James Murphy': 'Police Constable 2981SE | Safer Neighbourhoods',
  'Hannah Kowalski': 'Intelligence Analyst | SE BCU Intelligence Unit',
  'Fiona Reid': 'HR Business Partner | People Services',
  'Marcus Bell': 'Digital Services Engineer | Digital Policing',
};

/** Staff signature block, as Outlook appends it. */
export function signature(p: Person): string {
  const role = ROLES[p.name] ?? 'Metropolitan Police Service';
  return `Kind regards\n\n${p.name}\n${role}\nMetropolitan Police Service\nMetPhone ${780000 + ((p.address.length * 7919) % 9999)} | ${p.address}`;
}

/** The gateway disclaimer appended to business mail (not used on personal fixtures, so brevity does not depend on config). */
export const DISCLAIMER =
  'NOTICE - This email and any attachments are solely for the intended recipient and may contain information that is not to be disclosed. If you have received this email in error, please notify the sender and delete it from your system. You must not distribute or copy the information in this email without the permission of the sender. MPS communication systems are monitored to the extent permitted by law, and any email or attachment may be read by monitoring staff. Email is routinely scanned, but you should use your own virus checking procedures.';

/** A business body: optional banner line, text, signature, disclaimer. */
export function businessText(from: Person, body: string, banner?: string): string {
  const top = banner ? `${banner}\n\n` : '';
  return `${top}${body.trim()}\n\n${signature(from)}\n\n${DISCLAIMER}\n`;
}

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Outlook-style HTML rendering of the same text (paragraphs). */
export function htmlOf(plain: string, extraHtml = ''): string {
  const paras = plain
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p class="MsoNormal">${htmlEscape(p).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
  return `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style>p.MsoNormal{margin:0cm;font-size:11.0pt;font-family:"Arial",sans-serif;}</style></head>\n<body lang="EN-GB">\n<div class="WordSection1">\n${paras}\n${extraHtml}</div>\n</body></html>\n`;
}

/** multipart/alternative of plain text and its HTML rendering. */
export function alternative(plain: string, extraHtml = ''): MimeNode {
  return multipart('alternative', [text(plain), text(htmlOf(plain, extraHtml), { subtype: 'html' })]);
}

/** A body with attachments: multipart/mixed(text, ...files). */
export function withFiles(plain: string, files: readonly MimeNode[], html = false): MimeNode {
  return multipart('mixed', [html ? alternative(plain) : text(plain), ...files]);
}

/** Deterministic paragraphs of plausible report text, for documents that must be large. */
export function reportParagraphs(count: number, topic: string): string[] {
  const sentences = [
    'Officers attended the address at the time stated and spoke with the occupant, who was cooperative throughout.',
    'House-to-house enquiries were completed on both sides of the road and the results are recorded on the action log.',
    'CCTV was requested from the two premises identified and the footage has been booked into property under the reference shown.',
    'The complainant was updated by telephone and agreed that contact should continue by email during office hours.',
    'A review of the intelligence picture found no linked reports in the preceding twelve months.',
    'Further enquiries are allocated to the investigating officer and will be reviewed at the next daily management meeting.',
    'Safeguarding considerations were recorded and a referral has been made to the relevant partner agency.',
    'Forensic submissions were made for the two items recovered, with results expected within the usual service level.',
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = sentences[i % sentences.length] ?? '';
    const b = sentences[(i * 3 + 1) % sentences.length] ?? '';
    out.push(`${i + 1}. ${topic}: ${a} ${b}`);
  }
  return out;
}

/** ASCII-armoured OpenPGP message (64-character lines, CRC line) of opaque bytes. */
export function pgpArmour(seed: string, bytes = 700): string {
  return armour(pgpEncrypted(seed, bytes));
}

/** A personal body: the text and a first-name sign-off, no signature block or disclaimer. */
export const personalText = (body: string, sign = 'Alex'): string => `${body.trim()}\n\n${sign}\n`;

/** A personal body with attachments: multipart/mixed(text, ...files). */
export const personalWithFiles = (body: string, files: readonly MimeNode[]): MimeNode => multipart('mixed', [text(personalText(body)), ...files]);

/** multipart/alternative whose HTML embeds `image` by Content-ID (a signature logo or a photo). */
export function htmlWithInlineImage(plain: string, image: Buffer, cid: string, alt: string): MimeNode {
  return multipart('alternative', [
    text(plain),
    multipart('related', [
      text(htmlOf(plain, `<p><img src="cid:${cid}" alt="${alt}"></p>`), { subtype: 'html' }),
      file(image, { filename: cid.split('@')[0] ?? 'image001.png', contentType: 'image/png', inline: true, contentId: cid }),
    ]),
  ]);
}
