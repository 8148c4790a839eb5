import { describe, expect, it } from 'vitest';
import { replyError, smtpReply, type Reply } from '../../../src/fronts/smtp/replies.js';

describe('smtpReply', () => {
  const cases: [Reply, number, string][] = [
    [{ kind: 'queued', ref: 'R1' }, 250, '2.0.0 Queued as R1'],
    [{ kind: 'held', ref: 'R1' }, 250, '2.0.0 Held for review ref R1'],
    [{ kind: 'temporary-failure', ref: 'R1' }, 451, '4.3.0 '],
    [{ kind: 'relay-denied' }, 554, '5.7.1 Relay access denied'],
    [{ kind: 'too-big', limit: 100 }, 552, '5.3.4 '],
    [{ kind: 'bare-line-ending' }, 550, '5.6.0 '],
    [{ kind: 'mail-loop', count: 51, limit: 50 }, 554, '5.4.6 '],
    [{ kind: 'auth-failed' }, 535, '5.7.8 '],
    [{ kind: 'auth-method' }, 504, '5.5.4 '],
    [{ kind: 'data-timeout' }, 421, '4.4.2 '],
  ];
  it.each(cases)('%j starts with the right codes', (reply, code, start) => {
    const r = smtpReply(reply);
    expect(r.code).toBe(code);
    expect(r.text.startsWith(start)).toBe(true);
  });

  it('names the rule, a short reason, the policy clause and the ref in a reject', () => {
    const r = smtpReply({
      kind: 'rejected',
      rejection: {
        ref: 'R9',
        rule: 'executable-content',
        reason: 'Attachment “tool.exe” is a Windows program\r\nInjected: line',
        policyRef: 'WMP Inf/27 2.5.1',
        more: 2,
      },
    });
    expect(r.code).toBe(550);
    expect(r.text).toBe('5.7.1 executable-content: Attachment ?tool.exe? is a Windows program Injected: line (WMP Inf/27 2.5.1) (+2 more) ref R9');
  });

  it('says the clause once when the reason already ends with it', () => {
    const r = smtpReply({ kind: 'rejected', rejection: { ref: 'R', rule: 'x', reason: 'Too big (WMP 2.1)', policyRef: 'WMP 2.1', more: 0 } });
    expect(r.text).toBe('5.7.1 x: Too big (WMP 2.1) ref R');
  });

  it('keeps reasons short', () => {
    const r = smtpReply({ kind: 'rejected', rejection: { ref: 'R', rule: 'x', reason: 'y'.repeat(1000), policyRef: 'p', more: 0 } });
    expect(r.text.length).toBeLessThan(260);
  });

  it('gives smtp-server an Error carrying the code', () => {
    const e = replyError({ kind: 'relay-denied' });
    expect(e.responseCode).toBe(554);
    expect(e.message).toBe('5.7.1 Relay access denied');
  });
});
