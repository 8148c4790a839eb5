import { describe, expect, it } from 'vitest';
import { parseHomeAddresses } from '../../src/config/home-addresses.js';

describe('registered home addresses file', () => {
  it('reads pairs, skipping comments and blank lines, ignoring case', () => {
    const { registry, problems } = parseHomeAddresses('# header\n\nA.Turner@Met.Police.UK   alex@Example.NET\r\nb@met.police.uk\tbee@example.org  # note\n');
    expect(problems).toEqual([]);
    expect(registry.size).toBe(2);
    expect(registry.ownersOf(' ALEX@example.net ')).toEqual(['a.turner@met.police.uk']);
    expect(registry.ownersOf('bee@example.org')).toEqual(['b@met.police.uk']);
  });

  it('names each bad line', () => {
    const { problems } = parseHomeAddresses('a@met.police.uk\nnot-an-address b@example.org\na@met.police.uk b@example.org c@example.org\n');
    expect(problems).toEqual([
      'line 1: expected "staff-address home-address", got "a@met.police.uk"',
      'line 2: expected "staff-address home-address", got "not-an-address b@example.org"',
      'line 3: expected "staff-address home-address", got "a@met.police.uk b@example.org c@example.org"',
    ]);
  });
});
