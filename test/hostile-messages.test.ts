/**
 * Hostile messages through the same path as `mailwarden check`: each gets a decision within
 * seconds, never a crash or a hang, and the limits it hit are named in the findings.
 */
import { describe, expect, it } from 'vitest';
import { checkMessage } from '../src/cli/check.js';
import { defaultPolicyPath, loadPolicy } from '../src/config/load-policy.js';
import { deepNesting, garbage, longBodyLine, longHeaderLine, manyParts, toStream, zipBombMessage } from './helpers/hostile.js';

const policy = await loadPolicy(defaultPolicyPath());
const target = { from: 'alex.turner@met.police.uk', to: ['sam.jones@example.org'] };

async function decide(message: Buffer) {
  const started = Date.now();
  const { verdict, message: parsed } = await checkMessage(toStream(message), policy, target);
  return { verdict, parsed, ms: Date.now() - started, rules: verdict.findings.map((f) => f.rule) };
}

describe('hostile messages', () => {
  it('200-deep multipart nesting is held as malformed', async () => {
    const r = await decide(deepNesting(200));
    expect(r.verdict.decision).toBe('quarantine');
    expect(r.rules).toContain('malformed');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('3,000 parts are held as malformed, the input still read to the end', async () => {
    const input = manyParts(3000);
    const r = await decide(input);
    expect(r.verdict.decision).toBe('quarantine');
    expect(r.rules).toContain('malformed');
    expect(r.parsed.size).toBe(input.length);
  });

  it('a 200 KB header line is bounded and decided', async () => {
    const input = longHeaderLine();
    const r = await decide(input);
    expect(['accept', 'quarantine', 'reject']).toContain(r.verdict.decision);
    expect(r.parsed.size).toBe(input.length);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('an 8 MB single-line body is decided within seconds', async () => {
    const input = longBodyLine();
    const r = await decide(input);
    expect(r.verdict.decision).toBe('accept');
    expect(r.parsed.size).toBe(input.length);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a zip bomb is stopped and held as unscannable', async () => {
    const r = await decide(zipBombMessage());
    expect(r.verdict.decision).toBe('quarantine');
    expect(r.rules).toContain('unscannable');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('garbage bytes get a decision, not an exception', async () => {
    const input = garbage(1024 * 1024);
    const r = await decide(input);
    expect(['accept', 'quarantine', 'reject']).toContain(r.verdict.decision);
    // What is inspected (and spooled) is the data after the intake deleted NULs and made every line end CRLF.
    const lines = input.toString('latin1').replaceAll('\0', '').replace(/\r\n|\r|\n/g, '\r\n');
    const normalised = lines.endsWith('\r\n') ? lines : `${lines}\r\n`;
    expect(r.parsed.size).toBe(normalised.length);
    expect(r.parsed.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
