import { describe, expect, it } from 'vitest';
import type { Check } from '../../src/policy/check.js';
import { CHECKS } from '../../src/policy/checks/index.js';
import { decide, evaluate, isExempt, runChecks } from '../../src/policy/engine.js';
import { context, defaultPolicy, envelope, mark, message, part, policyWith, SENDER } from './builder.js';

const policy = defaultPolicy();

describe('registered checks', () => {
  it('find nothing in a plain internal business message', () => {
    expect(evaluate(message(), envelope(SENDER, ['desk@met.police.uk']), policy)).toMatchObject({ decision: 'accept', findings: [] });
  });
});

describe('decide', () => {
  it('takes the most severe action: reject > quarantine > accept, reject findings first', () => {
    // business-to-webmail (monitor), mass-mail (quarantine), executable-content (reject)
    const rcpt = [...Array.from({ length: 60 }, (_, i) => `o${i}@met.police.uk`), 'bob@gmail.com'];
    const v = evaluate(message({ attachments: [part('a.exe', 'exe')] }), envelope(SENDER, rcpt), policy);
    expect(v.decision).toBe('reject');
    expect(v.wouldHave).toBe('reject');
    expect(v.findings.map((f) => [f.rule, f.action, f.excepted])).toEqual([
      ['executable-content', 'reject', false],
      ['mass-mail', 'quarantine', false],
      ['business-to-webmail', 'monitor', false],
    ]);
    expect(v.policyVersion).toBe(policy.version);
    expect(v.policyVersion).toMatch(/^[0-9a-f]{64}$/);
  });

  it('quarantine beats accept; monitor findings alone accept', () => {
    expect(evaluate(message(), envelope(SENDER, ['alex.turner1984@gmail.com']), policy).decision).toBe('quarantine');
    const v = evaluate(message(), envelope(SENDER, ['someone@gmail.com']), policy);
    expect(v.decision).toBe('accept');
    expect(v.wouldHave).toBe('accept');
    expect(v.findings.map((f) => f.rule)).toEqual(['business-to-webmail']);
  });

  it('applies the configured action per rule', () => {
    const strict = policyWith((p) => (p.rules['business-to-webmail'].action = 'reject'));
    const v = evaluate(message(), envelope(SENDER, ['someone@gmail.com']), strict);
    expect(v.decision).toBe('reject');
    expect(v.findings[0]).toMatchObject({ rule: 'business-to-webmail', action: 'reject' });
  });

  it('reports the facts the checks used', () => {
    const v = evaluate(message({ subject: '[Personal] x', markings: [mark('PROTECT', 1)], encryption: 'smime' }), envelope(SENDER, ['desk@met.police.uk']), policy);
    expect(v).toMatchObject({ personal: true, marking: 'PROTECT', encrypted: true, monitorMode: false, decision: 'quarantine' });
  });

  it('freezes the verdict', () => {
    const v = evaluate(message(), envelope(SENDER, ['someone@gmail.com']), policy);
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.findings)).toBe(true);
  });
});

describe('exceptions', () => {
  const mailer = policyWith((p) => {
    p.rules['mass-mail'].exempt = ['comms@met.police.uk', '@bulk.met.police.uk', 'svc-newsletter'];
  });
  const many = Array.from({ length: 80 }, (_, i) => `o${i}@met.police.uk`);

  it('match the envelope sender exactly or by domain, and the AUTH user, ignoring case', () => {
    for (const env of [envelope('Comms@Met.Police.UK', many), envelope('news@bulk.met.police.uk', many), envelope('x@met.police.uk', many, { authUser: 'SVC-Newsletter' })]) {
      const v = evaluate(message(), env, mailer);
      expect(v.decision).toBe('accept');
      expect(v.wouldHave).toBe('quarantine');
      expect(v.findings[0]).toMatchObject({ rule: 'mass-mail', action: 'quarantine', excepted: true });
    }
  });

  it('never match the From header, a subdomain of an excepted domain, or another rule', () => {
    const forged = message({ from: ['comms@met.police.uk'] });
    expect(evaluate(forged, envelope('someone@met.police.uk', many), mailer).decision).toBe('quarantine');
    expect(evaluate(message(), envelope('a@x.bulk.met.police.uk', many), mailer).decision).toBe('quarantine');
    const withExe = message({ attachments: [part('a.exe', 'exe')] });
    expect(evaluate(withExe, envelope('comms@met.police.uk', many), mailer).decision).toBe('reject');
  });

  it('isExempt ignores the null sender', () => {
    expect(isExempt(['@met.police.uk'], envelope('', []))).toBe(false);
    expect(isExempt([], envelope('a@met.police.uk', []))).toBe(false);
  });
});

describe('monitor mode', () => {
  it('accepts everything and keeps what would have happened', () => {
    const monitor = policyWith((p) => (p.mode = 'monitor'));
    const v = evaluate(message({ attachments: [part('a.exe', 'exe')] }), envelope(SENDER, ['desk@met.police.uk']), monitor);
    expect(v).toMatchObject({ decision: 'accept', wouldHave: 'reject', monitorMode: true });
    expect(v.findings[0]).toMatchObject({ rule: 'executable-content', action: 'reject', excepted: false });
  });
});

describe('a check that throws', () => {
  const boom: Check = {
    id: 'mass-mail',
    policyRef: 'WMP Inf/27 2.10.1',
    run() {
      throw new Error('bug in check');
    },
  };
  const env = envelope(SENDER, ['desk@met.police.uk']);

  it('holds the message (never accepts it silently, never bounces it) and is reported', () => {
    const seen: string[] = [];
    const v = evaluate(message(), env, policy, undefined, { checks: [boom], onCheckError: (rule) => seen.push(rule) });
    expect(v.decision).toBe('quarantine');
    expect(v.findings[0]).toMatchObject({ rule: 'mass-mail', action: 'quarantine', evidence: ['check-error', 'bug in check'] });
    expect(v.findings[0]?.reason).toContain('could not run (internal error: bug in check)');
    expect(seen).toEqual(['mass-mail']);
  });

  it('downgrades a reject rule to quarantine and keeps a monitor rule as monitor', () => {
    const asReject = policyWith((p) => (p.rules['mass-mail'].action = 'reject'));
    expect(evaluate(message(), env, asReject, undefined, { checks: [boom] }).decision).toBe('quarantine');
    const asMonitor = policyWith((p) => (p.rules['mass-mail'].action = 'monitor'));
    const v = evaluate(message(), env, asMonitor, undefined, { checks: [boom] });
    expect(v.decision).toBe('accept');
    expect(v.findings[0]?.action).toBe('monitor');
  });

  it('does not stop the other checks', () => {
    const ctx = context(message({ attachments: [part('a.exe', 'exe')] }), env);
    const run = runChecks(ctx, { checks: [boom, ...CHECKS] });
    expect(run.failures.map((f) => f.rule)).toEqual(['mass-mail']);
    expect(run.findings.map((f) => f.rule)).toEqual(['executable-content']);
    expect(decide({ run, facts: ctx.facts, policy, envelope: env }).decision).toBe('reject');
  });
});
