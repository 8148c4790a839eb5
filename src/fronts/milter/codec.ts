/**
 * Milter framing and the payload of every command and reply Postfix uses.
 *
 * `FrameReader` cuts a byte stream into frames however the bytes arrive (a frame may be split at
 * any byte, several may share one chunk); `decodeCommand` turns a frame into a typed command;
 * the `encode*` functions build replies. Bad bytes are a `MilterProtocolError` with a reason in
 * words, never an exception of another kind: the session turns it into tempfail and hangs up.
 *
 * Header values are decoded as latin1, byte for byte, because the message is rebuilt from them
 * for inspection and must be the bytes Postfix will deliver; envelope strings and macros are UTF-8.
 */
import { Command, DEFAULT_MAX_FRAME_BYTES, Reply, type ReplyCode } from './protocol.js';

export class MilterProtocolError extends Error {
  override readonly name = 'MilterProtocolError';
}

export interface Frame {
  readonly code: string;
  readonly data: Buffer;
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  /** Adds bytes and returns every frame now complete, in order. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.buffered >= 4) {
      const length = this.peekLength();
      if (length === 0) throw new MilterProtocolError('frame of length 0 (a frame holds at least its command byte)');
      if (length > this.maxFrameBytes) {
        throw new MilterProtocolError(`frame of ${length} bytes is over the limit of ${this.maxFrameBytes}`);
      }
      if (this.buffered < 4 + length) break;
      const bytes = this.take(4 + length);
      frames.push({ code: String.fromCharCode(bytes[4]!), data: bytes.subarray(5) });
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    const head = Buffer.alloc(4);
    let at = 0;
    for (const c of this.chunks) {
      at += c.copy(head, at, 0, Math.min(c.length, 4 - at));
      if (at === 4) break;
    }
    return head.readUInt32BE(0);
  }

  /** Removes and returns the first n bytes (no copy when they lie in one chunk). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const want = n - at;
      if (c.length <= want) {
        c.copy(out, at);
        at += c.length;
        this.chunks.shift();
      } else {
        c.copy(out, at, 0, want);
        this.chunks[0] = c.subarray(want);
        at = n;
      }
    }
    return out;
  }
}

export type SocketFamily = 'unknown' | 'unix' | 'inet' | 'inet6';

export type MilterCommand =
  | { readonly type: 'optneg'; readonly version: number; readonly actions: number; readonly protocol: number }
  | { readonly type: 'macro'; readonly stage: string; readonly macros: ReadonlyMap<string, string> }
  | {
      readonly type: 'connect';
      readonly hostname: string;
      readonly family: SocketFamily;
      readonly port: number;
      readonly address: string;
    }
  | { readonly type: 'helo'; readonly name: string }
  | { readonly type: 'mail'; readonly address: string; readonly args: readonly string[] }
  | { readonly type: 'rcpt'; readonly address: string; readonly args: readonly string[] }
  | { readonly type: 'data' }
  | { readonly type: 'header'; readonly name: string; readonly value: string }
  | { readonly type: 'eoh' }
  | { readonly type: 'body'; readonly chunk: Buffer }
  | { readonly type: 'eob'; readonly chunk: Buffer }
  | { readonly type: 'abort' }
  | { readonly type: 'quit' }
  | { readonly type: 'quit-nc' }
  | { readonly type: 'unknown'; readonly line: string };

const FAMILIES: Record<string, SocketFamily> = { U: 'unknown', L: 'unix', '4': 'inet', '6': 'inet6' };

/** NUL-terminated strings; the last must be terminated too. */
function cStrings(data: Buffer, what: string, encoding: BufferEncoding = 'utf8'): string[] {
  if (data.length === 0) return [];
  if (data[data.length - 1] !== 0) throw new MilterProtocolError(`${what}: the last string is not NUL-terminated`);
  const out: string[] = [];
  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(0, start);
    out.push(data.toString(encoding, start, end));
    start = end + 1;
  }
  return out;
}

function need(data: Buffer, n: number, what: string): void {
  if (data.length < n) throw new MilterProtocolError(`${what}: ${data.length} bytes where at least ${n} are needed`);
}

