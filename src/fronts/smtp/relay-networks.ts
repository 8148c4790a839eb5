/**
 * Which client addresses may relay without AUTH. No open relay, ever: an address that does not
 * parse, or matches no configured network, is not allowed.
 */
import { BlockList, isIP } from 'node:net';
import { unmapIPv4 } from '../../custody/client-address.js';

export class RelayNetworks {
  private readonly list = new BlockList();

  /** `cidrs` are validated by the service schema ('127.0.0.0/8', '::1/128'). */
  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [addr = '', bits = ''] = cidr.split('/');
      this.list.addSubnet(addr, Number(bits), isIP(addr) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  allows(address: string | undefined): boolean {
    if (!address) return false;
    const ip = unmapIPv4(address);
    const family = isIP(ip);
    if (family === 0) return false;
    return this.list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }
}

