/**
 * Where a protective marking counts, and the everyday text that only looks like one: phrases
 * ('PRIVATE & CONFIDENTIAL', 'Commercial in confidence'), other organisations' labels and
 * disclaimers, quoted history (held for review, rule marking-unclear), Word's special characters,
 * and the places Office keeps markings (Excel print headers, Word watermarks, first-page headers).
 */
import { messageCase, type FixtureCase } from '../manifest.js';
import { file, text } from '../mime.js';
import { legacyDoc, legacyXls } from '../cfb-files.js';
import { docx, xlsx, type DocxOptions } from '../ooxml.js';
import { external, publicWebmail, staff } from '../people.js';
import { zipBuffer } from '../zip.js';
import { CT, alternative, businessText, htmlOf, withFiles } from './common.js';

const { alex, priya, sarah, hannah, fiona } = staff;

/** A partner's message as Outlook quotes it under a reply: the header block, then their text. */
const outlookQuote = (from: string, sent: string, subject: string, body: string): string =>
  `________________________________\nFrom: ${from}\nSent: ${sent}\nTo: Alex Turner <alex.turner@met.police.uk>\nSubject: ${subject}\n\n${body}`;

const PARTNER_FOOTER =
  'Joseph Mensah\nCommunity Safety Manager | Lambeth Council\n\nClassification: Confidential\n\nThis email and any attachments are confidential and intended solely for the addressee. If you have received this email in error please notify the sender and delete it.';

const REFERRAL = ['Referral - Laurel Grove', 'Child A (aged 7) was present at the address during the incident on 28 February 2025.'];

/** Word's own watermark: a VML WordArt shape in the header whose text is the textpath's string. */
const watermark = (text: string): string =>
  '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:rPr><w:noProof/></w:rPr><w:pict>' +
  '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/><v:textpath on="t" fitshape="t"/></v:shapetype>' +
  '<v:shape id="PowerPlusWaterMarkObject357831064" o:spid="_x0000_s2049" type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;width:527.85pt;height:131.95pt;rotation:315;z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="silver" stroked="f">' +
  `<v:fill opacity=".5"/><v:textpath style="font-family:&quot;Calibri&quot;;font-size:1pt" string="${text}"/><w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r></w:p>`;

const plainHeader = (text: string): string => `<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:t>${text}</w:t></w:r></w:p>`;

/** Business mail from Priya to the council's housing team with one docx, expecting `expect`. */
const docCase = (name: string, description: string, doc: DocxOptions, expect: FixtureCase['expect'], to = external.housing.mailbox): FixtureCase =>
  messageCase({
    file: `marking/${name}.eml`,
    description,
    from: priya.mailbox,
    to: [to],
    expect,
    message: async () => ({
      subject: 'Referral - Laurel Grove',
      body: withFiles(businessText(priya, 'Hello,\n\nPlease see the attached referral for the family at Laurel Grove.'), [
        file(await docx(doc), { filename: 'Referral - Laurel Grove.docx', contentType: CT.docx }),
      ]),
    }),
  });

const sheetCase = (name: string, description: string, headerFooterXml: string, expect: FixtureCase['expect'], to = publicWebmail.witness.mailbox): FixtureCase =>
  messageCase({
    file: `marking/${name}.eml`,
    description,
    from: hannah.mailbox,
    to: [to],
    expect,
    message: async () => ({
      subject: 'Figures you asked for',
      body: withFiles(businessText(hannah, 'Hello,\n\nThe figures are in the attached workbook.'), [
        file(
          await xlsx({
            sheetName: 'Figures',
            rows: [['Ward', 'Reports'], ['Catford South', 41], ['Rushey Green', 57]],
            headerFooterXml,
            headerFooterAttrs: 'differentFirst="1"',
          }),
          { filename: 'Ward figures.xlsx', contentType: CT.xlsx },
        ),
      ]),
    }),
  });

