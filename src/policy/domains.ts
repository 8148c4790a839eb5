/**
 * Recipient domains and how they relate to the organisation. Lists match a domain and its
 * subdomains on whole labels: x.met.police.uk is met.police.uk, evilpolice.uk is not police.uk.
 */
import type { Policy } from '../config/policy-schema.js';
import type { RecipientClass } from './facts.js';

/** Trimmed, lower-cased, without angle brackets: the form every fact and comparison uses. */
export function normaliseAddress(raw: string): string {
  return raw.trim().replace(/^<(.*)>$/, '$1').trim().toLowerCase();
}

/** The part after the last '@', lower-cased, without a trailing dot; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  return address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
}

export function localPartOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at);
}

/** True when `domain` is one of `list` or a subdomain of one, on label boundaries. */
export function inDomainList(domain: string, list: readonly string[]): boolean {
  if (!domain) return false;
  return list.some((d) => domain === d || domain.endsWith(`.${d}`));
}

interface DomainLists {
  readonly internal: readonly string[];
  readonly secure: readonly string[];
  readonly webmail: readonly string[];
}

const cache = new WeakMap<Policy['domains'], DomainLists>();

function listsOf(policy: Policy): DomainLists {
  let lists = cache.get(policy.domains);
  if (!lists) {
    const norm = (l: readonly string[]) => l.map((d) => d.trim().toLowerCase().replace(/^\.+|\.+$/g, '')).filter(Boolean);
    lists = { internal: norm(policy.domains.internal), secure: norm(policy.domains.secure), webmail: norm(policy.domains.webmail) };
    cache.set(policy.domains, lists);
  }
  return lists;
}

/**
 * Internal wins over secure (met.police.uk sits inside police.uk). An address without a domain
 * is external: we cannot show it stays inside.
 */
export function classifyDomain(domain: string, policy: Policy): RecipientClass {
  const lists = listsOf(policy);
  if (inDomainList(domain, lists.internal)) return 'internal';
  if (inDomainList(domain, lists.secure)) return 'secure';
  if (inDomainList(domain, lists.webmail)) return 'webmail';
  return 'external';
}
