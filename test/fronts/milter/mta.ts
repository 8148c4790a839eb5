/**
 * The MTA's side of the milter protocol, for tests: encode commands as Postfix sends them, and
 * decode the milter's replies. (The milter's side lives in src/fronts/milter/.)
 */
import { encodeFrame, FrameReader, type Frame, type MilterCommand } from '../../../src/fronts/milter/codec.js';

const z = (s: string, enc: BufferEncoding = 'utf8') => Buffer.concat([Buffer.from(s, enc), Buffer.alloc(1)]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const FAMILY_BYTE = { unknown: 'U', unix: 'L', inet: '4', inet6: '6' } as const;

export function encodeCommand(c: MilterCommand): Buffer {
  switch (c.type) {
    case 'optneg':
      return encodeFrame('O', Buffer.concat([u32(c.version), u32(c.actions), u32(c.protocol)]));
    case 'macro':
      return encodeFrame('D', Buffer.concat([Buffer.from(c.stage), ...[...c.macros].flatMap(([k, v]) => [z(k.length > 1 ? `{${k}}` : k), z(v)])]));
    case 'connect': {
      const head = Buffer.concat([z(c.hostname), Buffer.from(FAMILY_BYTE[c.family])]);
      if (c.family === 'unknown') return encodeFrame('C', head);
      const port = Buffer.alloc(2);
      port.writeUInt16BE(c.port);
      return encodeFrame('C', Buffer.concat([head, port, z(c.address)]));
    }
    case 'helo':
      return encodeFrame('H', z(c.name));
    case 'mail':
    case 'rcpt':
      return encodeFrame(c.type === 'mail' ? 'M' : 'R', Buffer.concat([c.address, ...c.args].map((s) => z(s))));
    case 'data':
      return encodeFrame('T');
    case 'header':
      return encodeFrame('L', Buffer.concat([z(c.name, 'latin1'), z(c.value, 'latin1')]));
    case 'eoh':
      return encodeFrame('N');
    case 'body':
      return encodeFrame('B', c.chunk);
    case 'eob':
      return encodeFrame('E', c.chunk);
    case 'abort':
      return encodeFrame('A');
    case 'quit':
      return encodeFrame('Q');
    case 'quit-nc':
      return encodeFrame('K');
    case 'unknown':
      return encodeFrame('U', z(c.line));
  }
}

/** NUL-terminated strings as latin1; an unterminated tail is shown as such. */
function strings(data: Buffer): string[] {
  const parts: string[] = [];
  for (let at = 0; at < data.length; ) {
    const end = data.indexOf(0, at);
    if (end < 0) return [...parts, `<unterminated ${JSON.stringify(data.toString('latin1', at))}>`];
    parts.push(data.toString('latin1', at, end));
    at = end + 1;
  }
  return parts;
}

/** A reply as a short line: `c`, `a`, `h X-Name "value"`, `y "550 ..."`, `O 6 0x31 0x1ff080`. */
export function describeReply(f: Frame): string {
  switch (f.code) {
    case 'O': {
      const hex = (n: number) => `0x${n.toString(16)}`;
      const words = [String(f.data.readUInt32BE(0)), hex(f.data.readUInt32BE(4)), hex(f.data.readUInt32BE(8))];
      for (let at = 12; at + 4 <= f.data.length; ) {
        const stage = f.data.readUInt32BE(at);
        const [names = ''] = strings(f.data.subarray(at + 4));
        words.push(`${stage}:${JSON.stringify(names)}`);
        at += 4 + Buffer.byteLength(names, 'latin1') + 1;
      }
      return `O ${words.join(' ')}`;
    }
    case 'h': {
      const [name, value] = strings(f.data);
      return `h ${name} ${JSON.stringify(value)}`;
    }
    case 'i':
    case 'm': {
      const [name, value] = strings(f.data.subarray(4));
      return `${f.code} ${f.data.readUInt32BE(0)} ${name} ${JSON.stringify(value)}`;
    }
    case 'y':
    case 'q':
      return `${f.code} ${JSON.stringify(strings(f.data)[0])}`;
    default:
      return f.data.length ? `${f.code} <${f.data.length} bytes>` : f.code;
  }
}

/** Cuts the milter's output into described replies. */
export function repliesIn(bytes: Buffer): string[] {
  return new FrameReader(16 * 1024 * 1024).push(bytes).map(describeReply);
}
