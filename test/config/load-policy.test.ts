import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { homeRegistryOf } from '../../src/config/home-addresses.js';
import { buildPolicy, combinedVersion, defaultPolicyPath, loadPolicy, parsePolicy, PolicyError } from '../../src/config/load-policy.js';
import { policySchema } from '../../src/config/policy-schema.js';
import { RULE_IDS } from '../../src/policy/rules.js';

const MINIMAL = `domains: {}
markings:
  levels:
    - { name: OFFICIAL, rank: 0 }
    - { name: PROTECT, rank: 1 }
    - { name: RESTRICTED, rank: 2 }
    - { name: CONFIDENTIAL, rank: 3 }
`;

describe('config/policy.yaml', () => {
  it('is found from the source tree and loads', async () => {
    expect(defaultPolicyPath()).toBe(path.resolve('config/policy.yaml'));
    const policy = await loadPolicy(defaultPolicyPath());
    expect(policy.mode).toBe('enforce');
    expect(policy.domains.internal).toEqual(['met.police.uk']);
    expect(policy.domains.secure).toEqual(['police.uk', 'pnn.police.uk', 'gsi.gov.uk', 'gsx.gov.uk', 'gse.gov.uk', 'gcsx.gov.uk', 'cjsm.net', 'nhs.net']);
    for (const d of ['gmail.com', 'googlemail.com', 'hotmail.com', 'hotmail.co.uk', 'outlook.com', 'live.com', 'live.co.uk', 'msn.com', 'yahoo.com', 'yahoo.co.uk', 'ymail.com', 'aol.com', 'icloud.com', 'me.com', 'btinternet.com', 'sky.com', 'virginmedia.com', 'talktalk.net', 'protonmail.com', 'proton.me', 'gmx.com', 'mail.com']) {
      expect(policy.domains.webmail).toContain(d);
    }
    expect(policy.markings.levels.map((l) => `${l.name}=${l.rank}`)).toEqual([
      'NOT PROTECTIVELY MARKED=0', 'UNCLASSIFIED=0', 'OFFICIAL=0', 'PROTECT=1', 'RESTRICTED=2', 'OFFICIAL-SENSITIVE=2', 'CONFIDENTIAL=3', 'SECRET=4', 'TOP SECRET=5',
    ]);
    expect(policy.version).toBe(createHash('sha256').update(readFileSync(defaultPolicyPath())).digest('hex'));
    expect(policy.source).toBe(defaultPolicyPath());
  });

  it('writes out every key: its values equal the schema defaults (plus the lists), so nothing is hidden', async () => {
    const policy = await loadPolicy(defaultPolicyPath());
    const defaults = policySchema.parse({ domains: {}, markings: { levels: policy.markings.levels } });
    expect(policy.rules).toEqual(defaults.rules);
    expect(policy.inspection).toEqual(defaults.inspection);
    expect(policy.staff).toEqual(defaults.staff);
    const text = readFileSync(defaultPolicyPath(), 'utf8');
    for (const rule of RULE_IDS) {
      expect(text).toContain(`\n  ${rule}:\n`);
      for (const key of Object.keys(policy.rules[rule])) expect(text).toMatch(new RegExp(`\\n  ${rule}:\\n(?:    .*\\n|\\s*#.*\\n)*?    ${key}:`));
    }
  });

  it('is frozen all the way down', async () => {
    const policy = await loadPolicy(defaultPolicyPath());
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules['mass-mail'])).toBe(true);
    expect(Object.isFrozen(policy.domains.webmail)).toBe(true);
    expect(() => (policy.domains.webmail as string[]).push('x.com')).toThrow(TypeError);
  });
});

