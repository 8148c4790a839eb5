/**
 * The registered staff home addresses (policy key staff.homeAddressesFile), WMP Inf/27 2.5.1:
 * business mail may not go to personal accounts or home computers.
 *
 * File format: one pair per line, the staff address then the home address, separated by
 * white space; '#' starts a comment. A home address may belong to several staff.
 *
 *     alex.turner@met.police.uk   alex.t.1984@example.net
 */
import type { Policy } from './policy-schema.js';

export interface HomeRegistry {
  /** Staff addresses that registered this home address (lower-cased); empty when none did. */
  ownersOf(address: string): readonly string[];
  readonly size: number;
}

export interface HomeAddressesParse {
  readonly registry: HomeRegistry;
  /** 'line 3: ...' for each line that is not a pair of addresses. */
  readonly problems: readonly string[];
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Providers that ignore dots in the local part (one mailbox for alex.turner and alexturner). */
const DOTLESS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address delivers to, for matching registered home addresses: lower-cased, a
 * '+tag' sub-address dropped (Gmail, Outlook, iCloud, Fastmail and Proton deliver
 * alex+work@ to alex@), and for Gmail the dots dropped and googlemail.com read as gmail.com.
 * Otherwise alex.turner1984+x@gmail.com or alexturner1984@googlemail.com would slip past a
 * registered alex.turner1984@gmail.com.
 */
export function deliveredMailbox(address: string): string {
  const clean = address.trim().toLowerCase();
  const at = clean.lastIndexOf('@');
  if (at <= 0) return clean;
  let local = clean.slice(0, at);
  let domain = clean.slice(at + 1).replace(/\.$/, '');
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (DOTLESS.has(domain)) {
    domain = 'gmail.com';
    local = local.replace(/\./g, '') || local;
  }
  return `${local}@${domain}`;
}

export function parseHomeAddresses(text: string): HomeAddressesParse {
  const owners = new Map<string, string[]>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    const [staff, home] = parts;
    if (parts.length !== 2 || !staff || !home || !ADDRESS.test(staff) || !ADDRESS.test(home)) {
      problems.push(`line ${i + 1}: expected "staff-address home-address", got ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    const key = deliveredMailbox(home);
    const list = owners.get(key) ?? [];
    if (!list.includes(staff.toLowerCase())) list.push(staff.toLowerCase());
    owners.set(key, list);
  });
  return { registry: registryFrom(owners), problems };
}

function registryFrom(owners: Map<string, readonly string[]>): HomeRegistry {
  for (const list of owners.values()) Object.freeze(list);
  return Object.freeze({
    ownersOf: (address: string) => owners.get(deliveredMailbox(address)) ?? [],
    size: owners.size,
  });
}

export const EMPTY_HOME_REGISTRY: HomeRegistry = registryFrom(new Map());

/**
 * The registry travels beside the policy it was loaded with rather than inside it, so the policy
 * stays the plain validated value of its schema. load-policy attaches it; the engine reads it.
 */
const registries = new WeakMap<Policy, HomeRegistry>();

export function attachHomeRegistry(policy: Policy, registry: HomeRegistry): void {
  registries.set(policy, registry);
}

export function homeRegistryOf(policy: Policy): HomeRegistry {
  return registries.get(policy) ?? EMPTY_HOME_REGISTRY;
}
