/**
 * Protective markings inside Office documents: Purview labels in docProps/custom.xml and
 * docMetadata/LabelInfo.xml, classification properties, and Word header text.
 */
import { LABELS, TENANT_ID, msipCustomProperties } from '../labels.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { file } from '../mime.js';
import { docx } from '../ooxml.js';
import { external, staff } from '../people.js';
import { CT, businessText, withFiles } from './common.js';

const { priya, sarah, alex } = staff;

const REFERRAL = ['Referral - Laurel Grove', 'Child A (aged 7) was present at the address during the incident on 28 February 2025.'];

/** Business mail from Priya to the council's housing safeguarding team with a labelled docx. */
const labelledDocCase = (fileName: string, description: string, doc: Parameters<typeof docx>[0], level: string, extra: { policy?: Record<string, unknown> } = {}): FixtureCase =>
  messageCase({
    file: fileName,
    description,
    from: priya.mailbox,
    to: [external.housing.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: level, encrypted: false },
    ...extra,
    message: async () => ({
      subject: 'Referral - Laurel Grove',
      body: withFiles(businessText(priya, 'Hello,\n\nPlease see the attached referral for the family at Laurel Grove.'), [
        file(await docx(doc), { filename: 'Referral - Laurel Grove.docx', contentType: CT.docx }),
      ]),
    }),
  });

export const markingDocumentCases: FixtureCase[] = [
  labelledDocCase(
    'marking/docx-msip-label.eml',
    'A docx labelled in Purview: docProps/custom.xml MSIP_Label_<guid>_Name=OFFICIAL-SENSITIVE.',
    { paragraphs: REFERRAL, custom: msipCustomProperties(LABELS.officialSensitive) },
    'OFFICIAL-SENSITIVE',
  ),
  labelledDocCase(
    'marking/docx-classification-property.eml',
    'A docx with a custom document property Classification=RESTRICTED.',
    { paragraphs: REFERRAL, custom: { Classification: 'RESTRICTED', Department: 'Public Protection Unit' } },
    'RESTRICTED',
  ),
  labelledDocCase(
    'marking/docx-labelinfo.eml',
    'A docx whose label is only in docMetadata/LabelInfo.xml (by GUID, no name): mapped by markings.purviewLabels, which this case sets.',
    { paragraphs: REFERRAL, labelInfo: { labelId: LABELS.officialSensitive.id, siteId: TENANT_ID } },
    'OFFICIAL-SENSITIVE',
    { policy: { markings: { purviewLabels: { [LABELS.officialSensitive.id]: 'OFFICIAL-SENSITIVE' } } } },
  ),
  labelledDocCase(
    'marking/docx-header-text.eml',
    "A docx whose Word header (word/header1.xml) reads 'OFFICIAL-SENSITIVE'.",
    { paragraphs: REFERRAL, headerText: 'OFFICIAL-SENSITIVE', footerText: 'OFFICIAL-SENSITIVE' },
    'OFFICIAL-SENSITIVE',
  ),
  messageCase({
    file: 'marking/docx-label-internal.eml',
    description: 'A docx labelled OFFICIAL-SENSITIVE sent internally: allowed.',
    from: priya.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE' },
    message: async () => ({
      subject: 'Referral draft for checking',
      body: withFiles(businessText(priya, 'Alex,\n\nDraft referral for the Laurel Grove family, can you check it before I send it through the secure route?'), [
        file(await docx({ paragraphs: REFERRAL, custom: msipCustomProperties(LABELS.officialSensitive) }), { filename: 'Referral - Laurel Grove.docx', contentType: CT.docx }),
      ]),
    }),
  }),
  messageCase({
    file: 'marking/docx-official-label-external.eml',
    description: 'A docx labelled OFFICIAL (the lowest level) to an external partner: allowed.',
    from: sarah.mailbox,
    to: [external.council.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted'], marking: 'OFFICIAL' },
    message: async () => ({
      subject: 'Ward panel minutes',
      body: withFiles(businessText(sarah, 'Joseph,\n\nMinutes of the last ward panel attached.'), [
        file(await docx({ paragraphs: ['Catford ward panel - minutes', 'Present: Insp Whitfield, PS Okoro, J Mensah (LBL), six residents.'], custom: msipCustomProperties(LABELS.official) }), {
          filename: 'Ward panel minutes.docx',
          contentType: CT.docx,
        }),
      ]),
    }),
  }),
];
