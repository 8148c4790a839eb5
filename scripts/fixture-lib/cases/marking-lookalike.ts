/** Prose that only looks like a protective marking: never a marking (issue 3, markings in the subject). */
import { messageCase, type FixtureCase } from '../manifest.js';
import { external, family, publicWebmail, staff } from '../people.js';
import { alternative, businessText } from './common.js';

const { alex, daniel, sarah, serviceDesk } = staff;

export const markingLookalikeCases: FixtureCase[] = [
  messageCase({
    file: 'marking/lookalike-access-restricted.eml',
    description: "Prose 'access is restricted' in the subject and 'RESTRICTED to authorised staff' in a sentence: not markings.",
    from: daniel.mailbox,
    to: [external.supplier.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted', 'marked-too-high'], marking: null },
    message: () => ({
      subject: 'Lewisham custody: access is restricted this weekend',
      body: alternative(businessText(daniel, 'Hello,\n\nAccess to the custody suite is RESTRICTED to authorised staff during the refit, so your engineers will need an escort from the front counter.')),
    }),
  }),
  messageCase({
    file: 'marking/lookalike-secret-santa.eml',
    description: "'Secret Santa draw' is not a SECRET marking.",
    from: sarah.mailbox,
    to: [external.venue.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-too-high', 'marked-unencrypted'], marking: null },
    message: () => ({
      subject: 'Secret Santa draw and Christmas lunch booking',
      body: alternative(businessText(sarah, 'Hello,\n\nWe would like to book the function room for 24 people on 12 December. We will do the Secret Santa draw at the table, so a little extra space would help.')),
    }),
  }),
  messageCase({
    file: 'marking/lookalike-top-secret-recipe.eml',
    description: "'top secret recipe' is prose; the recipient is a volunteer on gmail (webmail monitor only).",
    from: daniel.mailbox,
    to: [publicWebmail.witness.mailbox],
    expect: { decision: 'accept', rules: ['business-to-webmail'], absent: ['marked-too-high', 'marked-unencrypted'], marking: null },
    message: () => ({
      subject: 'Bake sale on Saturday - the top secret recipe',
      body: alternative(businessText(daniel, 'Kevin,\n\nThanks for volunteering at the community bake sale. As promised, my top secret recipe for the lemon drizzle is below.')),
    }),
  }),
  messageCase({
    file: 'marking/lookalike-protect-your-account.eml',
    description: "'PROTECT YOUR ACCOUNT now' is an imperative, not the PROTECT marking.",
    from: serviceDesk.mailbox,
    to: [external.consultant.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['marked-unencrypted'], marking: null },
    message: () => ({
      subject: 'PROTECT YOUR ACCOUNT now: register for multi-factor authentication',
      body: alternative(`Dear contractor,\n\nYour MPS guest account must be registered for multi-factor authentication by 14 March. Visit the self-service portal from an MPS device to register.\n\nMPS IT Service Desk\n`),
    }),
  }),
  messageCase({
    file: 'marking/lookalike-protect-your-account-personal.eml',
    description: "Personal mail whose subject starts 'PROTECT YOUR ACCOUNT now': not a PROTECT marking, so not personal-marked-low.",
    from: alex.mailbox,
    to: [family.sam.mailbox],
    expect: { decision: 'accept', rules: [], absent: ['personal-marked-low', 'personal-marked', 'business-to-webmail'], marking: null, personal: true },
    message: () => ({
      subject: 'PROTECT YOUR ACCOUNT now: the bank warning I mentioned [Personal]',
      body: alternative('Sam,\n\nThis is the text the bank sent me. Do not click any links in messages like it, ring the number on the back of your card instead.\n\nAlex\n'),
    }),
  }),
];
