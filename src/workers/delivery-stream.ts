/**
 * The bytes sent upstream: our header lines (sidecar.addHeaders: Received:, X-Mailwarden-*), then
 * the spooled message with every incoming X-Mailwarden-* field removed from its top header block
 * (anyone can forge them). Folded continuation lines go with their field.
 *
 * Memory is bounded without capping the header block: a line's fate is decided from its first
 * bytes (a field name prefix, or leading whitespace for a continuation), so at most a few bytes of
 * a line are ever held back; the body passes through chunk by chunk, untouched.
 */
import { Transform, type TransformCallback } from 'node:stream';

const FORGEABLE_PREFIX = Buffer.from('x-mailwarden-');
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

/** Our header lines joined with CRLF, each ending in CRLF. Stray CR/LF inside a line are dropped. */
export function headerPreamble(addHeaders: readonly string[]): Buffer {
  return Buffer.from(addHeaders.map((h) => h.replace(/[\r\n]+/g, ' ') + '\r\n').join(''), 'utf8');
}

export class DeliveryStream extends Transform {
  private preamble: Buffer | null;
  private inBody = false;
  /** Start of the current line while its fate is undecided (shorter than the prefix, no LF yet). */
  private undecided: Buffer | null = Buffer.alloc(0);
  /** Whether the current field (and so its continuation lines) is being dropped. */
  private dropField = false;
  /** Whether the rest of the current line is dropped. */
  private dropLine = false;

  constructor(addHeaders: readonly string[]) {
    super();
    this.preamble = headerPreamble(addHeaders);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const out: Buffer[] = [];
    this.transformInto(chunk, out);
    if (out.length === 1) this.push(out[0]);
    else if (out.length > 1) this.push(Buffer.concat(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    const out: Buffer[] = [];
    this.flushInto(out);
    for (const b of out) this.push(b);
    done();
  }

  /** The output for one chunk of the spooled message, appended to `out`. */
  transformInto(chunk: Buffer, out: Buffer[]): void {
    if (this.preamble) {
      out.push(this.preamble);
      this.preamble = null;
    }
    if (this.inBody) out.push(chunk);
    else this.filterHeaders(chunk, out);
  }

  /** What is still held back at the end of the message, appended to `out`. */
  flushInto(out: Buffer[]): void {
    if (this.preamble) out.push(this.preamble);
    this.preamble = null;
    // A message that ends inside an undecided line: too short to be one of ours, unless it is a continuation.
    if (this.undecided && this.undecided.length > 0 && !this.isContinuationOfDropped(this.undecided)) out.push(this.undecided);
    this.undecided = null;
  }

  private filterHeaders(chunk: Buffer, out: Buffer[]): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.undecided) {
        // Gather just enough of the line start to decide.
        const lf = chunk.indexOf(LF, pos);
        const need = FORGEABLE_PREFIX.length - this.undecided.length;
        const end = lf >= 0 && lf - pos < need ? lf + 1 : Math.min(chunk.length, pos + need);
        const head = Buffer.concat([this.undecided, chunk.subarray(pos, end)]);
        pos = end;
        const hasLf = head[head.length - 1] === LF;
        if (!hasLf && head.length < FORGEABLE_PREFIX.length) {
          this.undecided = head; // chunk ended before we could decide
          return;
        }
        this.undecided = null;
        if (isBlankLine(head)) {
          // End of the header block: everything after passes through.
          out.push(head);
          this.inBody = true;
          if (pos < chunk.length) out.push(chunk.subarray(pos));
          return;
        }
        const first = head[0];
        if (first !== SP && first !== HT) this.dropField = startsWithForgeable(head);
        this.dropLine = this.dropField;
        if (!this.dropLine) out.push(head);
        if (hasLf) this.undecided = Buffer.alloc(0);
        continue;
      }
      // Rest of a decided line, through its LF.
      const lf = chunk.indexOf(LF, pos);
      const end = lf >= 0 ? lf + 1 : chunk.length;
      if (!this.dropLine) out.push(chunk.subarray(pos, end));
      pos = end;
      if (lf >= 0) this.undecided = Buffer.alloc(0);
    }
  }

  private isContinuationOfDropped(head: Buffer): boolean {
    return this.dropField && (head[0] === SP || head[0] === HT);
  }
}

function isBlankLine(head: Buffer): boolean {
  return (head.length === 1 && head[0] === LF) || (head.length === 2 && head[0] === CR && head[1] === LF);
}

function startsWithForgeable(head: Buffer): boolean {
  if (head.length < FORGEABLE_PREFIX.length) return false;
  for (let i = 0; i < FORGEABLE_PREFIX.length; i++) {
    const c = head[i]!;
    const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    if (lower !== FORGEABLE_PREFIX[i]) return false;
  }
  return true;
}

/** The delivery bytes of a whole (small) spooled message at once: the same as DeliveryStream's output. */
export function deliveryBytes(addHeaders: readonly string[], message: Buffer): Buffer {
  const stream = new DeliveryStream(addHeaders);
  const out: Buffer[] = [];
  stream.transformInto(message, out);
  stream.flushInto(out);
  return Buffer.concat(out);
}

/** Convenience: the delivery bytes for a spooled message stream. */
export function deliveryStream(addHeaders: readonly string[]): DeliveryStream {
  return new DeliveryStream(addHeaders);
}
