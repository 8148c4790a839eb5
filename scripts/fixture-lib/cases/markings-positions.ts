/**
 * Where a protective marking counts, and the everyday text that only looks like one: phrases
 * ('PRIVATE & CONFIDENTIAL', 'Commercial in confidence'), other organisations' labels and
 * disclaimers, quoted history (held for review, rule marking-unclear), Word's special characters,
 * and the places Office keeps markings (Excel print headers, Word watermarks, first-page headers).
 */
import { messageCase, type FixtureCase } from '../manifest.js';
import { external, publicWebmail, staff } from '../people.js';
import { alternative, businessText } from './common.js';

const { alex, priya, sarah, hannah, fiona } = staff;

/** A partner's message as Outlook quotes it under a reply: the header block, then their text. */
const outlookQuote = (from: string, sent: string, subject: string, body: string): string =>
  `________________________________\nFrom: ${from}\nSent: ${sent}\nTo: Alex Turner <alex.turner@met.police.uk>\nSubject: ${subject}\n\n${body}`;

const PARTNER_FOOTER =
  'Joseph Mensah\nCommunity Safety Manager | Lambeth Council\n\nClassification: Confidential\n\nThis email and any attachments are confidential and intended solely for the addressee. If you have received this email in error please notify the sender and delete it.';

