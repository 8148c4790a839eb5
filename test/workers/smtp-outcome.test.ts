import { describe, expect, it } from 'vitest';
import { classifyError, classifySent } from '../../src/workers/smtp-outcome.js';
import { doublingSchedule, pastMaxAge, retryDelay } from '../../src/workers/backoff.js';

describe('classifySent / classifyError', () => {
  it('splits 4xx and 5xx refusals of a partly accepted message', () => {
    const r = classifySent(['a@x', 'b@x', 'c@x'], {
      response: '250 2.0.0 queued as 12',
      rejectedErrors: [
        { recipient: 'b@x', responseCode: 450, response: '450 4.2.1 try later' },
        { recipient: 'c@x', responseCode: 550, response: '550 5.1.1 no such user' },
      ],
    });
    expect(r.delivered.map((d) => d.rcpt)).toEqual(['a@x']);
    expect(r.deferred).toEqual([{ rcpt: 'b@x', code: 450, response: '450 4.2.1 try later' }]);
    expect(r.failed).toEqual([{ rcpt: 'c@x', code: 550, response: '550 5.1.1 no such user' }]);
  });

  it('treats a 5xx to DATA as permanent, connection errors and a 5xx to AUTH as temporary', () => {
    expect(classifyError(['a@x'], { responseCode: 554, response: '554 5.7.1 spam', command: 'DATA' }).failed).toHaveLength(1);
    expect(classifyError(['a@x'], { code: 'ESOCKET', message: 'connect ECONNREFUSED', command: 'CONN' }).deferred[0]?.code).toBe(451);
    expect(classifyError(['a@x'], { code: 'EAUTH', responseCode: 535, response: '535 bad', command: 'AUTH PLAIN' }).deferred).toHaveLength(1);
    const all = classifyError(['a@x', 'b@x'], {
      responseCode: 450,
      command: 'RCPT TO',
      rejectedErrors: [
        { recipient: 'a@x', responseCode: 450, response: '450 later' },
        { recipient: 'b@x', responseCode: 550, response: '550 never' },
      ],
    });
    expect(all.deferred.map((d) => d.rcpt)).toEqual(['a@x']);
    expect(all.failed.map((d) => d.rcpt)).toEqual(['b@x']);
  });
});

describe('retry timing', () => {
  it('follows the schedule, then repeats its last step', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, [10, 20, 30]))).toEqual([10, 20, 30, 30]);
    expect(retryDelay(1)).toBe(60_000);
    expect(retryDelay(50)).toBe(3_600_000);
    expect(doublingSchedule(60_000, 3_600_000)).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000]);
  });

  it('measures age from the earlier of arrival and job creation', () => {
    const arrived = '2025-01-01T00:00:00.000Z';
    const t0 = Date.parse(arrived);
    expect(pastMaxAge(t0 + 10 * 3600_000, arrived, t0 + 2 * 86_400_000)).toBe(true);
    expect(pastMaxAge(t0, arrived, t0 + 86_400_000)).toBe(false);
  });
});