export function decodeCommand(frame: Frame): MilterCommand {
  const { code, data } = frame;
  switch (code) {
    case Command.OptNeg:
      need(data, 12, 'option negotiation');
      return { type: 'optneg', version: data.readUInt32BE(0), actions: data.readUInt32BE(4), protocol: data.readUInt32BE(8) };
    case Command.Macro: {
      need(data, 1, 'macro packet');
      const pairs = cStrings(data.subarray(1), 'macro packet');
      if (pairs.length % 2 !== 0) throw new MilterProtocolError('macro packet: a macro name without a value');
      const macros = new Map<string, string>();
      for (let i = 0; i < pairs.length; i += 2) macros.set(unbrace(pairs[i]!), pairs[i + 1]!);
      return { type: 'macro', stage: String.fromCharCode(data[0]!), macros };
    }
    case Command.Connect: {
      const nul = data.indexOf(0);
      if (nul < 0) throw new MilterProtocolError('connect: host name is not NUL-terminated');
      const hostname = data.toString('utf8', 0, nul);
      need(data, nul + 2, 'connect');
      const family = FAMILIES[String.fromCharCode(data[nul + 1]!)];
      if (!family) throw new MilterProtocolError(`connect: unknown socket family '${String.fromCharCode(data[nul + 1]!)}'`);
      if (family === 'unknown') return { type: 'connect', hostname, family, port: 0, address: '' };
      need(data, nul + 4, 'connect');
      const port = data.readUInt16BE(nul + 2);
      const [address = ''] = cStrings(data.subarray(nul + 4), 'connect address');
      return { type: 'connect', hostname, family, port, address };
    }
    case Command.Helo:
      return { type: 'helo', name: cStrings(data, 'HELO')[0] ?? '' };
    case Command.Mail:
    case Command.Rcpt: {
      const [address, ...args] = cStrings(data, code === Command.Mail ? 'MAIL' : 'RCPT');
      if (address === undefined) throw new MilterProtocolError(`${code === Command.Mail ? 'MAIL' : 'RCPT'} without an address`);
      return { type: code === Command.Mail ? 'mail' : 'rcpt', address, args };
    }
    case Command.Data:
      return { type: 'data' };
    case Command.Header: {
      const parts = cStrings(data, 'header', 'latin1');
      if (parts.length !== 2) throw new MilterProtocolError(`header: ${parts.length} strings where a name and a value are expected`);
      return { type: 'header', name: parts[0]!, value: parts[1]! };
    }
    case Command.EndOfHeaders:
      return { type: 'eoh' };
    case Command.Body:
      return { type: 'body', chunk: data };
    case Command.EndOfBody:
      return { type: 'eob', chunk: data };
    case Command.Abort:
      return { type: 'abort' };
    case Command.Quit:
      return { type: 'quit' };
    case Command.QuitNewConnection:
      return { type: 'quit-nc' };
    case Command.Unknown:
      return { type: 'unknown', line: cStrings(data, 'unknown command')[0] ?? '' };
    default:
      throw new MilterProtocolError(`unknown command byte 0x${code.charCodeAt(0).toString(16).padStart(2, '0')}`);
  }
}

/** `{client_addr}` and `client_addr` name the same macro; single-letter ones (`i`, `j`) have no braces. */
function unbrace(name: string): string {
  return name.startsWith('{') && name.endsWith('}') ? name.slice(1, -1) : name;
}

// ---- encoding ----

export function encodeFrame(code: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + data.length);
  out.writeUInt32BE(data.length + 1, 0);
  out[4] = code.charCodeAt(0);
  data.copy(out, 5);
  return out;
}

function cString(s: string, encoding: BufferEncoding = 'utf8'): Buffer {
  if (s.includes('\0')) throw new MilterProtocolError('a NUL byte inside a string to send');
  return Buffer.concat([Buffer.from(s, encoding), Buffer.alloc(1)]);
}

function uint32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** A milter's answer at negotiation, with the macros it wants per stage (needs Action.SetMacroList). */
export function encodeOptNeg(
  version: number,
  actions: number,
  protocol: number,
  macroLists: ReadonlyMap<number, readonly string[]> = new Map(),
): Buffer {
  const parts = [uint32(version), uint32(actions), uint32(protocol)];
  for (const [stage, names] of macroLists) parts.push(uint32(stage), cString(names.join(' ')));
  return encodeFrame(Reply.OptNeg, Buffer.concat(parts));
}

export type MilterReply =
  | { readonly type: 'accept' | 'continue' | 'reject' | 'tempfail' | 'discard' | 'progress' }
  | { readonly type: 'replycode'; readonly text: string }
  | { readonly type: 'quarantine'; readonly reason: string }
  | { readonly type: 'addheader'; readonly name: string; readonly value: string }
  | { readonly type: 'insheader'; readonly index: number; readonly name: string; readonly value: string }
  | { readonly type: 'chgheader'; readonly index: number; readonly name: string; readonly value: string };

const SIMPLE: Record<string, ReplyCode> = {
  accept: Reply.Accept,
  continue: Reply.Continue,
  reject: Reply.Reject,
  tempfail: Reply.TempFail,
  discard: Reply.Discard,
  progress: Reply.Progress,
};

export function encodeReply(reply: MilterReply): Buffer {
  switch (reply.type) {
    case 'replycode':
      return encodeFrame(Reply.ReplyCode, cString(reply.text));
    case 'quarantine':
      return encodeFrame(Reply.Quarantine, cString(reply.reason));
    case 'addheader':
      return encodeFrame(Reply.AddHeader, Buffer.concat([cString(reply.name, 'latin1'), cString(reply.value, 'latin1')]));
    case 'insheader':
    case 'chgheader':
      return encodeFrame(
        reply.type === 'insheader' ? Reply.InsertHeader : Reply.ChangeHeader,
        Buffer.concat([uint32(reply.index), cString(reply.name, 'latin1'), cString(reply.value, 'latin1')]),
      );
    default:
      return encodeFrame(SIMPLE[reply.type]!);
  }
}

/** Several replies as one buffer: one socket write, so Nagle never holds the last one back. */
export function encodeReplies(replies: readonly MilterReply[]): Buffer {
  return Buffer.concat(replies.map(encodeReply));
}
