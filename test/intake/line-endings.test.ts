import { describe, expect, it } from 'vitest';
import { LineEndingNormaliser } from '../../src/intake/line-endings.js';

/** Reference: every CR or LF that is not part of a CRLF pair becomes CRLF. */
function reference(input: string): string {
  return input.replace(/\r\n|\r|\n/g, '\r\n');
}

function run(input: Buffer, splits: number[]): { out: string; bare: number } {
  const n = new LineEndingNormaliser();
  const parts: Buffer[] = [];
  let last = 0;
  for (const s of [...splits, input.length]) {
    parts.push(n.push(input.subarray(last, s)));
    last = s;
  }
  parts.push(n.end());
  return { out: Buffer.concat(parts).toString('latin1'), bare: n.bareCount };
}

describe('LineEndingNormaliser', () => {
  const cases = [
    'a\r\nb\r\n',
    'a\rb\r\n',
    'a\nb\n',
    '\r\r\n\n\r',
    'x\r',
    '\n\r\n\r\r\r\n',
    'hello\r--b1\r\nContent-Type: x\r\n',
    '',
  ];

  it.each(cases)('matches the reference for %j at every split point', (text) => {
    const input = Buffer.from(text, 'latin1');
    const expected = reference(text);
    const bareExpected = (text.match(/\r\n|\r|\n/g) ?? []).filter((m) => m !== '\r\n').length;
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) {
        const { out, bare } = run(input, [i, j]);
        expect(out).toBe(expected);
        expect(bare).toBe(bareExpected);
      }
    }
  });

  it('returns the same buffer when there is nothing to rewrite', () => {
    const n = new LineEndingNormaliser();
    const chunk = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    expect(n.push(chunk)).toBe(chunk);
    expect(n.bareCount).toBe(0);
  });

  it('handles a large random input split into random chunks', () => {
    const alphabet = ['a', 'b', '\r', '\n', '\r\n', '.'];
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const text = Array.from({ length: 20000 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const input = Buffer.from(text, 'latin1');
    const splits: number[] = [];
    for (let p = 0; p < input.length; p += 1 + Math.floor(rnd() * 700)) splits.push(p);
    expect(run(input, splits).out).toBe(reference(text));
  });
});
