import { describe, expect, it } from 'vitest';
import { ReceivedCounter } from '../../src/intake/received-counter.js';

function count(text: string, chunk: number): ReceivedCounter {
  const c = new ReceivedCounter();
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += chunk) c.feed(buf.subarray(i, i + chunk));
  return c;
}

describe('ReceivedCounter', () => {
  const header =
    'Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n' +
    'RECEIVED : from c\r\n' +
    '\tby d\r\n' +
    'X-Received: not this one\r\n' +
    'Subject: Received: not this either\r\n' +
    'received:x\r\n' +
    '\r\n' +
    'Received: in the body does not count\r\n';

  it.each([1, 2, 3, 7, 1000])('counts Received: fields of the top header block only (chunks of %i)', (size) => {
    const c = count(header, size);
    expect(c.count).toBe(3);
    expect(c.done).toBe(true);
  });

  it('counts 51 hops', () => {
    const c = count('Received: x\r\n'.repeat(51) + '\r\nbody\r\n', 5);
    expect(c.count).toBe(51);
  });
});
