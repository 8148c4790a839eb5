/**
 * Content-Transfer-Encoding decoders that work chunk by chunk and synchronously.
 * libbase64 silently drops bad characters and libqp buffers the whole part, so neither fits:
 * we must bound memory and we must say when base64 was broken (a part a client may decode
 * differently from us cannot be trusted as scanned).
 */

export interface TransferDecoder {
  /** Decoded bytes of this chunk (possibly empty: a partial quantum waits for the next chunk). */
  write(chunk: Buffer): Buffer;
  /** Whatever was held back, at the end of the part. */
  end(): Buffer;
  /** What was wrong with the encoding, or null. Read after end(). */
  readonly problem: string | null;
}

const EMPTY = Buffer.alloc(0);

class Identity implements TransferDecoder {
  readonly problem = null;
  write(chunk: Buffer): Buffer {
    return chunk;
  }
  end(): Buffer {
    return EMPTY;
  }
}

const B64_SPACE = /[\r\n\t ]+/g;
const B64_HAS_SPACE = /[\r\n\t ]/;
const B64_HAS_INVALID = /[^A-Za-z0-9+/=\r\n\t ]/;
const B64_INVALID = /[^A-Za-z0-9+/=\r\n\t ]+/g;
const B64_PADDING = /=+/;

class Base64 implements TransferDecoder {
  /** Significant characters (fewer than 4) waiting for the rest of their quantum. */
  private rest = '';
  private invalid = 0;
  private dangling = false;

  get problem(): string | null {
    if (this.invalid) return `invalid base64 (${this.invalid} characters outside the alphabet)`;
    if (this.dangling) return 'invalid base64 (truncated final quantum)';
    return null;
  }

  write(chunk: Buffer): Buffer {
    let s = chunk.toString('latin1');
    if (B64_HAS_INVALID.test(s)) {
      const cleaned = s.replace(B64_INVALID, '');
      this.invalid += s.length - cleaned.length;
      s = cleaned;
    }
    if (B64_HAS_SPACE.test(s)) s = s.replace(B64_SPACE, '');
    if (this.rest) s = this.rest + s;
    this.rest = '';
    if (!s) return EMPTY;

    const lastPad = s.lastIndexOf('=');
    let padded: Buffer | null = null;
    if (lastPad >= 0) {
      // Padding closes a quantum; some encoders concatenate padded blocks, so decode block by block.
      padded = this.decodeSegments(s.slice(0, lastPad + 1));
      s = s.slice(lastPad + 1);
    }
    const usable = s.length - (s.length % 4);
    this.rest = s.slice(usable);
    const body = usable ? Buffer.from(usable === s.length ? s : s.slice(0, usable), 'base64') : EMPTY;
    if (!padded || !padded.length) return body;
    return body.length ? Buffer.concat([padded, body]) : padded;
  }

  end(): Buffer {
    const rest = this.rest;
    this.rest = '';
    if (!rest) return EMPTY;
    if (rest.length % 4 === 1) {
      this.dangling = true;
      return EMPTY;
    }
    return Buffer.from(rest, 'base64');
  }

  private decodeSegments(s: string): Buffer {
    const parts: Buffer[] = [];
    for (const segment of s.split(B64_PADDING)) {
      if (!segment) continue;
      if (segment.length % 4 === 1) this.dangling = true;
      parts.push(Buffer.from(segment, 'base64'));
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Quoted-printable, lenient like mail clients: a '=' that starts no valid escape stays literal. */
class QuotedPrintable implements TransferDecoder {
  readonly problem = null;
  /** An escape cut by the chunk edge ('=', '=A', '=\r', '=  '). */
  private pending: Buffer | null = null;

  write(chunk: Buffer): Buffer {
    const input = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    return this.decode(input, false);
  }

  end(): Buffer {
    const input = this.pending;
    this.pending = null;
    return input ? this.decode(input, true) : EMPTY;
  }

  private decode(input: Buffer, final: boolean): Buffer {
    const n = input.length;
    if (input.indexOf(0x3d) < 0) return input;
    const out = Buffer.allocUnsafe(n);
    let o = 0;
    let i = 0;
    while (i < n) {
      const eq = input.indexOf(0x3d, i);
      const runEnd = eq < 0 ? n : eq;
      if (runEnd > i) o += input.copy(out, o, i, runEnd);
      if (eq < 0) break;
      // Skip white space a transport may have left between '=' and the line end.
      let j = eq + 1;
      while (j < n && (input[j] === 0x20 || input[j] === 0x09)) j++;
      if (j >= n && !final) {
        this.pending = Buffer.from(input.subarray(eq));
        break;
      }
      const c1 = input[j];
      if (c1 === 0x0a) {
        i = j + 1; // soft line break
        continue;
      }
      if (c1 === 0x0d) {
        if (j + 1 >= n && !final) {
          this.pending = Buffer.from(input.subarray(eq));
          break;
        }
        i = input[j + 1] === 0x0a ? j + 2 : j + 1;
        continue;
      }
      if (j === eq + 1) {
        if (eq + 2 >= n && !final) {
          this.pending = Buffer.from(input.subarray(eq));
          break;
        }
        const hi = hexValue(input[eq + 1]);
        const lo = hexValue(input[eq + 2]);
        if (hi >= 0 && lo >= 0) {
          out[o++] = hi * 16 + lo;
          i = eq + 3;
          continue;
        }
      }
      out[o++] = 0x3d; // not an escape: keep the '=' as written
      i = eq + 1;
    }
    return out.subarray(0, o);
  }
}

/** Transfer encodings we pass through unchanged. */
const IDENTITY = new Set(['', '7bit', '8bit', 'binary']);

/** A decoder for the part's Content-Transfer-Encoding, or null when the encoding is unknown. */
export function transferDecoder(encoding: string | false): TransferDecoder | null {
  const name = (encoding || '').toLowerCase();
  if (name === 'base64') return new Base64();
  if (name === 'quoted-printable') return new QuotedPrintable();
  if (IDENTITY.has(name)) return new Identity();
  return null;
}

/** Passes bytes through unchanged: for parts with an unknown transfer encoding. */
export function identityDecoder(): TransferDecoder {
  return new Identity();
}
