import { describe, expect, it } from 'vitest';
import { RelayNetworks } from '../../../src/fronts/smtp/relay-networks.js';

describe('RelayNetworks', () => {
  const nets = new RelayNetworks(['127.0.0.0/8', '::1/128', '10.20.0.0/16', '2001:db8::/32']);
  it.each([
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:10.20.3.4', true],
    ['10.20.255.255', true],
    ['10.21.0.1', false],
    ['::ffff:10.21.0.1', false],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['::2', false],
    ['192.0.2.1', false],
    ['not-an-ip', false],
    ['', false],
  ])('%s -> %s', (addr, allowed) => {
    expect(nets.allows(addr)).toBe(allowed);
  });

  it('allows nobody when no network is configured', () => {
    expect(new RelayNetworks([]).allows('127.0.0.1')).toBe(false);
  });
});