describe('loadPolicy', () => {
  it('fills defaults for a minimal file and hashes its exact bytes', () => {
    const policy = parsePolicy(MINIMAL, 'mem.yaml');
    expect(policy.rules['mass-mail']).toEqual({ action: 'quarantine', exempt: [], maxRecipients: 50 });
    expect(policy.version).toBe(createHash('sha256').update(MINIMAL).digest('hex'));
    expect(parsePolicy(`${MINIMAL}\n`, 'mem.yaml').version).not.toBe(policy.version);
  });

  it('accepts level names in any case', () => {
    expect(() => parsePolicy(`${MINIMAL}rules:\n  marked-too-high:\n    minLevel: confidential\n`, 'mem.yaml')).not.toThrow();
  });

  it('reads the home addresses file next to the policy file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mw-policy-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'policy.yaml'), `${MINIMAL}staff:\n  homeAddressesFile: homes.txt\n`);
    writeFileSync(path.join(dir, 'homes.txt'), '# registered\nalex.turner@met.police.uk  Alex.T@Example.net\nsam.patel@met.police.uk alex.t@example.net # shared\n');
    const policy = await loadPolicy(path.join(dir, 'policy.yaml'));
    const registry = homeRegistryOf(policy);
    expect(registry.size).toBe(1);
    expect(registry.ownersOf('alex.t@example.net')).toEqual(['alex.turner@met.police.uk', 'sam.patel@met.police.uk']);
    expect(registry.ownersOf('nobody@example.net')).toEqual([]);
    expect(homeRegistryOf(parsePolicy(readFileSync(path.join(dir, 'policy.yaml'), 'utf8'), path.join(dir, 'policy.yaml'))).size).toBe(1);

    // The version covers the register too: the same policy file with another register is another policy.
    const policyHash = createHash('sha256').update(readFileSync(path.join(dir, 'policy.yaml'))).digest('hex');
    expect(policy.version).toBe(combinedVersion(policyHash, readFileSync(path.join(dir, 'homes.txt'), 'utf8')));
    writeFileSync(path.join(dir, 'homes.txt'), '# registered\nalex.turner@met.police.uk  alex.t@example.net\n');
    const changed = await loadPolicy(path.join(dir, 'policy.yaml'));
    expect(changed.version).not.toBe(policy.version);
    expect(changed.version).not.toBe(policyHash);
  });

  it('gives a policy without a home file an empty registry', () => {
    expect(homeRegistryOf(parsePolicy(MINIMAL, 'mem.yaml')).size).toBe(0);
  });

  it('reports a missing file as unreadable', async () => {
    const err = await loadPolicy('no/such/policy.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).code).toBe('POLICY_UNREADABLE');
    expect((err as PolicyError).message).toBe('cannot read policy file no/such/policy.yaml: no such file');
  });

  it('refuses YAML alias bombs', () => {
    const bomb = `${MINIMAL}x: &a [1,1,1,1,1,1,1,1,1,1]\n` + Array.from({ length: 12 }, (_, i) => `y${i}: &b${i} [*${i === 0 ? 'a' : `b${i - 1}`},*${i === 0 ? 'a' : `b${i - 1}`}]`).join('\n');
    expect(() => parsePolicy(bomb, 'bomb.yaml')).toThrow('YAML error: Excessive alias count indicates a resource exhaustion attack');
  });

  it('buildPolicy validates a value the same way', () => {
    expect(() => buildPolicy({ domains: {}, markings: { levels: [{ name: 'OFFICIAL', rank: 0 }] } })).toThrow(
      'rules.personal-marked.minLevel: expected a level from markings.levels (OFFICIAL), got "RESTRICTED"',
    );
  });

  it('lists at most 20 problems', () => {
    const many = `${MINIMAL}rules:\n  mass-mail:\n${Array.from({ length: 25 }, (_, i) => `    k${i}: 1`).join('\n')}\n`;
    const err = (() => {
      try {
        parsePolicy(many, 'many.yaml');
      } catch (e) {
        return e as PolicyError;
      }
      return undefined;
    })();
    expect(err?.problems).toHaveLength(21);
    expect(err?.problems[20]).toBe('... and 5 more');
  });
});
