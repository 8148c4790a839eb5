/**
 * The milter codec: every command Postfix sends and every reply we send survive a round trip;
 * frames cut at every byte boundary come out whole and in order; oversized, truncated and
 * garbage input gives a MilterProtocolError (never another kind of exception, never a hang).
 */
import { describe, expect, it } from 'vitest';
import {
  decodeCommand,
  encodeOptNeg,
  encodeReply,
  FrameReader,
  MilterProtocolError,
  type MilterCommand,
  type MilterReply,
} from '../../../src/fronts/milter/codec.js';
import { encodeCommand, repliesIn } from './mta.js';

const COMMANDS: MilterCommand[] = [
  { type: 'optneg', version: 6, actions: 0x1ff, protocol: 0x1fffff },
  { type: 'macro', stage: 'C', macros: new Map([['j', 'mx.mailwarden.test'], ['client_addr', '127.0.0.1'], ['_', 'localhost [127.0.0.1]']]) },
  { type: 'macro', stage: 'H', macros: new Map() },
  { type: 'connect', hostname: 'localhost', family: 'inet', port: 41234, address: '127.0.0.1' },
  { type: 'connect', hostname: 'ip6-localhost', family: 'inet6', port: 25, address: '::1' },
  { type: 'connect', hostname: 'local', family: 'unix', port: 0, address: '/var/run/socket' },
  { type: 'connect', hostname: 'unknown', family: 'unknown', port: 0, address: '' },
  { type: 'helo', name: 'client.example.org' },
  { type: 'mail', address: '<a@example.org>', args: ['BODY=8BITMIME', 'SIZE=60'] },
  { type: 'mail', address: '<>', args: [] },
  { type: 'rcpt', address: '<b@example.com>', args: ['NOTIFY=NEVER'] },
  { type: 'data' },
  { type: 'header', name: 'Subject', value: ' folded subject line part one\n\tpart two \xe9' },
  { type: 'header', name: 'X-Empty', value: '' },
  { type: 'eoh' },
  { type: 'body', chunk: Buffer.from('line one\r\nline two\r\n') },
  { type: 'body', chunk: Buffer.alloc(65535, 0x61) },
  { type: 'eob', chunk: Buffer.alloc(0) },
  { type: 'eob', chunk: Buffer.from('last chunk (sendmail)\r\n') },
  { type: 'abort' },
  { type: 'quit' },
  { type: 'quit-nc' },
  { type: 'unknown', line: 'XFOO bar' },
];

const REPLIES: [MilterReply, string][] = [
  [{ type: 'accept' }, 'a'],
  [{ type: 'continue' }, 'c'],
  [{ type: 'reject' }, 'r'],
  [{ type: 'tempfail' }, 't'],
  [{ type: 'discard' }, 'd'],
  [{ type: 'progress' }, 'p'],
  [{ type: 'replycode', text: '550 5.7.1 executable-content: no programs (SOP 4.3) ref 01abc' }, 'y "550 5.7.1 executable-content: no programs (SOP 4.3) ref 01abc"'],
  [{ type: 'quarantine', reason: 'held for review ref 01abc' }, 'q "held for review ref 01abc"'],
  [{ type: 'addheader', name: 'X-Mailwarden-Decision', value: ' accept' }, 'h X-Mailwarden-Decision " accept"'],
  [{ type: 'insheader', index: 0, name: 'Received', value: ' by mailwarden' }, 'i 0 Received " by mailwarden"'],
  [{ type: 'chgheader', index: 2, name: 'X-Mailwarden-Decision', value: '' }, 'm 2 X-Mailwarden-Decision ""'],
];

const allBytes = Buffer.concat(COMMANDS.map(encodeCommand));

