import { describe, expect, it } from 'vitest';
import { classifyDomain, domainOf, inDomainList, normaliseAddress } from '../../src/policy/domains.js';
import { defaultPolicy } from './builder.js';

const policy = defaultPolicy();

describe('domain classes', () => {
  it.each([
    ['met.police.uk', 'internal'],
    ['x.met.police.uk', 'internal'],
    ['MET.POLICE.UK', 'internal'],
    ['police.uk', 'secure'],
    ['kent.police.uk', 'secure'],
    ['pnn.police.uk', 'secure'],
    ['homeoffice.gsi.gov.uk', 'secure'],
    ['cps.cjsm.net', 'secure'],
    ['nhs.net', 'secure'],
    ['evilpolice.uk', 'external'],
    ['met.police.uk.evil.com', 'external'],
    ['notmet.police.uk', 'secure'], // a police.uk subdomain, but not ours
    ['gmail.com', 'webmail'],
    ['googlemail.com', 'webmail'],
    ['hotmail.co.uk', 'webmail'],
    ['mail.com', 'webmail'],
    ['fakegmail.com', 'external'],
    ['example.org', 'external'],
    ['', 'external'],
  ] as const)('%s is %s', (domain, cls) => expect(classifyDomain(domainOf(`x@${domain}`), policy)).toBe(cls));

  it('matches on label boundaries only', () => {
    expect(inDomainList('a.b.police.uk', ['police.uk'])).toBe(true);
    expect(inDomainList('xpolice.uk', ['police.uk'])).toBe(false);
    expect(inDomainList('', ['police.uk'])).toBe(false);
  });

  it('normalises addresses', () => {
    expect(normaliseAddress(' <Alex.Turner@Met.Police.UK> ')).toBe('alex.turner@met.police.uk');
    expect(domainOf('a@Example.ORG.')).toBe('example.org');
    expect(domainOf('postmaster')).toBe('');
  });
});
