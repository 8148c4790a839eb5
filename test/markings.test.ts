import { describe, expect, it } from 'vitest';
import {
  levelByName,
  levelForPurviewLabel,
  markingsInHeaders,
  markingsInSubject,
  markingsInText,
} from '../src/message/markings.js';
import { LABEL_GUID, makeOptions } from './content/helpers.js';

const scheme = makeOptions().markings;
const subjectLevels = (s: string): string[] => markingsInSubject(s, scheme).map((h) => h.level);
const textLevels = (s: string): string[] => markingsInText(s, scheme, 'body').map((h) => h.level);

describe('markingsInSubject', () => {
  it.each([
    ['RESTRICTED', 'RESTRICTED'],
    ['RESTRICTED - budget figures', 'RESTRICTED'],
    ['RESTRICTED: budget figures', 'RESTRICTED'],
    ['Budget figures [RESTRICTED]', 'RESTRICTED'],
    ['Budget figures (SECRET)', 'SECRET'],
    ['[OFFICIAL-SENSITIVE] rota', 'OFFICIAL-SENSITIVE'],
    ['OFFICIAL SENSITIVE: rota', 'OFFICIAL-SENSITIVE'],
    ['OFFICIAL-SENSITIVE [PERSONAL]', 'OFFICIAL-SENSITIVE'],
    ['Rota for next week OFFICIAL-SENSITIVE', 'OFFICIAL-SENSITIVE'],
    ['TOP SECRET: Operation Nightfall', 'TOP SECRET'],
    ['RE: FW: CONFIDENTIAL - staff review', 'CONFIDENTIAL'],
    ['RE: RESTRICTED Budget', 'RESTRICTED'],
    ['Fwd: PROTECT', 'PROTECT'],
    ['** RESTRICTED ** shift pattern', 'RESTRICTED'],
    ['NOT PROTECTIVELY MARKED', 'NOT PROTECTIVELY MARKED'],
    ['[EXTERNAL] SECRET: plans', 'SECRET'],
  ])('%s -> %s', (subject, level) => {
    expect(subjectLevels(subject)).toEqual([level]);
  });

  it.each([
    'access is restricted',
    'Secret Santa',
    'top secret recipe',
    'PROTECT YOUR ACCOUNT',
    'RE: the RESTRICTED area plan',
    'Restricted: lower case is prose',
    'SECRET-SANTA draw',
    'Our PROTECTIVELY worded note',
    'Lunch on Friday',
    'THIS IS TOP SECRET STUFF',
    '',
  ])('prose is not a marking: %s', (subject) => {
    expect(subjectLevels(subject)).toEqual([]);
  });

  it('prefers the longest level name and reports each level once', () => {
    expect(subjectLevels('TOP SECRET')).toEqual(['TOP SECRET']);
    expect(subjectLevels('OFFICIAL-SENSITIVE')).toEqual(['OFFICIAL-SENSITIVE']);
    const hits = markingsInSubject('[SECRET] plans - SECRET', scheme);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ level: 'SECRET', rank: 4, source: 'subject' });
  });

  it('stays fast on a hostile subject', () => {
    const started = performance.now();
    markingsInSubject(`${'SECRET '.repeat(500)}${'-'.repeat(100_000)}${' '.repeat(100_000)}x`, scheme);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('markingsInText (banner lines)', () => {
  it('finds a line that is only the marking, with decoration or a descriptor', () => {
    expect(textLevels('Dear all,\n\nRESTRICTED\n\nPlease see attached.')).toEqual(['RESTRICTED']);
    expect(textLevels('** RESTRICTED **')).toEqual(['RESTRICTED']);
    expect(textLevels('hello\r\nOFFICIAL-SENSITIVE [PERSONAL]\r\nbye')).toEqual(['OFFICIAL-SENSITIVE']);
    expect(textLevels('OFFICIAL SENSITIVE - PERSONAL')).toEqual(['OFFICIAL-SENSITIVE']);
    expect(textLevels('> > SECRET')).toEqual(['SECRET']);
    expect(textLevels('[TOP SECRET]')).toEqual(['TOP SECRET']);
  });

  it('finds labelled lines in any case', () => {
    expect(textLevels('Protective Marking: Restricted')).toEqual(['RESTRICTED']);
    expect(textLevels('classification: official-sensitive')).toEqual(['OFFICIAL-SENSITIVE']);
    expect(textLevels('Security Classification = Confidential')).toEqual(['CONFIDENTIAL']);
  });

  it('ignores prose', () => {
    expect(textLevels('Access to this area is restricted.\nSecret Santa is on Friday.')).toEqual([]);
    expect(textLevels('PROTECT YOUR ACCOUNT')).toEqual([]);
    expect(textLevels('restricted')).toEqual([]);
    expect(textLevels('The RESTRICTED area is closed')).toEqual([]);
    expect(textLevels('Classification: pending')).toEqual([]);
  });

  it('reports each level once with the source given', () => {
    const hits = markingsInText('RESTRICTED\nbody\nRESTRICTED\nSECRET', scheme, 'attachment:a.docx');
    expect(hits.map((h) => [h.level, h.source])).toEqual([
      ['RESTRICTED', 'attachment:a.docx'],
      ['SECRET', 'attachment:a.docx'],
    ]);
  });

  it('is linear on huge text', () => {
    const text = `${'word '.repeat(2_000_000)}\n${'x\n'.repeat(500_000)}${'*'.repeat(1_000_000)}\nSECRET\n`;
    const started = performance.now();
    expect(textLevels(text)).toEqual(['SECRET']);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

describe('markingsInHeaders', () => {
  const levels = (fields: { name: string; value: string }[]): [string, string][] =>
    markingsInHeaders(fields, scheme).map((h) => [h.level, h.source]);

  it('reads X-Protective-Marking in its SEC= and CLASSIFICATION= forms and plain', () => {
    expect(levels([{ name: 'X-Protective-Marking', value: 'VER=2018.1, NS=gov.au, SEC=OFFICIAL:Sensitive, ORIGIN=a@b.gov.au' }])).toEqual([
      ['OFFICIAL-SENSITIVE', 'header:x-protective-marking'],
    ]);
    expect(levels([{ name: 'x-protective-marking', value: 'SEC=OFFICIAL:Sensitive' }])).toEqual([
      ['OFFICIAL-SENSITIVE', 'header:x-protective-marking'],
    ]);
    expect(levels([{ name: 'x-protective-marking', value: 'CLASSIFICATION=RESTRICTED' }])).toEqual([
      ['RESTRICTED', 'header:x-protective-marking'],
    ]);
    expect(levels([{ name: 'x-protective-marking', value: 'Top Secret' }])).toEqual([['TOP SECRET', 'header:x-protective-marking']]);
    expect(levels([{ name: 'x-protective-marking', value: 'SEC=UNOFFICIAL' }])).toEqual([]);
  });

  it('reads msip_labels by name and by GUID, skipping disabled labels', () => {
    const other = '11111111-2222-3333-4444-555555555555';
    const value =
      `MSIP_Label_${other}_Enabled=true; MSIP_Label_${other}_SetDate=2024-01-01T00:00:00Z; ` +
      `MSIP_Label_${other}_Method=Standard; MSIP_Label_${other}_Name=Official Sensitive; ` +
      `MSIP_Label_${other}_SiteId=abc; MSIP_Label_${other}_ContentBits=0`;
    expect(levels([{ name: 'msip_labels', value }])).toEqual([['OFFICIAL-SENSITIVE', 'header:msip_labels']]);
    const byGuid = `MSIP_Label_${LABEL_GUID}_Enabled=true; MSIP_Label_${LABEL_GUID}_Name=Internal Only`;
    expect(levels([{ name: 'msip_labels', value: byGuid }])).toEqual([['OFFICIAL-SENSITIVE', 'header:msip_labels']]);
    const disabled = `MSIP_Label_${other}_Enabled=false; MSIP_Label_${other}_Name=Secret`;
    expect(levels([{ name: 'msip_labels', value: disabled }])).toEqual([]);
    const byMappedName = `MSIP_Label_${other}_Enabled=true; MSIP_Label_${other}_Name=MPS Secret Label`;
    expect(levels([{ name: 'msip_labels', value: byMappedName }])).toEqual([['SECRET', 'header:msip_labels']]);
  });

  it('ignores other headers', () => {
    expect(levels([{ name: 'subject', value: 'SECRET' }, { name: 'x-mailer', value: 'RESTRICTED' }])).toEqual([]);
  });
});

describe('levelByName', () => {
  it('matches case-insensitively with space, hyphen and underscore variants', () => {
    expect(levelByName('Official Sensitive', scheme)).toEqual({ level: 'OFFICIAL-SENSITIVE', rank: 2 });
    expect(levelByName('official_sensitive', scheme)).toEqual({ level: 'OFFICIAL-SENSITIVE', rank: 2 });
    expect(levelByName('top-secret', scheme)).toEqual({ level: 'TOP SECRET', rank: 5 });
    expect(levelByName('"Restricted"', scheme)).toEqual({ level: 'RESTRICTED', rank: 2 });
    expect(levelByName('OFFICIAL-SENSITIVE [PERSONAL]', scheme)).toEqual({ level: 'OFFICIAL-SENSITIVE', rank: 2 });
  });

  it('does not match part of a word or an unknown level', () => {
    expect(levelByName('PROTECTED', scheme)).toBeNull();
    expect(levelByName('Public', scheme)).toBeNull();
    expect(levelByName('', scheme)).toBeNull();
  });

  it('maps Purview labels through purviewLabels, by GUID (braces allowed) or name', () => {
    expect(levelForPurviewLabel({ id: `{${LABEL_GUID.toUpperCase()}}` }, scheme)).toEqual({ level: 'OFFICIAL-SENSITIVE', rank: 2 });
    expect(levelForPurviewLabel({ name: 'mps secret label' }, scheme)).toEqual({ level: 'SECRET', rank: 4 });
    expect(levelForPurviewLabel({ id: 'unknown', name: 'Confidential' }, scheme)).toEqual({ level: 'CONFIDENTIAL', rank: 3 });
  });
});
