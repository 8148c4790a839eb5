import { describe, expect, it } from 'vitest';
import { decisionHeaders, isInternal, receivedHeader, rfc5322Date } from '../../src/custody/added-headers.js';
import type { RuledFinding, Verdict } from '../../src/policy/verdict.js';

const finding = (rule: RuledFinding['rule'], action: RuledFinding['action'], excepted = false): RuledFinding => ({
  rule,
  action,
  excepted,
  reason: 'why',
  policyRef: 'WMP Inf/27 2.5.1',
  evidence: [],
});

const verdict = (over: Partial<Verdict>): Verdict => ({
  decision: 'accept',
  findings: [],
  personal: false,
  marking: null,
  encrypted: false,
  monitorMode: false,
  wouldHave: 'accept',
  policyVersion: 'v',
  ...over,
});

describe('receivedHeader', () => {
  const date = new Date(Date.UTC(2025, 5, 2, 9, 5, 7));
  it('follows RFC 5321 4.4 with one recipient named', () => {
    expect(
      receivedHeader({ ref: 'R1', hostname: 'mw.example', helo: 'pc.example', clientAddress: '::ffff:10.0.0.5', protocol: 'ESMTPSA', rcptTo: ['a@b.example'], date }),
    ).toBe('Received: from pc.example ([10.0.0.5]) by mw.example (mailwarden) with ESMTPSA id R1 for <a@b.example>; Mon, 2 Jun 2025 09:05:07 +0000');
  });
  it('uses an IPv6 address literal, names no recipient when there are several, and neutralises a hostile HELO', () => {
    const h = receivedHeader({ ref: 'R2', hostname: 'mw', helo: 'evil (x)\r\nX-Injected: 1', clientAddress: '::1', protocol: 'bogus', rcptTo: ['a@x', 'b@x'], date });
    expect(h).toBe('Received: from evil??x???X-Injected:?1 ([IPv6:::1]) by mw (mailwarden) with ESMTP id R2; Mon, 2 Jun 2025 09:05:07 +0000');
  });
  it('formats dates as RFC 5322', () => {
    expect(rfc5322Date(new Date(Date.UTC(2024, 11, 31, 23, 59, 59)))).toBe('Tue, 31 Dec 2024 23:59:59 +0000');
  });
});

describe('decisionHeaders', () => {
  const internal = ['met.police.uk'];
  it('stamps decision and id', () => {
    expect(decisionHeaders({ ref: 'R', verdict: verdict({}), rcptTo: ['x@example.com'], internalDomains: internal })).toEqual([
      'X-Mailwarden-Decision: accept',
      'X-Mailwarden-Id: R',
    ]);
  });
  it('lists monitor-only findings for internal recipients only', () => {
    const v = verdict({ findings: [finding('business-to-webmail', 'monitor'), finding('mass-mail', 'quarantine', true)] });
    const inside = decisionHeaders({ ref: 'R', verdict: v, rcptTo: ['a@met.police.uk', 'b@ops.met.police.uk'], internalDomains: internal });
    expect(inside[2]).toBe('X-Mailwarden-Findings: business-to-webmail (WMP Inf/27 2.5.1), mass-mail (WMP Inf/27 2.5.1)');
    const mixed = decisionHeaders({ ref: 'R', verdict: v, rcptTo: ['a@met.police.uk', 'b@example.com'], internalDomains: internal });
    expect(mixed).toHaveLength(2);
  });
  it('says what monitor mode let through', () => {
    const v = verdict({ monitorMode: true, wouldHave: 'reject', findings: [finding('executable-content', 'reject')] });
    const h = decisionHeaders({ ref: 'R', verdict: v, rcptTo: ['a@met.police.uk'], internalDomains: internal });
    expect(h[0]).toBe('X-Mailwarden-Decision: accept; would-have=reject');
    expect(h[2]).toBe('X-Mailwarden-Findings: executable-content (WMP Inf/27 2.5.1)');
  });
  it('matches internal domains on label boundaries', () => {
    expect(isInternal('a@notmet.police.uk', internal)).toBe(false);
    expect(isInternal('a@MET.POLICE.UK', internal)).toBe(true);
  });
});
