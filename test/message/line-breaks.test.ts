import { describe, expect, it } from 'vitest';
import { isAsciiText, toLf } from '../../src/message/line-breaks.js';
import { markingsInBody } from '../../src/message/markings.js';
import { defaultPolicyPath, loadPolicy } from '../../src/config/load-policy.js';

describe('toLf', () => {
  it('makes CRLF, lone CR and LF all LF, and leaves text without CR as it is', () => {
    expect(toLf('a\r\nb\rc\nd\r\n\r\ne\r')).toBe('a\nb\nc\nd\n\ne\n');
    expect(toLf('\r\r\n')).toBe('\n\n');
    const plain = 'no carriage returns\nhere';
    expect(toLf(plain)).toBe(plain);
  });

  it('agrees with the regular expression it replaced on random text', () => {
    const alphabet = ['\r', '\n', 'a', ' ', '\u00e9'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 500; n++) {
      const text = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join('');
      expect(toLf(text)).toBe(text.replace(/\r\n?/g, '\n'));
    }
  });
});

describe('isAsciiText', () => {
  it('is true only when every character is ASCII', () => {
    expect(isAsciiText('OFFICIAL-SENSITIVE\r\n')).toBe(true);
    expect(isAsciiText('')).toBe(true);
    expect(isAsciiText('OFFICIAL\u2011SENSITIVE')).toBe(false);
    expect(isAsciiText('caf\u00e9')).toBe(false);
    expect(isAsciiText('\u{1F600}')).toBe(false);
  });
});

describe('markingsInBody on long ASCII and non-ASCII bodies', async () => {
  const scheme = (await loadPolicy(defaultPolicyPath())).markings;
  const filler = `${'X'.repeat(78)}\r\n`.repeat(2000);

  it('finds a banner among a megabyte-shaped body, with CRLF line ends', () => {
    const hits = markingsInBody(`${filler}RESTRICTED\r\n${filler}`, scheme);
    expect(hits.map((h) => h.level)).toEqual(['RESTRICTED']);
  });

  it('still reads a banner written with a non-breaking hyphen in a long body', () => {
    const hits = markingsInBody(`${filler}OFFICIAL\u2011SENSITIVE\r\n`, scheme);
    expect(hits.map((h) => h.level)).toEqual(['OFFICIAL-SENSITIVE']);
  });

  it('takes a level word only at the start of a banner line', () => {
    expect(markingsInBody(`${filler}plans SECRET\r\n`, scheme)).toEqual([]);
    expect(markingsInBody(`[SECRET]\r\n`, scheme).map((h) => h.level)).toEqual(['SECRET']);
  });
});
