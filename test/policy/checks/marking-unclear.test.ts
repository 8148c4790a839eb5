import { describe, expect, it } from 'vitest';
import { markingUnclear } from '../../../src/policy/checks/marking-unclear.js';
import { evaluate } from '../../../src/policy/engine.js';
import type { MarkingHit } from '../../../src/message/model.js';
import { context, defaultPolicy, envelope, mark, message, policyWith, SENDER } from '../builder.js';

const doubtful = (level: string, rank: number, doubt = 'in quoted history (the text of an earlier message)'): MarkingHit => ({
  ...mark(level, rank, 'body'),
  doubt,
});

const run = (markings: MarkingHit[], rcpt: string[], subject?: string) =>
  markingUnclear.run(context(message({ markings, ...(subject ? { subject } : {}) }), envelope(SENDER, rcpt)));

describe('marking-unclear', () => {
  it('holds a doubtful marking that would break a marking rule, naming that rule and its clause', () => {
    const [f] = run([doubtful('RESTRICTED', 2)], ['k.brennan@brennan-associates.co.uk']);
    expect(f?.rule).toBe('marking-unclear');
    expect(f?.reason).toMatch(/^Possibly marked RESTRICTED: 'RESTRICTED' in the body text is in quoted history/);
    expect(f?.reason).toMatch(/If it is: Email marked RESTRICTED \(in the body text\) is going unencrypted to k\.brennan@brennan-associates\.co\.uk/);
    expect(f?.reason.endsWith('Held for a reviewer to decide (WMP Inf/27 2.10.1)')).toBe(true);
    expect(f?.evidence).toContain('would break: marked-unencrypted');
  });

  it('stays silent where the marking would be allowed, or a certain marking already ranks as high', () => {
    expect(run([doubtful('RESTRICTED', 2)], ['desk@met.police.uk'])).toEqual([]);
    expect(run([doubtful('RESTRICTED', 2)], ['d.patel@harrowlaw.cjsm.net'])).toEqual([]);
    expect(run([doubtful('OFFICIAL', 0)], ['x@example.org'])).toEqual([]);
    expect(run([mark('RESTRICTED', 2, 'subject'), doubtful('RESTRICTED', 2)], ['x@example.org'])).toEqual([]);
  });

  it('fires for a doubtful level above the certain one, and on personal mail', () => {
    const [f] = run([mark('RESTRICTED', 2, 'subject'), doubtful('SECRET', 4)], ['d.patel@harrowlaw.cjsm.net']);
    expect(f?.evidence).toContain('would break: marked-too-high');
    const [p] = run([doubtful('PROTECT', 1)], ['sam.t.runs@gmail.com'], '[Personal] weekend');
    expect(p?.evidence).toContain('would break: personal-marked-low');
  });

  it('is never stricter than a certain marking: monitor and excepted rules do not count', () => {
    const hit = [doubtful('RESTRICTED', 2)];
    const rcpt = ['k.brennan@brennan-associates.co.uk'];
    const monitored = policyWith((p) => {
      p.rules['marked-unencrypted'].action = 'monitor';
    });
    expect(markingUnclear.run(context(message({ markings: hit }), envelope(SENDER, rcpt), monitored))).toEqual([]);
    const excepted = policyWith((p) => {
      p.rules['marked-unencrypted'].exempt = ['@met.police.uk'];
    });
    expect(markingUnclear.run(context(message({ markings: hit }), envelope(SENDER, rcpt), excepted))).toEqual([]);
  });

  it('quarantines through the engine where the marking rules would have rejected, and never sets the marking', () => {
    const msg = message({ markings: [doubtful('CONFIDENTIAL', 3, 'a bare CONFIDENTIAL')] });
    const v = evaluate(msg, envelope(SENDER, ['m.clarke@clarke-solicitors.co.uk']), defaultPolicy());
    expect(v.decision).toBe('quarantine');
    expect(v.marking).toBeNull();
    expect(v.findings.map((f) => f.rule)).toEqual(['marking-unclear']);
    const relaxed = policyWith((p) => {
      p.rules['marking-unclear'].action = 'monitor';
    });
    expect(evaluate(msg, envelope(SENDER, ['m.clarke@clarke-solicitors.co.uk']), relaxed).decision).toBe('accept');
  });
});