/** A small pptx: one slide on one layout and master; `footer` is the master's footer placeholder text. */
function pptx(footer: string): Promise<Buffer> {
  const x = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n${s}`, 'utf8');
  const P = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"';
  const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const rels = (list: [string, string, string][]) =>
    x(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${list.map(([id, t, target]) => `<Relationship Id="${id}" Type="${R}/${t}" Target="${target}"/>`).join('')}</Relationships>`);
  const shape = (ph: string, text: string) =>
    `<p:sp><p:nvSpPr><p:cNvPr id="2" name="${ph}"/><p:cNvSpPr/><p:nvPr><p:ph type="${ph}"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="en-GB"/><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp>`;
  const tree = (shapes: string) => `<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>${shapes}</p:spTree></p:cSld>`;
  const ct = 'application/vnd.openxmlformats-officedocument.presentationml';
  return zipBuffer([
    {
      path: '[Content_Types].xml',
      data: x(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
          `<Override PartName="/ppt/presentation.xml" ContentType="${ct}.presentation.main+xml"/><Override PartName="/ppt/slideMasters/slideMaster1.xml" ContentType="${ct}.slideMaster+xml"/>` +
          `<Override PartName="/ppt/slideLayouts/slideLayout1.xml" ContentType="${ct}.slideLayout+xml"/><Override PartName="/ppt/slides/slide1.xml" ContentType="${ct}.slide+xml"/></Types>`,
      ),
    },
    { path: '_rels/.rels', data: rels([['rId1', 'officeDocument', 'ppt/presentation.xml']]) },
    { path: 'ppt/presentation.xml', data: x(`<p:presentation ${P}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>`) },
    { path: 'ppt/_rels/presentation.xml.rels', data: rels([['rId1', 'slideMaster', 'slideMasters/slideMaster1.xml'], ['rId2', 'slide', 'slides/slide1.xml']]) },
    { path: 'ppt/slideMasters/slideMaster1.xml', data: x(`<p:sldMaster ${P}>${tree(shape('title', 'Click to edit Master title style') + shape('ftr', footer))}<p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>`) },
    { path: 'ppt/slideMasters/_rels/slideMaster1.xml.rels', data: rels([['rId1', 'slideLayout', '../slideLayouts/slideLayout1.xml']]) },
    { path: 'ppt/slideLayouts/slideLayout1.xml', data: x(`<p:sldLayout ${P}>${tree(shape('title', 'Title'))}</p:sldLayout>`) },
    { path: 'ppt/slideLayouts/_rels/slideLayout1.xml.rels', data: rels([['rId1', 'slideMaster', '../slideMasters/slideMaster1.xml']]) },
    { path: 'ppt/slides/slide1.xml', data: x(`<p:sld ${P}>${tree(shape('title', 'Catford town centre problem profile'))}</p:sld>`) },
    { path: 'ppt/slides/_rels/slide1.xml.rels', data: rels([['rId1', 'slideLayout', '../slideLayouts/slideLayout1.xml']]) },
  ]);
}

const rejectAs = (marking: string, rules: FixtureCase['expect']['rules'] = ['marked-unencrypted']): FixtureCase['expect'] => ({ decision: 'reject', rules, marking });
const acceptUnmarked = (rules: FixtureCase['expect']['rules'] = []): FixtureCase['expect'] => ({
  decision: 'accept',
  rules,
  absent: ['marked-too-high', 'marked-unencrypted', 'marking-unclear'],
  marking: null,
});

