/**
 * Personal mail (subject tagged [Personal]): brief, to few recipients, small, unmarked and
 * inspectable (MPS Personal Use SOP 3.4 and 4.3). Attachments: personal-attachments.ts.
 */
import { LABELS, msipCustomProperties } from '../labels.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { file, text } from '../mime.js';
import { docx } from '../ooxml.js';
import { alexHome, colleagues, family, staff } from '../people.js';
import { CT, personalText, personalWithFiles, pgpArmour, reportParagraphs } from './common.js';

const { alex, priya, daniel, james } = staff;

const TRAINING_PLAN = [
  'Right, here is the full plan for the half marathon as promised, week by week.',
  'Week 1: three easy runs of 5k, one rest day between each.',
  'Week 2: three runs, the last one 7k at an easy pace.',
  'Week 3: add strides at the end of the Tuesday run, 6 x 20 seconds.',
  'Week 4: long run goes up to 10k, keep it slow enough to talk.',
  'Week 5: first tempo session, 2 x 8 minutes at threshold.',
  'Week 6: easy week, cut everything back by a third.',
  'Week 7: long run 12k, tempo 3 x 8 minutes.',
  'Week 8: parkrun as a time trial on the Saturday.',
  'Week 9: long run 14k, hills on the Thursday (Blythe Hill, 8 reps).',
  'Week 10: long run 16k, keep the tempo session.',
  'Week 11: long run 18k, easy the day after.',
  'Week 12: taper starts, long run 12k.',
  'Week 13: race week, two short runs and rest.',
  '',
  'Shoes: get fitted properly at the shop on Rushey Green, not online.',
  'Food: try the gels on long runs before race day, not on the day.',
  'Kit: lay it out the night before, pin the number on then.',
  'Sleep: the night before the night before matters most.',
  'Pace: start slower than you think, the first 5k always feels easy.',
  'Water: there are stations every 5k, sip, do not gulp.',
  '',
  'Club sessions are Tuesday and Thursday at 19:00 from the track.',
  'The Sunday group leaves the park gates at 08:30 sharp.',
  'If you cannot make a session just do the run on your own.',
  'Do not try to catch up missed runs, just carry on with the plan.',
  'If anything hurts for more than two runs, rest and tell me.',
  '',
  'Race day: be there an hour early, the toilets queue is long.',
  'Warm up with ten minutes of jogging and a few strides.',
  'Start near the 2:00 pacer and stay behind them until 15k.',
  'After 15k, if you feel good, go.',
  'Finish, walk, eat, drink, then stretch.',
  '',
  'I have put the dates in the shared calendar too.',
  'Mum says she will come and watch at mile 10 with a sign.',
  'Dad is threatening to run it as well, which I will believe when I see it.',
  'Let me know if any of the weeks clash with your shifts.',
  'Good luck, you will smash it.',
];

const QUOTED = Array.from({ length: 45 }, (_, i) => `> ${['Thanks for this.', 'Are you still OK for Sunday?', 'Mum wants to know about the food.', 'I can bring chairs.', 'The car is booked from 9.'][i % 5]} (${i + 1})`);

