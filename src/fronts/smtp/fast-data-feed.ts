/**
 * A faster DATA parser for smtp-server: the method that finds the end of DATA and removes the
 * escape dots, `SMTPStream.prototype._feedDataStream`.
 *
 * smtp-server 3.21.6 looks at every byte of the message in a JavaScript loop for a dot that starts
 * a line: 2.1-2.4 ms of the SMTP thread's CPU per MB (0.9 with this version), the largest single
 * piece of receiving large mail after inspection. Everything it acts on starts with an LF
 * followed by a dot, so this version jumps from one "\n." to the next with Buffer.indexOf (native)
 * and applies the same two rules there, in the same order (the end sequence CRLF.CRLF, then an
 * escape dot); the rest of the method (the start of DATA, the bytes kept back between chunks,
 * backpressure, the end of DATA) is smtp-server's own logic, unchanged.
 *
 * It replaces one method of a third party's class, so it is careful, like greeting-delay.ts, through
 * guarded-patch.ts (docs/decisions/smtp-server-fast-data-feed.md):
 * - it is installed only when the method's source hashes to the one checked (smtp-server 3.21.6,
 *   ESM and CJS builds alike); otherwise smtp-server keeps its own and `fastDataFeed.reason` says
 *   why (the front logs it at start);
 * - test/fronts/smtp/fast-data-feed.test.ts feeds the original and this version the same random
 *   DATA (dot-stuffed lines, terminators, pipelined commands after them) in random chunks and
 *   requires the same message bytes, byte counts and what follows the end of DATA, and fails when
 *   the patch is not in effect.
 */
import * as esm from 'smtp-server/lib/smtp-stream.js';
import { installMethodPatch } from './guarded-patch.js';

/** sha256 of smtp-server 3.21.6's SMTPStream.prototype._feedDataStream source (ESM and CJS builds). */
const KNOWN_FEED = new Set(['9d8b903f9a3a63542d72e19a9e2f67009a3b1107a28d57e8e7369355454ff230']);

const END_SEQUENCE = Buffer.from('\r\n.\r\n');
const DATA_START_END = Buffer.from('.\r\n');
const LF_DOT = Buffer.from('\n.');
const DOT = 0x2e;

type Done = (err?: Error | null) => void;

/** The state of smtp-server's SMTPStream that the method reads and updates. */
export interface StreamInternals {
  _dataStream: NodeJS.WritableStream & { writable: boolean; destroyed: boolean };
  _lastBytes: Buffer | false;
  _atDataStart: boolean;
  _countDataBytes(len: number): void;
  _endDataMode(chunk: Buffer | false, remainder: Buffer, done: Done): void;
  _feedDataStream(chunk: Buffer, done: Done): void;
}

export function feedDataStream(this: StreamInternals, input: Buffer, done: Done): void {
  const dataStream = this._dataStream;
  let chunk = input;
  if (this._lastBytes && this._lastBytes.length) {
    chunk = Buffer.concat([this._lastBytes, chunk], this._lastBytes.length + chunk.length);
    this._lastBytes = false;
  }
  let len = chunk.length;
  // A first line of a lone dot ends DATA at once (only while nothing was consumed: an escaped
  // first line is content, or a client could end DATA early by how it cuts its segments).
  if (this._atDataStart && len >= 3 && chunk.subarray(0, 3).equals(DATA_START_END)) {
    this._endDataMode(false, chunk.subarray(3), done);
    return;
  }
  if (this._atDataStart && len >= 2 && chunk[0] === DOT && chunk[1] === DOT) {
    chunk = chunk.subarray(1);
    len--;
    this._atDataStart = false;
  }
  // The dots that start a line at positions 2 .. len-3, as smtp-server's byte loop visits them.
  for (let lf = chunk.indexOf(LF_DOT, 1); lf !== -1 && lf + 1 < len - 2; lf = chunk.indexOf(LF_DOT, lf + 1)) {
    const i = lf + 1;
    if (chunk.subarray(i - 2, i + 3).equals(END_SEQUENCE)) {
      const buf = chunk.subarray(0, i);
      this._countDataBytes(buf.length);
      this._endDataMode(buf, chunk.subarray(i + 3), done);
      return;
    }
    if (chunk[i + 1] === DOT) {
      const buf = chunk.subarray(0, i);
      this._lastBytes = false;
      this._countDataBytes(buf.length);
      if (dataStream.writable) dataStream.write(buf);
      const rest = chunk.subarray(i + 1);
      setImmediate(() => this._feedDataStream(rest, done));
      return;
    }
  }
  // Keep the last bytes back: a terminator or escape may straddle the next chunk.
  this._lastBytes = chunk.length < 4 ? chunk : chunk.subarray(chunk.length - 4);
  if (this._lastBytes.length >= chunk.length) return done();
  const buf = chunk.subarray(0, chunk.length - this._lastBytes.length);
  this._countDataBytes(buf.length);
  if (!dataStream.writable) return done();
  const handled = dataStream.write(buf);
  if (handled || dataStream.destroyed) return done();
  // A stream that the application destroys never drains, it only closes.
  const onDrain = () => {
    dataStream.removeListener('drain', onDrain);
    dataStream.removeListener('close', onDrain);
    done();
  };
  dataStream.once('drain', onDrain);
  dataStream.once('close', onDrain);
}

/** smtp-server's own method, kept for the equivalence test (it compares the two). */
export const originalFeedDataStream = (esm as { SMTPStream?: { prototype: Pick<StreamInternals, '_feedDataStream'> } }).SMTPStream?.prototype._feedDataStream;

/** Whether the ESM build (the one we run) parses DATA with this version, and why not when it does not. */
export const fastDataFeed = installMethodPatch(esm as Record<string, unknown>, {
  module: 'smtp-server/lib/smtp-stream.js',
  className: 'SMTPStream',
  method: '_feedDataStream',
  known: KNOWN_FEED,
  replacement: feedDataStream,
});
