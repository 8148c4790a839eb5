/**
 * Protective markings in the subject, body banners and marking headers, and where marked mail
 * may go (WMP Inf/27 2.10.1, GPMS). Documents: marking-documents.ts; look-alikes: marking-lookalike.ts.
 */
import { messageCase, type FixtureCase } from '../manifest.js';
import { LABELS, msipLabelsHeader } from '../labels.js';
import { pdf } from '../media.js';
import { file } from '../mime.js';
import { external, publicWebmail, secure, staff } from '../people.js';
import { CT, alternative, businessText, withFiles } from './common.js';

const { alex, priya, daniel, sarah, hannah, fiona, occHealth } = staff;

export const markingCases: FixtureCase[] = [
  messageCase({
    file: 'marking/subject-official-sensitive-colon.eml',
    description: "Subject prefix 'OFFICIAL-SENSITIVE:' to an ordinary external partner, not encrypted.",
    from: priya.mailbox,
    to: [external.housing.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], absent: ['marked-too-high'], marking: 'OFFICIAL-SENSITIVE', encrypted: false },
    message: () => ({
      subject: 'OFFICIAL-SENSITIVE: Referral - child at risk, Laurel Grove',
      body: alternative(businessText(priya, 'Hello,\n\nWe attended 16 Laurel Grove on 28 February. A child was present during a domestic incident and we are making a referral.')),
    }),
  }),
  messageCase({
    file: 'marking/subject-restricted-brackets-to-webmail.eml',
    description: "Subject '[RESTRICTED] ...' to a victim's outlook.com address, not encrypted: rejected, webmail also recorded.",
    from: alex.mailbox,
    to: [publicWebmail.victim.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted', 'business-to-webmail'], marking: 'RESTRICTED' },
    message: () => ({
      subject: '[RESTRICTED] Update on your case CR/0039876/25',
      body: alternative(businessText(alex, 'Dear Ms Bramley,\n\nThe suspect was charged this morning and remanded to appear at Bromley Magistrates\' Court on Monday.')),
    }),
  }),
  messageCase({
    file: 'marking/subject-confidential-suffix-internal.eml',
    description: "Subject ending '- CONFIDENTIAL' between colleagues: internal mail may carry any level.",
    from: sarah.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-too-high', 'marked-unencrypted'], marking: 'CONFIDENTIAL' },
    message: () => ({
      subject: 'Op NIGHTJAR directed surveillance renewal - CONFIDENTIAL',
      body: alternative(businessText(sarah, 'Alex,\n\nThe renewal is due on Friday. Please have the review on my desk by Thursday 12:00.')),
    }),
  }),
  messageCase({
    file: 'marking/subject-secret-to-gsi.eml',
    description: "'SECRET:' to the Home Office on the secure network: too high for any listed network; not marked-unencrypted (secure domain).",
    from: hannah.mailbox,
    to: [secure.homeOffice.mailbox],
    expect: { decision: 'reject', rules: ['marked-too-high'], absent: ['marked-unencrypted'], marking: 'SECRET' },
    message: () => ({
      subject: 'SECRET: threat assessment - Op HALCYON',
      body: alternative(businessText(hannah, 'Gareth,\n\nThe assessment you asked for is below the line.')),
    }),
  }),
  messageCase({
    file: 'marking/subject-secret-to-external.eml',
    description: "'SECRET - ...' to an ordinary external address, not encrypted: too high, and above the unencrypted minimum too (minLevel RESTRICTED means RESTRICTED or above).",
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted', 'marked-too-high'], marking: 'SECRET' },
    message: () => ({
      subject: 'SECRET - source handling review',
      body: alternative(businessText(hannah, 'Kieran,\n\nAs discussed, the review notes follow.')),
    }),
  }),
  messageCase({
    file: 'marking/subject-encoded-word.eml',
    description: 'An RFC 2047 Q-encoded subject (en dash) carrying OFFICIAL-SENSITIVE, to an external solicitor.',
    from: alex.mailbox,
    to: [external.solicitor.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE' },
    message: () => ({
      rawSubject: '=?utf-8?Q?OFFICIAL-SENSITIVE:_Witness_statement_=E2=80=93_Mr_K_Osei?=',
      body: alternative(businessText(alex, 'Mr Clarke,\n\nAs agreed at the hearing, the statement of Mr Osei will be served through the CPS.')),
    }),
  }),
  messageCase({
    file: 'marking/body-banner.eml',
    description: 'A body banner line that is only the marking (OFFICIAL-SENSITIVE), subject unmarked, to an external partner.',
    from: daniel.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE' },
    message: () => ({
      subject: 'Closure order - 22 Laurel Grove',
      body: alternative(businessText(daniel, 'Joseph,\n\nThe evidence summary for the closure order application: eleven reports since November, three with drug paraphernalia recovered.', 'OFFICIAL-SENSITIVE')),
    }),
  }),
  messageCase({
    file: 'marking/body-protective-marking-line.eml',
    description: "A 'Protective Marking: RESTRICTED' line in the body, to an external consultant.",
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'RESTRICTED' },
    message: () => ({
      subject: 'Problem profile - Catford town centre',
      body: alternative(businessText(hannah, 'Protective Marking: RESTRICTED\n\nKieran,\n\nThe problem profile for the town centre is summarised below for the partnership review.')),
    }),
  }),
  messageCase({
    file: 'marking/header-x-protective-marking-sec.eml',
    description: 'X-Protective-Marking with SEC=OFFICIAL-SENSITIVE, subject and body unmarked.',
    from: alex.mailbox,
    to: [external.school.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE' },
    message: () => ({
      subject: 'Pupil welfare concern',
      extraHeaders: [['X-Protective-Marking', 'VER=2018.1, NS=gov.uk, SEC=OFFICIAL-SENSITIVE, ORIGIN=alex.turner@met.police.uk']],
      body: alternative(businessText(alex, 'Ms Price,\n\nFurther to our call, the details of the concern are below.')),
    }),
  }),
  messageCase({
    file: 'marking/header-x-protective-marking-classification.eml',
    description: 'X-Protective-Marking with CLASSIFICATION=RESTRICTED.',
    from: sarah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'RESTRICTED' },
    message: () => ({
      subject: 'Community tension assessment',
      extraHeaders: [['X-Protective-Marking', 'CLASSIFICATION=RESTRICTED']],
      body: alternative(businessText(sarah, 'Joseph,\n\nThis week\'s community tension assessment for the borough is below.')),
    }),
  }),
  messageCase({
    file: 'marking/header-msip-labels.eml',
    description: "The msip_labels header Outlook adds for a Purview label named 'Official Sensitive'.",
    from: priya.mailbox,
    to: [external.school.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE' },
    message: () => ({
      subject: 'Safeguarding meeting notes',
      extraHeaders: [['msip_labels', msipLabelsHeader(LABELS.officialSensitiveDisplay)]],
      body: alternative(businessText(priya, 'Ms Price,\n\nNotes from this morning\'s safeguarding meeting are below.')),
    }),
  }),
  messageCase({
    file: 'marking/restricted-to-cjsm.eml',
    description: 'RESTRICTED to a defence solicitor on cjsm.net (accredited secure domain, subdomain match): allowed unencrypted.',
    from: alex.mailbox,
    to: [secure.cjsm.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'marked-too-high'], marking: 'RESTRICTED' },
    message: () => ({
      subject: 'RESTRICTED: disclosure for first hearing - R v HOLLIS',
      body: alternative(businessText(alex, 'Ms Patel,\n\nInitial disclosure for the first hearing is set out below.')),
    }),
  }),
  messageCase({
    file: 'marking/restricted-to-police-uk-force.eml',
    description: 'RESTRICTED to another force on police.uk (kent.police.uk, a subdomain of a secure domain): allowed.',
    from: alex.mailbox,
    to: [secure.kent.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted'], marking: 'RESTRICTED' },
    message: () => ({
      subject: 'RESTRICTED: cross-border vehicle crime series',
      body: alternative(businessText(alex, 'Tom,\n\nThe three vehicles recovered in Dartford match our series. Can we arrange a call tomorrow?')),
    }),
  }),
  messageCase({
    file: 'marking/restricted-to-lookalike-domain.eml',
    description: 'RESTRICTED to evilpolice.uk, which ends in "police.uk" but not on a label boundary: not secure.',
    from: alex.mailbox,
    to: [external.lookalike.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'RESTRICTED' },
    message: () => ({
      subject: 'RESTRICTED: vehicle crime series - request for information',
      body: alternative(businessText(alex, 'Sergeant,\n\nFurther to your request, the series details are below.')),
    }),
  }),
  messageCase({
    file: 'marking/protect-subject-external.eml',
    description: "'PROTECT - ...' (old scheme, below RESTRICTED) to an external partner: allowed.",
    from: sarah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted'], marking: 'PROTECT' },
    message: () => ({
      subject: 'PROTECT - licensing objection, The Catford Arms',
      body: alternative(businessText(sarah, 'Joseph,\n\nThe police objection to the variation application is below.')),
    }),
  }),
  messageCase({
    file: 'marking/official-sensitive-personal-descriptor.eml',
    description: "'OFFICIAL-SENSITIVE [PERSONAL]' is the government descriptor, not the [Personal] tag: business mail, internal, with a PDF.",
    from: fiona.mailbox,
    to: [occHealth.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-attachment-type', 'personal-marked'], marking: 'OFFICIAL-SENSITIVE', personal: false },
    message: () => ({
      subject: 'OFFICIAL-SENSITIVE [PERSONAL] Occupational health referral - PC 2981SE',
      body: withFiles(businessText(fiona, 'Hello,\n\nPlease find attached a management referral for PC 2981SE following a period of sickness absence.'), [
        file(pdf('Management referral', ['Officer: PC 2981SE', 'Reason: return-to-work assessment', 'Manager: Insp S Whitfield']), { filename: 'OH referral PC 2981SE.pdf', contentType: CT.pdf }),
      ]),
    }),
  }),
];
