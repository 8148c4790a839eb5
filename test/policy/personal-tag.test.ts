import { describe, expect, it } from 'vitest';
import { hasPersonalTag } from '../../src/policy/personal-tag.js';
import { defaultPolicy } from './builder.js';

const levels = defaultPolicy().markings.levels;
const tag = (s: string) => hasPersonalTag(s, levels);

describe('personal tag (MPS Personal Use SOP 3.7)', () => {
  it.each([
    '[Personal] dinner on Friday',
    'dinner on Friday [personal]',
    'Re: [PERSONAL] football',
    'FW: [pErSoNaL] photos',
    'OFFICIAL [Personal] lunch', // the baseline marking carries no descriptor: this is the tag
    'OFFICIAL-SENSITIVE [PERSONAL] [Personal] both', // descriptor AND a separate tag
    '[Personal] OFFICIAL-SENSITIVE',
    'official-sensitive [Personal] lower-case marking is no marking',
  ])('tags %j', (s) => expect(tag(s)).toBe(true));

  it.each([
    'OFFICIAL-SENSITIVE [PERSONAL] interview notes',
    'OFFICIAL SENSITIVE [PERSONAL] interview notes',
    'OFFICIAL-SENSITIVE: [PERSONAL] interview notes',
    'OFFICIAL-SENSITIVE - [Personal] interview notes',
    '[OFFICIAL-SENSITIVE] [PERSONAL] interview notes',
    'RESTRICTED [PERSONAL] staff file',
    'Re: PROTECT - [PERSONAL] medical',
    'TOP SECRET [PERSONAL]',
    'Personal matters', // no brackets
    '(Personal) dinner',
    '[Personal dinner]',
    '',
  ])('does not tag %j', (s) => expect(tag(s)).toBe(false));
});
