/**
 * Auto-forwarding (WMP Inf/27 2.5.1), home and webmail addresses, mass mail and message size.
 */
import { messageCase, type FixtureCase } from '../manifest.js';
import { pdf } from '../media.js';
import { file } from '../mime.js';
import { alexHome, colleagues, external, publicWebmail, secure, staff } from '../people.js';
import { CT, alternative, businessText, withFiles } from './common.js';

const { alex, priya, daniel, sarah, hannah, intel, allStaff } = staff;

/** The headers Exchange Online stamps on mail a mailbox rule forwards. */
const EXCHANGE_FORWARD = [
  ['X-MS-Exchange-Organization-AutoForwarded', 'true'],
  ['X-MS-Exchange-Inbox-Rules-Loop', 'alex.turner@met.police.uk'],
  ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent'],
  ['Auto-Submitted', 'auto-forwarded'],
] as const;

export const forwardingCases: FixtureCase[] = [
  messageCase({
    file: 'forwarding/exchange-rule-to-gmail.eml',
    description: 'A mailbox rule forwards a colleague\'s mail to a gmail address (Exchange auto-forward headers; envelope recipient not in To).',
    from: priya.mailbox,
    to: [alex.mailbox],
    envelope: { from: alex.address, to: [publicWebmail.forwardTarget.address] },
    expect: { decision: 'reject', rules: ['auto-forward-outside', 'business-to-webmail'], marking: null },
    message: () => ({
      subject: 'Handover - Op LARCH actions',
      extraHeaders: EXCHANGE_FORWARD,
      body: alternative(businessText(priya, 'Alex,\n\nActions from today: chase the phone download, book the ABE interview, update the victim.')),
    }),
  }),
  messageCase({
    file: 'forwarding/x-forwarded-to-external.eml',
    description: 'Forwarded by a server-side rule (X-Forwarded-To, X-Forwarded-For) to an external company.',
    from: hannah.mailbox,
    to: [intel.mailbox],
    envelope: { from: intel.address, to: [external.consultant.address] },
    expect: { decision: 'reject', rules: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'Daily intelligence summary 03/03',
      extraHeaders: [
        ['X-Forwarded-To', external.consultant.address],
        ['X-Forwarded-For', `${intel.address} ${external.consultant.address}`],
      ],
      body: alternative(businessText(hannah, 'Summary for the 08:30 meeting: two burglaries overnight, one arrest for the Catford robbery series.')),
    }),
  }),
  messageCase({
    file: 'forwarding/resent-auto-generated.eml',
    description: 'Resent-* fields with Auto-Submitted: auto-generated, to an external company: an automatic resend counts as forwarding.',
    from: sarah.mailbox,
    to: [alex.mailbox],
    envelope: { from: alex.address, to: [external.venue.address] },
    expect: { decision: 'reject', rules: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'Neighbourhood meeting actions',
      extraHeaders: [
        ['Resent-From', alex.mailbox],
        ['Resent-To', external.venue.mailbox],
        ['Resent-Date', 'Tue, 4 Mar 2025 07:00:02 +0000'],
        ['Resent-Message-ID', '<RESENT-7F3A2B1C@LO4P123MB6543.GBRP123.PROD.OUTLOOK.COM>'],
        ['Auto-Submitted', 'auto-generated'],
      ],
      body: alternative(businessText(sarah, 'Alex,\n\nActions from the neighbourhood meeting are below.')),
    }),
  }),
  messageCase({
    file: 'forwarding/auto-forward-internal.eml',
    description: 'Auto-Submitted: auto-forwarded to a colleague at met.police.uk: internal, allowed.',
    from: hannah.mailbox,
    to: [alex.mailbox],
    envelope: { from: alex.address, to: [priya.address] },
    expect: { decision: 'accept', rules: [], absent: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'Intelligence request - Laurel Grove',
      extraHeaders: [['Auto-Submitted', 'auto-forwarded'], ['X-MS-Exchange-Organization-AutoForwarded', 'true']],
      body: alternative(businessText(hannah, 'Alex,\n\nResults of the intelligence request are below.')),
    }),
  }),
  messageCase({
    file: 'forwarding/auto-forward-nhs.eml',
    description: 'Auto-forwarded to nhs.net (accredited secure domain): allowed.',
    from: priya.mailbox,
    to: [priya.mailbox],
    envelope: { from: priya.address, to: [secure.nhs.address] },
    expect: { decision: 'accept', rules: [], absent: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'MASH referral notification',
      extraHeaders: [['Auto-Submitted', 'auto-forwarded'], ['X-MS-Exchange-Organization-AutoForwarded', 'true']],
      body: alternative(businessText(priya, 'New referral received for the Laurel Grove family; MASH reference to follow.')),
    }),
  }),
  messageCase({
    file: 'forwarding/out-of-office-to-gmail.eml',
    description: 'An out-of-office reply (Auto-Submitted: auto-replied) to a member of the public on gmail: not forwarding; webmail monitor only.',
    from: alex.mailbox,
    to: [publicWebmail.witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['auto-forward-outside'], marking: null },
    message: () => ({
      subject: 'Automatic reply: Statement - Rushey Green',
      extraHeaders: [
        ['Auto-Submitted', 'auto-replied'],
        ['X-Auto-Response-Suppress', 'All'],
      ],
      body: alternative('I am on annual leave until Monday 10 March. For urgent matters please call 101 quoting your crime reference number, or 999 in an emergency.\n\nDS Alex Turner\n'),
    }),
  }),
  messageCase({
    file: 'recipients/home-address-gmail.eml',
    description: 'Untagged mail from alex.turner@met.police.uk to alex.turner1984@gmail.com: a staff home address.',
    from: alex.mailbox,
    to: [alexHome.gmail.mailbox],
    expect: { decision: 'quarantine', rules: ['business-to-home-address'], absent: ['business-to-webmail'], marking: null, personal: false },
    message: () => ({
      subject: 'Case notes to finish tonight',
      body: withFiles(businessText(alex, 'Notes to finish tonight.'), [file(pdf('Case notes', ['Op LARCH - outstanding actions']), { filename: 'Case notes.pdf', contentType: CT.pdf })]),
    }),
  }),
  messageCase({
    file: 'recipients/home-address-hotmail-initial.eml',
    description: 'Untagged mail to a.turner@hotmail.co.uk (initial + surname of the sender): a staff home address.',
    from: alex.mailbox,
    to: [alexHome.hotmail.mailbox],
    expect: { decision: 'quarantine', rules: ['business-to-home-address'], absent: ['business-to-webmail'], marking: null },
    message: () => ({ subject: 'Rota for next month', body: alternative(businessText(alex, 'Rota for next month so I can plan childcare.')) }),
  }),
  messageCase({
    file: 'recipients/public-gmail.eml',
    description: 'Business mail to a witness on gmail: webmail is recorded (monitor), the mail goes.',
    from: alex.mailbox,
    to: [publicWebmail.witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['business-to-home-address'], marking: null },
    message: () => ({
      subject: 'Your statement - Rushey Green',
      body: alternative(businessText(alex, 'Dear Mr Osei,\n\nThank you for speaking to me yesterday. I will visit on Thursday at 17:00 to take your statement, if that is still convenient.')),
    }),
  }),
  messageCase({
    file: 'recipients/mass-mail-60.eml',
    description: 'Business mail to 60 recipients: over 50, needs approval.',
    from: sarah.mailbox,
    to: colleagues(60).map((p) => p.mailbox),
    expect: { decision: 'quarantine', rules: ['mass-mail'], absent: ['personal-recipients'], marking: null },
    message: () => ({ subject: 'BCU briefing - new stop and search recording', body: alternative(businessText(sarah, 'All,\n\nFrom Monday every stop and search must be recorded on the new app before the end of the tour.')) }),
  }),
  messageCase({
    file: 'recipients/fifty-recipients.eml',
    description: 'Business mail to exactly 50 recipients: at the threshold, allowed.',
    from: daniel.mailbox,
    to: colleagues(50).map((p) => p.mailbox),
    expect: { decision: 'accept', rules: [], absent: ['mass-mail'], marking: null },
    message: () => ({ subject: 'Response team C - kit check', body: alternative(businessText(daniel, 'All,\n\nKit check at parade on Friday. Bring your PPE and radio.')) }),
  }),
  messageCase({
    file: 'recipients/size-limit-exceeded.eml',
    description: 'Message size: this case lowers message-size.maxBytes to 256 KiB (a 25 MB fixture would bloat the repo); the message is about 330 KB.',
    from: hannah.mailbox,
    to: [allStaff.mailbox],
    policy: { rules: { 'message-size': { maxBytes: 262_144 } } },
    expect: { decision: 'reject', rules: ['message-size'], marking: null },
    message: () => ({
      subject: 'Monthly performance pack - February',
      body: withFiles(businessText(hannah, 'All,\n\nThe February performance pack is attached.'), [
        file(pdf('Performance pack - February 2025', ['Crime volumes by ward', 'Outcomes', 'Response times'], 240_000), { filename: 'Performance pack Feb 2025.pdf', contentType: CT.pdf }),
      ]),
    }),
  }),
];
