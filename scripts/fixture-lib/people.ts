/**
 * The people in the fixtures. Staff of the Metropolitan Police Service (internal, met.police.uk),
 * partners on accredited secure networks, ordinary external organisations, members of the
 * public on webmail, and Alex Turner's own home addresses. No webmail address of the public
 * carries a sender's surname, so only the home addresses look like staff home addresses.
 */
import { mailbox } from './mime.js';

export interface Person {
  readonly name: string;
  readonly address: string;
  /** The From/To form: 'Alex Turner <alex.turner@met.police.uk>'. */
  readonly mailbox: string;
}

const person = (name: string, address: string): Person => ({ name, address, mailbox: mailbox(name, address) });

/** Staff (internal). */
export const staff = {
  alex: person('Alex Turner', 'alex.turner@met.police.uk'),
  priya: person('Priya Shah', 'priya.shah@met.police.uk'),
  daniel: person('Daniel Okoro', 'daniel.okoro@met.police.uk'),
  sarah: person('Sarah Whitfield', 'sarah.whitfield@met.police.uk'),
  james: person('James Murphy', 'james.murphy@met.police.uk'),
  hannah: person('Hannah Kowalski', 'hannah.kowalski@met.police.uk'),
  fiona: person('Fiona Reid', 'fiona.reid@met.police.uk'),
  marcus: person('Marcus Bell', 'marcus.bell@met.police.uk'),
  serviceDesk: person('MPS IT Service Desk', 'it.servicedesk@met.police.uk'),
  intel: person('SE BCU Intelligence Unit', 'se.bcu.intelligence@met.police.uk'),
  occHealth: person('Occupational Health', 'occupational.health@hr.met.police.uk'),
  allStaff: person('SE BCU All Staff', 'se.bcu.allstaff@met.police.uk'),
} as const;

/** Partners on accredited secure networks (domain or subdomain of the secure list). */
export const secure = {
  cps: person('Rachel Adams', 'rachel.adams@cps.gsi.gov.uk'),
  kent: person('Tom Ellis', 'tom.ellis@kent.police.uk'),
  nhs: person('Lewisham Safeguarding (NHS)', 'lewisham.safeguarding@nhs.net'),
  cjsm: person('Deepa Patel', 'd.patel@harrowlaw.cjsm.net'),
  homeOffice: person('Gareth Lloyd', 'gareth.lloyd@homeoffice.gsi.gov.uk'),
} as const;

/** Ordinary external organisations: neither internal, secure nor webmail. */
export const external = {
  solicitor: person('Michael Clarke', 'm.clarke@clarke-solicitors.co.uk'),
  council: person('Joseph Mensah', 'j.mensah@lambeth.gov.uk'),
  housing: person('Lambeth Housing Safeguarding', 'housing.safeguarding@lambeth.gov.uk'),
  supplier: person('Brightwater Security Procurement', 'procurement@brightwater-security.co.uk'),
  venue: person('The Grange Events', 'events@thegrangevenue.co.uk'),
  consultant: person('Kieran Brennan', 'k.brennan@brennan-associates.co.uk'),
  school: person('Angela Price', 'a.price@hollyfield-academy.org.uk'),
  /** Looks like police.uk, is not on a label boundary of it. */
  lookalike: person('Duty Sergeant', 'duty.sergeant@evilpolice.uk'),
} as const;

/** Members of the public on webmail. */
export const publicWebmail = {
  witness: person('Kevin Osei', 'kevin.osei1979@gmail.com'),
  victim: person('Joanne Bramley', 'jo.bramley@outlook.com'),
  complainant: person('Lauren Fitzgerald', 'lauren.fitz@yahoo.co.uk'),
  forwardTarget: person('', 'dt.hughes77@gmail.com'),
} as const;

/** Alex Turner's own home addresses (first name or initial + surname in the local part). */
export const alexHome = {
  gmail: person('Alex Turner', 'alex.turner1984@gmail.com'),
  hotmail: person('Alex', 'a.turner@hotmail.co.uk'),
} as const;

/** Friends and family of staff (personal mail). */
export const family = {
  sam: person('Sam', 'sam.t.runs@gmail.com'),
  mum: person('Mum', 'margaret.okafor52@btinternet.com'),
  ben: person('Ben Carter', 'ben.carter.ldn@icloud.com'),
  club: person('Catford Harriers', 'secretary@catfordharriers.org.uk'),
} as const;

const FIRST = ['Aisha', 'Ben', 'Chloe', 'Dev', 'Emma', 'Femi', 'Grace', 'Harry', 'Imran', 'Jess', 'Kofi', 'Laura', 'Mo', 'Nina', 'Owen', 'Pete', 'Rosa', 'Sunil', 'Tara', 'Umar'];
const LAST = ['Adeyemi', 'Baker', 'Chen', 'Doyle', 'Evans', 'Farah', 'Green', 'Hussain', 'Ingram', 'Jones', 'Khan', 'Lewis', 'Mills', 'Nowak', 'Obi', 'Patel', 'Quinn', 'Rahman', 'Singh', 'Taylor'];

/** `n` distinct internal colleagues, always the same for the same n. */
export function colleagues(n: number): Person[] {
  const out: Person[] = [];
  for (let i = 0; out.length < n; i++) {
    const first = FIRST[i % FIRST.length] ?? 'Sam';
    const last = LAST[(i * 7 + Math.floor(i / FIRST.length)) % LAST.length] ?? 'Smith';
    out.push(person(`${first} ${last}`, `${first}.${last}${i >= FIRST.length ? i : ''}@met.police.uk`.toLowerCase()));
  }
  return out;
}
