import { describe, expect, it } from 'vitest';
import { deliveredMailbox, parseHomeAddresses } from '../../src/config/home-addresses.js';

describe('registered home addresses: every form that reaches the same mailbox', () => {
  const { registry } = parseHomeAddresses('alex.turner@met.police.uk alex.turner1984@gmail.com\npriya.shah@met.police.uk p.shah@outlook.com\n');

  it.each(['alex.turner1984@gmail.com', 'alexturner1984@gmail.com', 'a.l.e.x.turner1984@googlemail.com', 'Alex.Turner1984+work@Gmail.com', ' alex.turner1984@gmail.com. '])(
    '%s is Alex Turner at home',
    (address) => expect(registry.ownersOf(address)).toEqual(['alex.turner@met.police.uk']),
  );

  it('drops a +tag everywhere, dots only at Gmail', () => {
    expect(registry.ownersOf('p.shah+news@outlook.com')).toEqual(['priya.shah@met.police.uk']);
    expect(registry.ownersOf('pshah@outlook.com')).toEqual([]);
    expect(registry.ownersOf('alex.turner1984@yahoo.com')).toEqual([]);
    expect(deliveredMailbox('+only@gmail.com')).toBe('+only@gmail.com');
    expect(deliveredMailbox('...@gmail.com')).toBe('...@gmail.com');
  });
});