export const personalCases: FixtureCase[] = [
  messageCase({
    file: 'personal/brief-to-home.eml',
    description: 'A brief personal note to the sender\'s own home address: allowed; home/webmail rules are for untagged mail.',
    from: alex.mailbox,
    to: [alexHome.gmail.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-brevity', 'business-to-home-address', 'business-to-webmail'], marking: null, personal: true },
    message: () => ({ subject: "[Personal] Parents' evening Thursday", body: text(personalText("Reminder to self: parents' evening is Thursday at 18:20, Mrs Ahmed, room 12. Swap the late turn with Dan.")) }),
  }),
  messageCase({
    file: 'personal/too-long.eml',
    description: 'Personal mail of over 40 lines of new text: not brief.',
    from: alex.mailbox,
    to: [family.sam.mailbox],
    expect: { decision: 'quarantine', rules: ['personal-brevity'], marking: null, personal: true },
    message: () => ({ subject: '[Personal] Half marathon training plan', body: text(personalText(TRAINING_PLAN.join('\n'))) }),
  }),
  messageCase({
    file: 'personal/long-quoted-history.eml',
    description: 'A short personal reply over 45 lines of quoted history: the quoted lines do not count against brevity.',
    from: alex.mailbox,
    to: [family.sam.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-brevity'], marking: null, personal: true },
    message: () => ({
      subject: '[Personal] RE: Sunday',
      body: text(`Yes, Sunday is fine. I finish at 7 so I will come straight over.\nTell Mum I will bring the dessert.\n\nAlex\n\nOn Sun, 2 Mar 2025 at 19:22, Sam <sam.t.runs@gmail.com> wrote:\n${QUOTED.join('\n')}\n`),
    }),
  }),
  messageCase({
    file: 'personal/twelve-recipients.eml',
    description: 'Personal mail to 12 recipients (colleagues and friends): over the limit of 10 (chain letters).',
    from: alex.mailbox,
    to: [...colleagues(9).map((p) => p.mailbox), family.sam.mailbox, family.ben.mailbox, alexHome.gmail.mailbox],
    expect: { decision: 'quarantine', rules: ['personal-recipients'], absent: ['mass-mail', 'business-to-home-address'], marking: null, personal: true },
    message: () => ({ subject: "[Personal] Dev's leaving drinks - Friday", body: text(personalText('All,\n\nDrinks for Dev from 18:00 on Friday at The Catford Bridge. Partners welcome.')) }),
  }),
  messageCase({
    file: 'personal/ten-recipients.eml',
    description: 'Personal mail to exactly 10 recipients: at the limit, allowed.',
    from: daniel.mailbox,
    to: colleagues(10).map((p) => p.mailbox),
    expect: { decision: 'accept', rules: [], absent: ['personal-recipients'], marking: null, personal: true },
    message: () => ({ subject: '[Personal] Five-a-side on Wednesday', body: text(personalText('Lads,\n\nPitch booked for 20:00 Wednesday at Ladywell. Bring both shirts.', 'Dan')) }),
  }),
  messageCase({
    file: 'personal/over-2mb.eml',
    description: 'Personal mail of about 2.2 MB (a 1.6 MB docx): over the 2 MB personal limit, under the 25 MB message limit.',
    from: alex.mailbox,
    to: [alexHome.gmail.mailbox],
    expect: { decision: 'reject', rules: ['personal-size'], absent: ['message-size', 'personal-attachment-type'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Dissertation draft',
      body: personalWithFiles('Draft 4 of the dissertation, to work on at home.', [
        file(await docx({ title: 'MSc dissertation', storeBody: true, paragraphs: reportParagraphs(5600, 'Case study') }), { filename: 'MSc dissertation draft 4.docx', contentType: CT.docx }),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/under-2mb.eml',
    description: 'Personal mail of about 1.9 MB (a 1.4 MB docx): just under the 2 MB personal limit.',
    from: alex.mailbox,
    to: [alexHome.gmail.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-size', 'personal-attachment-type'], marking: null, personal: true },
    message: async () => ({
      subject: '[Personal] Dissertation literature review',
      body: personalWithFiles('Literature review chapter, to work on at home.', [
        file(await docx({ title: 'MSc dissertation - literature review', storeBody: true, paragraphs: reportParagraphs(4700, 'Literature') }), {
          filename: 'MSc literature review.docx',
          contentType: CT.docx,
        }),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/marked-restricted.eml',
    description: 'Personal mail with a RESTRICTED banner line, to a colleague: MPS information on personal mail.',
    from: james.mailbox,
    to: [priya.mailbox],
    expect: { decision: 'reject', rules: ['personal-marked'], absent: ['marked-unencrypted'], marking: 'RESTRICTED', personal: true },
    message: () => ({ subject: '[Personal] Copy of my statement for the Fed rep', body: text(personalText('RESTRICTED\n\nPriya,\n\nHere is the text of my statement about the incident, for the Federation rep before Monday.', 'James')) }),
  }),
  messageCase({
    file: 'personal/labelled-docx-to-home.eml',
    description: 'Personal mail to the home gmail with a docx labelled OFFICIAL-SENSITIVE: personal-marked, and marked mail leaving unencrypted.',
    from: alex.mailbox,
    to: [alexHome.gmail.mailbox],
    expect: { decision: 'reject', rules: ['personal-marked', 'marked-unencrypted'], absent: ['personal-attachment-type'], marking: 'OFFICIAL-SENSITIVE', personal: true },
    message: async () => ({
      subject: '[Personal] stuff to finish at home',
      body: personalWithFiles('To finish over the weekend.', [
        file(await docx({ paragraphs: ['Case review - Op LARCH', 'Outstanding actions 1 to 14'], custom: msipCustomProperties(LABELS.officialSensitive) }), { filename: 'Case review.docx', contentType: CT.docx }),
      ]),
    }),
  }),
  messageCase({
    file: 'personal/marked-protect.eml',
    description: 'Personal mail with a PROTECT banner line: held, not rejected.',
    from: daniel.mailbox,
    to: [james.mailbox],
    expect: { decision: 'quarantine', rules: ['personal-marked-low'], absent: ['personal-marked'], marking: 'PROTECT', personal: true },
    message: () => ({ subject: '[Personal] Shift swap', body: text(personalText('PROTECT\n\nJames,\n\nCan you swap my Saturday late for your Sunday early? Rota attached to the board.', 'Dan')) }),
  }),
  messageCase({
    file: 'personal/encrypted-pgp.eml',
    description: 'Encrypted personal mail (inline PGP): its content cannot be checked.',
    from: alex.mailbox,
    to: [family.sam.mailbox],
    expect: { decision: 'quarantine', rules: ['personal-encrypted'], absent: ['business-to-webmail'], marking: null, personal: true, encrypted: true },
    message: () => ({
      subject: '[Personal] Bank details for the holiday',
      plainClient: true,
      body: text(pgpArmour('personal-pgp', 480)),
    }),
  }),
  messageCase({
    file: 'personal/lunch.eml',
    description: "'[Personal] lunch?' between colleagues: the plainest allowed personal mail.",
    from: priya.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'accept', rules: [], marking: null, personal: true },
    message: () => ({ subject: '[Personal] lunch?', body: text(personalText('Canteen at 1?', 'P')) }),
  }),
];