export const markingPositionCases: FixtureCase[] = [
  messageCase({
    file: 'marking/positions-reply-quotes-partner-classification.eml',
    description: "A reply to a council partner quoting their footer 'Classification: Confidential' and disclaimer: another organisation's label, not a protective marking.",
    from: alex.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-too-high', 'marked-unencrypted', 'marking-unclear'], marking: null },
    message: () => ({
      subject: 'RE: Ward panel date',
      body: alternative(
        `Joseph,\n\nThursday the 13th works for us; I will book the hall.\n\n${'Kind regards\n\nAlex Turner'}\n\n` +
          outlookQuote('Joseph Mensah <j.mensah@lambeth.gov.uk>', '03 March 2025 09:12', 'Ward panel date', `Alex,\n\nCan we move the ward panel to the 13th?\n\n${PARTNER_FOOTER}`),
      ),
    }),
  }),
  messageCase({
    file: 'marking/positions-private-and-confidential-subject.eml',
    description: "Subject 'PRIVATE & CONFIDENTIAL - reference request' to a school: an everyday phrase, not the CONFIDENTIAL marking.",
    from: fiona.mailbox,
    to: [external.school.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-too-high', 'marked-unencrypted', 'marking-unclear'], marking: null },
    message: () => ({
      subject: 'PRIVATE & CONFIDENTIAL - reference request',
      body: alternative(businessText(fiona, 'Dear Ms Price,\n\nPlease find below our reference request for a former member of staff who has applied to you.', 'PRIVATE AND CONFIDENTIAL')),
    }),
  }),
  messageCase({
    file: 'marking/positions-commercial-in-confidence.eml',
    description: "'COMMERCIAL IN CONFIDENCE' and 'STRICTLY CONFIDENTIAL' to a supplier: commercial phrases, not protective markings.",
    from: sarah.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-too-high', 'marked-unencrypted', 'marking-unclear'], marking: null },
    message: () => ({
      subject: 'STRICTLY CONFIDENTIAL: tender clarification',
      body: alternative(businessText(sarah, 'Commercial in confidence\n\nThank you for your tender. Could you confirm the unit price in section 4 includes installation?', 'COMMERCIAL IN CONFIDENCE')),
    }),
  }),
  messageCase({
    file: 'marking/positions-staff-in-confidence.eml',
    description: "'Staff in confidence' and 'Medical in confidence' from HR to an external clinic, with Outlook's 'Sensitivity: Confidential' line: not markings.",
    from: fiona.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-too-high', 'marked-unencrypted', 'marking-unclear'], marking: null },
    message: () => ({
      subject: 'Staff in confidence - appointment request',
      body: alternative(businessText(fiona, 'STAFF IN CONFIDENCE\nMEDICAL IN CONFIDENCE\nSensitivity: Confidential\n\nDear Mr Brennan,\n\nPlease offer the officer referred an appointment next week.')),
    }),
  }),
  messageCase({
    file: 'marking/positions-marking-only-in-quoted-history.eml',
    description: "A reply to a consultant quoting a colleague's OFFICIAL-SENSITIVE message below 'On ... wrote:': the marking is only in quoted history, so held for review, not refused.",
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'quarantine', rules: ['marking-unclear'], absent: ['marked-unencrypted', 'marked-too-high'], marking: null },
    message: () => ({
      subject: 'Re: Problem profile dates',
      body: alternative(
        'Kieran,\n\nThe dates below are fine for the partnership review.\n\nHannah\n\n' +
          'On Mon, 3 Mar 2025 at 10:02, Priya Shah <priya.shah@met.police.uk> wrote:\n> OFFICIAL-SENSITIVE\n>\n> Hannah, the problem profile is due on the 10th; the review is on the 14th.\n> Priya\n',
      ),
    }),
  }),
  messageCase({
    file: 'marking/positions-bare-confidential-banner.eml',
    description: "A bare 'CONFIDENTIAL' banner atop the body to an external solicitor: commercial mail writes the same, so held for review rather than refused.",
    from: alex.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'quarantine', rules: ['marking-unclear'], absent: ['marked-too-high', 'marked-unencrypted'], marking: null },
    message: () => ({
      subject: 'Client meeting - R v HOLLIS',
      body: alternative(businessText(alex, 'Mr Clarke,\n\nI can meet your client at Lewisham on Tuesday at 14:00.', 'CONFIDENTIAL')),
    }),
  }),
  messageCase({
    file: 'marking/positions-protective-marking-confidential.eml',
    description: "'Protective Marking: CONFIDENTIAL' (government wording) atop the body to an external solicitor: a real marking, refused.",
    from: alex.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted', 'marked-too-high'], absent: ['marking-unclear'], marking: 'CONFIDENTIAL' },
    message: () => ({
      subject: 'Source handling - R v HOLLIS',
      body: alternative(businessText(alex, 'Protective Marking: CONFIDENTIAL\n\nMr Clarke,\n\nThe handling notes you asked about follow.')),
    }),
  }),
  messageCase({
    file: 'marking/positions-forwarded-partner-disclaimer.eml',
    description: "A forward to a victim on webmail of a partner's note whose disclaimer is headed 'CONFIDENTIAL': a disclaimer in quoted history is not a marking.",
    from: priya.mailbox,
    to: [publicWebmail.victim.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['marked-too-high', 'marked-unencrypted', 'marking-unclear'], marking: null },
    message: () => ({
      subject: 'FW: Housing appointment',
      body: alternative(
        'Dear Ms Bramley,\n\nThe housing team have confirmed your appointment, see below.\n\nPriya Shah\n\n' +
          '-----Original Message-----\nFrom: Lambeth Housing <housing.safeguarding@lambeth.gov.uk>\nSent: 03 March 2025 11:40\nSubject: Housing appointment\n\nThe appointment is at 10:00 on Friday at Olive Morris House.\n\nCONFIDENTIAL\nThis e-mail is confidential and intended solely for the use of the individual to whom it is addressed.\n',
      ),
    }),
  }),
  messageCase({
    file: 'marking/positions-subject-no-break-hyphen.eml',
    description: 'Subject OFFICIAL-SENSITIVE typed with a non-breaking hyphen (U+2011), as Word and Outlook write it, to an external partner: a marking.',
    from: priya.mailbox,
    to: [external.housing.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE' },
    message: () => ({
      subject: 'OFFICIAL\u2011SENSITIVE: Referral - Laurel Grove',
      body: alternative(businessText(priya, 'Hello,\n\nThe referral for the family at Laurel Grove follows.')),
    }),
  }),
  messageCase({
    file: 'marking/positions-body-banner-nbsp-soft-hyphen.eml',
    description: 'A body banner RESTRICTED with a soft hyphen inside and no-break spaces around it, to an external partner: a marking.',
    from: sarah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'RESTRICTED' },
    message: () => ({
      subject: 'Community tension assessment',
      body: alternative(businessText(sarah, 'Joseph,\n\nThis week\u2019s assessment for the borough is below.', '\u00A0RESTR\u00ADICTED\u00A0')),
    }),
  }),
];
