/**
 * Who may hold an SMTP session, so that one client cannot close the relay for everyone else:
 *
 * - `smtp.maxClientsPerAddress` sessions per client, a client being one IPv4 address or one IPv6
 *   /64 (one customer's network: an IPv6 host can pick any address inside its /64);
 * - `smtp.maxOutsideClients` sessions from outside `smtp.relayNetworks` (they can do nothing but
 *   AUTH), so the rest of `smtp.maxClients` stays free for the relay networks; a session that has
 *   authenticated no longer counts as an outsider (its place in the share goes to the next one);
 * - `smtp.maxClients` sessions in all.
 *
 * smtp-server's own `maxClients` counts connections it has not greeted yet, refused ones included,
 * so a client reconnecting in a loop kept it full: it is off, and we count admitted sessions only.
 */
import { isIP } from 'node:net';
import type { FrontSettings } from './front-context.js';
import { unmapIPv4 } from '../../custody/client-address.js';
import type { Reply } from './replies.js';

interface Admitted {
  readonly client: string;
  outside: boolean;
}

export class ClientLimits {
  private readonly bySession = new Map<string, Admitted>();
  private readonly perClient = new Map<string, number>();
  private outside = 0;

  /** Admits a new session, or returns the 421 to refuse it with. */
  admit(sessionId: string, address: string, settings: FrontSettings): Reply | null {
    const smtp = settings.config.smtp;
    const client = clientKey(address);
    const outside = !settings.relay.allows(address);
    const held = this.perClient.get(client) ?? 0;
    if (held >= smtp.maxClientsPerAddress) return { kind: 'too-many-from-client', limit: smtp.maxClientsPerAddress };
    if (this.bySession.size >= smtp.maxClients) return { kind: 'too-many-clients' };
    if (outside && this.outside >= smtp.maxOutsideClients) return { kind: 'too-many-clients' };
    this.bySession.set(sessionId, { client, outside });
    this.perClient.set(client, held + 1);
    if (outside) this.outside++;
    return null;
  }

  /** A session authenticated: it is one of ours now, wherever it connects from. */
  authenticated(sessionId: string): void {
    const s = this.bySession.get(sessionId);
    if (!s?.outside) return;
    s.outside = false;
    this.outside--;
  }

  /** Frees an admitted session's place; a session never admitted is ignored. */
  release(sessionId: string): void {
    const s = this.bySession.get(sessionId);
    if (!s) return;
    this.bySession.delete(sessionId);
    const held = (this.perClient.get(s.client) ?? 1) - 1;
    if (held > 0) this.perClient.set(s.client, held);
    else this.perClient.delete(s.client);
    if (s.outside) this.outside--;
  }

  get sessions(): number {
    return this.bySession.size;
  }
}

/** The client a connection counts against: the IPv4 address, or the IPv6 address's /64. */
export function clientKey(address: string): string {
  const ip = unmapIPv4(address);
  if (isIP(ip) !== 6) return ip;
  const groups = ipv6Groups(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

/** The eight 16-bit groups of an IPv6 address (zone dropped, '::' and a dotted tail expanded). */
function ipv6Groups(ip: string): string[] | null {
  let text = ip.split('%')[0] ?? '';
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(0, fill)).fill('0'), ...right];
  return groups.length === 8 ? groups.map((g) => (Number.parseInt(g, 16) || 0).toString(16)) : null;
}