const officeCases: FixtureCase[] = [
  sheetCase(
    'positions-xlsx-print-header-restricted',
    "An xlsx whose only marking is its print header (&C&\"Arial,Bold\"&14RESTRICTED in headerFooter), to a witness on gmail: a marking.",
    '<oddHeader>&amp;C&amp;"Arial,Bold"&amp;14RESTRICTED</oddHeader><oddFooter>&amp;LLewisham CID&amp;RPage &amp;P of &amp;N</oddFooter><firstHeader>&amp;C&amp;"Arial,Bold"&amp;14RESTRICTED</firstHeader>',
    rejectAs('RESTRICTED', ['marked-unencrypted', 'business-to-webmail']),
  ),
  sheetCase(
    'positions-xlsx-print-footer-first-page',
    'An xlsx marked OFFICIAL-SENSITIVE only in its first-page print footer, split by font codes (&"Arial"OFFICIAL&"Arial,Bold"-SENSITIVE), to a council: a marking.',
    '<oddHeader>&amp;CWard figures</oddHeader><firstFooter>&amp;C&amp;"Arial"OFFICIAL&amp;"Arial,Bold"-SENSITIVE</firstFooter>',
    rejectAs('OFFICIAL-SENSITIVE'),
    external.council.mailbox,
  ),
  sheetCase(
    'positions-xlsx-print-header-lookalike',
    "An xlsx whose print header reads 'Commercial in confidence' and 'Page &P of &N', to a council: not a marking.",
    '<oddHeader>&amp;LLambeth Council&amp;CCommercial in confidence&amp;RPage &amp;P of &amp;N</oddHeader><oddFooter>&amp;CPRIVATE &amp;amp; CONFIDENTIAL</oddFooter>',
    acceptUnmarked(),
    external.council.mailbox,
  ),
  messageCase({
    file: 'marking/positions-xls-print-header-restricted.eml',
    description: 'An Excel 97-2003 .xls marked RESTRICTED only in its print header (HEADER record, &C&"Arial,Bold"RESTRICTED), to a council: a marking.',
    from: hannah.mailbox,
    to: [external.council.mailbox],
    expect: rejectAs('RESTRICTED'),
    message: () => ({
      subject: 'Figures you asked for',
      body: withFiles(businessText(hannah, 'Joseph,\n\nThe figures are in the attached workbook.'), [
        file(legacyXls({ sheetName: 'Figures', cells: ['Ward', 'Catford South', 'Rushey Green'], printHeader: '&L&"Arial,Bold"&12RESTRICTED&RPage &P' }), {
          filename: 'Ward figures.xls',
          contentType: CT.xls,
        }),
      ]),
    }),
  }),
  ...(['RESTRICTED', 'Lambeth Council - Private and Confidential'] as const).map((header, i) =>
    messageCase({
      file: `marking/positions-doc-header-${i === 0 ? 'restricted' : 'lookalike'}.eml`,
      description:
        i === 0
          ? "A Word 97-2003 .doc marked RESTRICTED only in its header story (read through the piece table), to a council: a marking."
          : "A Word 97-2003 .doc whose header reads 'Lambeth Council - Private and Confidential': not a marking.",
      from: priya.mailbox,
      to: [external.housing.mailbox],
      expect: i === 0 ? rejectAs('RESTRICTED') : acceptUnmarked(),
      message: () => ({
        subject: 'Referral - Laurel Grove',
        body: withFiles(businessText(priya, 'Hello,\n\nPlease see the attached referral for the family at Laurel Grove.'), [
          file(legacyDoc({ text: REFERRAL.join('\r'), headerText: `\r${header}\r\r` }), { filename: 'Referral - Laurel Grove.doc', contentType: CT.doc }),
        ]),
      }),
    }),
  ),
  ...(['OFFICIAL-SENSITIVE', 'Lambeth Community Safety Partnership'] as const).map((footer, i) =>
    messageCase({
      file: `marking/positions-pptx-master-footer-${i === 0 ? 'official-sensitive' : 'lookalike'}.eml`,
      description:
        i === 0
          ? "A pptx marked OFFICIAL-SENSITIVE only in its slide master's footer placeholder, to a consultant: a marking."
          : "A pptx whose slide master's footer names the partnership: not a marking.",
      from: hannah.mailbox,
      to: [external.consultant.mailbox],
      expect: i === 0 ? rejectAs('OFFICIAL-SENSITIVE') : acceptUnmarked(),
      message: async () => ({
        subject: 'Problem profile slides',
        body: withFiles(businessText(hannah, 'Kieran,\n\nThe slides for the partnership review are attached.'), [
          file(await pptx(footer), { filename: 'Problem profile.pptx', contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' }),
        ]),
      }),
    }),
  ),
  docCase(
    'positions-docx-watermark-official-sensitive',
    "A docx whose only marking is Word's watermark (VML v:textpath string=\"OFFICIAL-SENSITIVE\" in the header): a marking.",
    { paragraphs: REFERRAL, headerParts: [{ part: 'header1.xml', kind: 'header', type: 'default', xml: watermark('OFFICIAL-SENSITIVE') }] },
    rejectAs('OFFICIAL-SENSITIVE'),
  ),
  docCase(
    'positions-docx-first-page-header',
    'A docx marked RESTRICTED only in its first-page header, a part named firstPage.xml and typed in two runs: found through the relationships.',
    {
      paragraphs: REFERRAL,
      headerParts: [
        { part: 'header1.xml', kind: 'header', type: 'default', xml: plainHeader('Lambeth referral') },
        { part: 'firstPage.xml', kind: 'header', type: 'first', xml: '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>RESTR</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>ICTED</w:t></w:r></w:p>' },
      ],
    },
    rejectAs('RESTRICTED'),
  ),
  docCase(
    'positions-docx-no-break-hyphen',
    'A docx whose header reads OFFICIAL-SENSITIVE typed with a non-breaking hyphen (w:noBreakHyphen), with no-break spaces around it: a marking.',
    {
      paragraphs: REFERRAL,
      headerParts: [{ part: 'header1.xml', kind: 'header', type: 'default', xml: '<w:p><w:r><w:t xml:space="preserve">\u00A0OFFICIAL</w:t></w:r><w:r><w:noBreakHyphen/><w:t xml:space="preserve">SENSITIVE\u00A0</w:t></w:r></w:p>' }],
    },
    rejectAs('OFFICIAL-SENSITIVE'),
  ),
  docCase(
    'positions-docx-even-header-text-box',
    'A docx marked RESTRICTED only in a text box (w:txbxContent) of its even-page header: a marking.',
    {
      paragraphs: REFERRAL,
      headerParts: [
        {
          part: 'header3.xml',
          kind: 'header',
          type: 'even',
          xml: '<w:p><w:r><w:pict><v:shape id="Text Box 2" type="#_x0000_t202" style="position:absolute;width:200pt;height:30pt"><v:textbox><w:txbxContent><w:p><w:r><w:t>RESTRICTED</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>',
        },
      ],
    },
    rejectAs('RESTRICTED'),
  ),
  docCase(
    'positions-docx-body-top-banner',
    "A docx whose only marking is a banner typed as its first paragraph ('RESTRICTED'), to the council: a marking.",
    { paragraphs: ['RESTRICTED', ...REFERRAL] },
    rejectAs('RESTRICTED'),
  ),
  docCase(
    'positions-docx-body-prose-lookalike',
    "A docx opening 'PRIVATE AND CONFIDENTIAL' and 'Access to the file is restricted.': not markings.",
    { paragraphs: ['PRIVATE AND CONFIDENTIAL', 'Access to the file is restricted.', ...REFERRAL] },
    acceptUnmarked(),
  ),
  docCase(
    'positions-docx-watermark-lookalike',
    "A docx with Word's stock 'DO NOT COPY' watermark and a partner's header 'Classification: Confidential': not markings.",
    { paragraphs: REFERRAL, headerParts: [{ part: 'header1.xml', kind: 'header', type: 'default', xml: watermark('DO NOT COPY') + plainHeader('Classification: Confidential') }] },
    acceptUnmarked(),
  ),
  docCase(
    'positions-docx-watermark-confidential',
    "A docx with Word's stock 'CONFIDENTIAL' watermark, to the council: commercial documents carry the same, so held for review.",
    { paragraphs: REFERRAL, headerParts: [{ part: 'header1.xml', kind: 'header', type: 'default', xml: watermark('CONFIDENTIAL') }] },
    { decision: 'quarantine', rules: ['marking-unclear'], absent: ['marked-too-high', 'marked-unencrypted'], marking: null },
  ),
  docCase(
    'positions-docx-partner-microsoft-label',
    "A docx labelled with Microsoft's default 'Confidential' label of another organisation's tenant: not a protective marking.",
    {
      paragraphs: REFERRAL,
      custom: {
        'MSIP_Label_f42aa342-8706-4288-bd11-ebb85995028c_Enabled': 'true',
        'MSIP_Label_f42aa342-8706-4288-bd11-ebb85995028c_Name': 'Confidential',
        'MSIP_Label_f42aa342-8706-4288-bd11-ebb85995028c_SiteId': '72f988bf-86f1-41af-91ab-2d7cd011db47',
        'MSIP_Label_f42aa342-8706-4288-bd11-ebb85995028c_Method': 'Standard',
      },
    },
    acceptUnmarked(),
  ),
];

export const markingPositionCases: FixtureCase[] = [
  ...officeCases,
  messageCase({
    file: 'marking/positions-html-only-banner-above-disclaimer.eml',
    description: 'An HTML-only body (one paragraph once rendered as text) with an OFFICIAL-SENSITIVE banner and the force disclaimer, to a council: the disclaimer does not swallow the marking.',
    from: priya.mailbox,
    to: [external.housing.mailbox],
    expect: { decision: 'reject', rules: ['marked-unencrypted'], marking: 'OFFICIAL-SENSITIVE' },
    message: () => ({
      subject: 'Referral - Laurel Grove',
      body: text(htmlOf(businessText(priya, 'Hello,\nThe referral for the family at Laurel Grove follows.', 'OFFICIAL-SENSITIVE').replace(/\n\n/g, '\n')), { subtype: 'html' }),
    }),
  }),
  messageCase({
    file: 'marking/positions-html-outlook-reply-quoting-marking.eml',
    description: "An HTML-only Outlook reply to a consultant whose quoted 'From: / Sent:' block holds a colleague's RESTRICTED banner: held for review.",
    from: hannah.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'quarantine', rules: ['marking-unclear'], absent: ['marked-unencrypted'], marking: null },
    message: () => ({
      subject: 'RE: Problem profile dates',
      body: text(
        htmlOf(
          'Kieran,\n\nThe 14th is fine.\n\nHannah',
          '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Priya Shah &lt;priya.shah@met.police.uk&gt;<br><b>Sent:</b> 03 March 2025 10:02<br><b>To:</b> Hannah Kowalski<br><b>Subject:</b> Problem profile dates</p></div>' +
            '<p class="MsoNormal">RESTRICTED</p><p class="MsoNormal">Hannah, the profile is due on the 10th.</p>',
        ),
        { subtype: 'html' },
      ),
    }),
  }),
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