describe('milter codec', () => {
  it('decodes every command Postfix sends as it was encoded', () => {
    for (const c of COMMANDS) {
      const frames = new FrameReader().push(encodeCommand(c));
      expect(frames).toHaveLength(1);
      expect(decodeCommand(frames[0]!)).toEqual(c);
    }
  });

  it('encodes every reply we send', () => {
    for (const [reply, described] of REPLIES) expect(repliesIn(encodeReply(reply))).toEqual([described]);
    expect(repliesIn(encodeOptNeg(6, 0x131, 0x1df180, new Map([[0, ['j', '{client_addr}']], [5, ['i']]])))).toEqual([
      'O 6 0x131 0x1df180 0:"j {client_addr}" 5:"i"',
    ]);
  });

  it('gives the same frames however the bytes are cut', () => {
    // Decoding is checked against the commands once; the cuts compare re-encoded bytes (fast for 64 KB bodies).
    expect(new FrameReader().push(allBytes).map(decodeCommand)).toEqual(COMMANDS);
    const same = (got: MilterCommand[]) => expect(Buffer.concat(got.map(encodeCommand)).equals(allBytes)).toBe(true);
    for (let cut = 1; cut < allBytes.length; cut += cut < 200 ? 1 : 997) {
      const reader = new FrameReader();
      same([...reader.push(allBytes.subarray(0, cut)), ...reader.push(allBytes.subarray(cut))].map(decodeCommand));
      expect(reader.pending).toBe(0);
    }
    const reader = new FrameReader();
    const got: MilterCommand[] = [];
    for (let i = 0; i < allBytes.length; i++) got.push(...reader.push(allBytes.subarray(i, i + 1)).map(decodeCommand));
    same(got);
  });

  it('refuses a frame over the limit before reading it, and a frame of length 0', () => {
    const reader = new FrameReader(1024);
    const head = Buffer.from([0, 0, 0x04, 0x01, 0x42]); // 1025 bytes announced
    expect(() => reader.push(head)).toThrow(MilterProtocolError);
    expect(() => new FrameReader().push(Buffer.from([0, 0, 0, 0]))).toThrow(/length 0/);
    expect(() => new FrameReader().push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x42]))).toThrow(/over the limit/);
  });

  it('keeps a truncated frame pending and yields nothing from it', () => {
    const bytes = encodeCommand({ type: 'helo', name: 'client.example.org' });
    const reader = new FrameReader();
    expect(reader.push(bytes.subarray(0, bytes.length - 1))).toEqual([]);
    expect(reader.pending).toBe(bytes.length - 1);
  });

  it('names what is wrong with malformed payloads', () => {
    const bad: [string, Buffer, RegExp][] = [
      ['O', Buffer.alloc(8), /option negotiation: 8 bytes/],
      ['H', Buffer.from('no terminator'), /not NUL-terminated/],
      ['L', Buffer.from('Subject\0'), /1 strings where a name and a value/],
      ['D', Buffer.from('Cj\0'), /macro name without a value/],
      ['C', Buffer.from('host\0X'), /unknown socket family/],
      ['C', Buffer.from('host'), /host name is not NUL-terminated/],
      ['M', Buffer.alloc(0), /MAIL without an address/],
      ['Z', Buffer.alloc(0), /unknown command byte 0x5a/],
    ];
    for (const [code, data, message] of bad) expect(() => decodeCommand({ code, data })).toThrow(message);
  });

  it('answers garbage with MilterProtocolError or frames, never another exception', () => {
    let seed = 0x2545f491;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let round = 0; round < 2000; round++) {
      const n = 1 + (random() % 64);
      const bytes = Buffer.from(Array.from({ length: n }, random));
      if (round % 3 === 0 && n >= 4) bytes.writeUInt32BE(random() % 24, 0); // small plausible lengths
      try {
        for (const f of new FrameReader(4096).push(bytes)) {
          try {
            decodeCommand(f);
          } catch (err) {
            expect(err).toBeInstanceOf(MilterProtocolError);
          }
        }
      } catch (err) {
        expect(err).toBeInstanceOf(MilterProtocolError);
      }
    }
  });
});
