/**
 * The streaming transfer decoders against a plain whole-input model: the same bytes and the same
 * verdict on the encoding, however the input is cut into chunks.
 */
import { describe, expect, it } from 'vitest';
import { transferDecoder } from '../../src/message/transfer-decoding.js';

function decodeInChunks(encoding: string, input: Buffer, cuts: readonly number[]): { bytes: Buffer; problem: string | null } {
  const decoder = transferDecoder(encoding)!;
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(decoder.write(input.subarray(at, cut)));
    at = cut;
  }
  out.push(decoder.end());
  return { bytes: Buffer.concat(out), problem: decoder.problem };
}

/**
 * The model: drop white space, count and drop characters outside the alphabet, split at padding
 * (each block is decoded alone: encoders that concatenate padded blocks exist), and call a block
 * whose length leaves one character over truncated.
 */
function model(input: Buffer): { bytes: Buffer; problem: string | null } {
  const text = input.toString('latin1');
  const invalid = text.replace(/[A-Za-z0-9+/=\r\n\t ]/g, '').length;
  const blocks = text.replace(/[^A-Za-z0-9+/=]/g, '').split(/=+/).filter(Boolean);
  const bytes = Buffer.concat(blocks.map((b) => Buffer.from(b, 'base64')));
  const dangling = blocks.some((b) => b.length % 4 === 1);
  const problem = invalid ? `invalid base64 (${invalid} characters outside the alphabet)` : dangling ? 'invalid base64 (truncated final quantum)' : null;
  return { bytes, problem };
}

function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

function randomCuts(rnd: (n: number) => number, length: number): number[] {
  const cuts: number[] = [];
  for (let at = rnd(12); at < length; at += 1 + rnd(40)) cuts.push(at);
  return cuts;
}

describe('base64 transfer decoding', () => {
  const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 255));
  const lines = (b64: string, width: number, eol = '\r\n') => (b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol) + eol;

  it('decodes what encoders write: 76-character lines, other widths, LF only, one long line', () => {
    const b64 = data.toString('base64');
    for (const text of [lines(b64, 76), lines(b64, 64), lines(b64, 73), lines(b64, 76, '\n'), b64]) {
      for (const cuts of [[], [1], [3, 77, 78, 79], [...Array(200).keys()].map((i) => i * 17)]) {
        const got = decodeInChunks('base64', Buffer.from(text), cuts);
        expect(got.problem).toBeNull();
        expect(got.bytes.equals(data)).toBe(true);
      }
    }
  });

  it('matches the model on random base64-ish input cut at random', () => {
    const rnd = random(4242);
    const pool = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (let t = 0; t < 5000; t++) {
      let text = '';
      const length = rnd(120);
      for (let i = 0; i < length; i++) {
        const r = rnd(100);
        // Mostly data, some line ends and padding, a few spaces and bad characters.
        text += r < 80 ? pool[rnd(64)] : r < 88 ? '\r\n' : r < 92 ? '=' : r < 95 ? ' ' : r < 97 ? '\t' : String.fromCharCode([0x21, 0x2e, 0xe9, 0x00, 0x2d][rnd(5)]!);
      }
      const input = Buffer.from(text, 'latin1');
      const got = decodeInChunks('base64', input, randomCuts(rnd, input.length));
      const want = model(input);
      if (!got.bytes.equals(want.bytes) || got.problem !== want.problem) {
        expect.fail(`${JSON.stringify(text)}: got ${got.bytes.toString('hex')} (${got.problem}), model ${want.bytes.toString('hex')} (${want.problem})`);
      }
    }
  });

  it('says when the encoding is broken', () => {
    expect(decodeInChunks('base64', Buffer.from('QUJD\r\nR!EV\r\n'), [5]).problem).toBe('invalid base64 (1 characters outside the alphabet)');
    expect(decodeInChunks('base64', Buffer.from('QUJDR'), [2]).problem).toBe('invalid base64 (truncated final quantum)');
    expect(decodeInChunks('base64', Buffer.from('QQ==QkM='), [3]).bytes.toString()).toBe('ABC');
    expect(decodeInChunks('base64', Buffer.from('QUJD\r\n'), []).problem).toBeNull();
  });
});

describe('quoted-printable transfer decoding', () => {
  it('decodes escapes and soft breaks cut anywhere, and keeps a stray = as written', () => {
    const input = Buffer.from('caf=C3=A9 =\r\nnext=3D line=\nend =ZZ=4');
    const want = 'café next= lineend =ZZ=4';
    for (let cut = 0; cut <= input.length; cut++) {
      expect(decodeInChunks('quoted-printable', input, [cut]).bytes.toString('utf8')).toBe(want);
    }
  });
});
