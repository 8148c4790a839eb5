import { describe, expect, it } from 'vitest';
import { carriesSenderName, nameFromAddress, nameFromDisplayName, senderNames } from '../../src/policy/home-heuristic.js';
import { envelope } from './builder.js';

const alex = [{ first: 'alex', last: 'turner' }];

describe('home address heuristic', () => {
  it.each(['alex.turner1984', 'a.turner', 'turner.alex', 'alexturner', 'turner_a', 'aturner', 'turneralex', 'alex-turner', 'alex.turner+news', 'ALEX.TURNER'])(
    '%s carries Alex Turner',
    (local) => expect(carriesSenderName(local, alex)).toBe(true),
  );

  it.each(['bob.smith', 'turnerfan', 'theturners', 'turner', 'alex', 'alex.smith', 'turner1984', 'b.turner', 'alexturnerfan'])(
    '%s does not carry Alex Turner',
    (local) => expect(carriesSenderName(local, alex)).toBe(false),
  );

  it('reads first.last envelope addresses, ignoring digits and middle initials', () => {
    expect(nameFromAddress('alex.turner@met.police.uk')).toEqual({ first: 'alex', last: 'turner' });
    expect(nameFromAddress('alex.j.turner2@met.police.uk')).toEqual({ first: 'alex', last: 'turner' });
    expect(nameFromAddress('a.turner@met.police.uk')).toEqual({ first: 'a', last: 'turner' });
    expect(nameFromAddress('pressoffice@met.police.uk')).toBeNull();
  });

  it('an initial-only sender matches only initial forms', () => {
    const a = [nameFromAddress('a.turner@met.police.uk')!];
    expect(carriesSenderName('a.turner', a)).toBe(true);
    expect(carriesSenderName('alex.turner', a)).toBe(false);
  });

  it('reads display names in the usual shapes', () => {
    expect(nameFromDisplayName('Alex Turner')).toEqual({ first: 'alex', last: 'turner' });
    expect(nameFromDisplayName('Turner, Alex')).toEqual({ first: 'alex', last: 'turner' });
    expect(nameFromDisplayName('DS Alex J. Turner (Met Police)')).toEqual({ first: 'alex', last: 'turner' });
    expect(nameFromDisplayName('Alex Smith-Jones - SCO19')).toEqual({ first: 'alex', last: 'smithjones' });
    expect(nameFromDisplayName('Zoë Brontë')).toEqual({ first: 'zoe', last: 'bronte' });
    expect(nameFromDisplayName('Helpdesk')).toBeNull();
  });

  it('hyphenated surnames match written together or apart', () => {
    const n = [{ first: 'alex', last: 'smithjones' }];
    expect(carriesSenderName('alex.smith-jones', n)).toBe(true);
    expect(carriesSenderName('a.smithjones77', n)).toBe(true);
    expect(carriesSenderName('smith.jones', n)).toBe(false);
  });

  it('takes names from the envelope sender and the From display name', () => {
    const names = senderNames(envelope('duty.desk@met.police.uk', []), [{ name: 'Sam Patel', address: 'x@met.police.uk' }]);
    expect(names).toEqual([
      { first: 'duty', last: 'desk' },
      { first: 'sam', last: 'patel' },
    ]);
    expect(senderNames(envelope('', []), [])).toEqual([]);
  });
});
