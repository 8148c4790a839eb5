import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/policy/checks/index.js';
import { evaluate } from '../../src/policy/engine.js';
import { RULE_IDS } from '../../src/policy/rules.js';
import { defaultPolicy, envelope, message, part, SENDER } from './builder.js';

const DIR = 'src/policy/checks';

describe('the registered list of checks', () => {
  it('covers every rule id exactly once', () => {
    expect(CHECKS.map((c) => c.id).sort()).toEqual([...RULE_IDS].sort());
  });

  it('has one file per rule, named after it, opening with the policy clause it enforces', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    expect(files.sort()).toEqual(RULE_IDS.map((id) => `${id}.ts`).sort());
    for (const check of CHECKS) {
      const text = readFileSync(`${DIR}/${check.id}.ts`, 'utf8');
      expect(text.startsWith('/**\n')).toBe(true);
      const opening = text.slice(0, text.indexOf('*/'));
      const documentName = check.policyRef.split(/[ ;]/)[0] ?? '';
      expect(opening.toLowerCase()).toContain(documentName.toLowerCase());
    }
  });

  it('keeps reasons and evidence short on hostile input (1,000 items, 1,000 recipients)', () => {
    const zip = part('bomb.zip', 'zip');
    const items = [zip, ...Array.from({ length: 1000 }, (_, i) => part(`${'x'.repeat(300)}${i}.exe`, 'exe', { unscannable: 'limit' }))];
    const rcpt = Array.from({ length: 1000 }, (_, i) => `user${i}@gmail.com`);
    const started = performance.now();
    const v = evaluate(message({ subject: '[Personal] x', attachments: items, bodyText: 'line\n'.repeat(100_000) }), envelope(SENDER, rcpt), defaultPolicy());
    expect(performance.now() - started).toBeLessThan(1000);
    expect(v.decision).toBe('reject');
    for (const f of v.findings) {
      expect(f.reason.length).toBeLessThan(1000);
      expect(f.evidence.length).toBeLessThanOrEqual(21);
      for (const e of f.evidence) expect(e.length).toBeLessThanOrEqual(200);
    }
  });
});
