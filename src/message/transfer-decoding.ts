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

/** Base64 alphabet values; the codes below 64 are not data. */
const B64_SPACE = 64;
const B64_PAD = 65;
const B64_INVALID = 255;
const B64_VALUES = (() => {
  const table = new Uint8Array(256).fill(B64_INVALID);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  for (const c of '\r\n\t ') table[c.charCodeAt(0)] = B64_SPACE;
  table[0x3d] = B64_PAD;
  return table;
})();

/**
 * Base64 in one pass over the bytes, four at a time while they are all data (the body of every
 * line), one at a time at line ends, padding and anything odd. Node's own decoder is lenient (it
 * skips anything outside the alphabet without a word), so it cannot tell us what we must know:
 * whether the encoding was broken. Characters outside the alphabet are counted and skipped;
 * padding closes a quantum (some encoders concatenate padded blocks); a quantum cut by a chunk
 * edge carries over in `acc`.
 */
class Base64 implements TransferDecoder {
  /** Bits of the quantum in progress (`have` characters, 6 bits each). */
  private acc = 0;
  private have = 0;
  private invalid = 0;
  private dangling = false;

  get problem(): string | null {
    if (this.invalid) return `invalid base64 (${this.invalid} characters outside the alphabet)`;
    if (this.dangling) return 'invalid base64 (truncated final quantum)';
    return null;
  }

  write(chunk: Buffer): Buffer {
    const n = chunk.length;
    if (n === 0) return EMPTY;
    const out = Buffer.allocUnsafe(Math.floor(((n + this.have) * 3) / 4) + 3);
    const T = B64_VALUES;
    let o = 0;
    let i = 0;
    let acc = this.acc;
    let have = this.have;
    while (i < n) {
      if (have === 0) {
        // The fast lane: whole quanta of data.
        while (i + 4 <= n) {
          const a = T[chunk[i]!]!;
          const b = T[chunk[i + 1]!]!;
          const c = T[chunk[i + 2]!]!;
          const d = T[chunk[i + 3]!]!;
          if ((a | b | c | d) >= 64) break;
          out[o] = (a << 2) | (b >> 4);
          out[o + 1] = ((b & 15) << 4) | (c >> 2);
          out[o + 2] = ((c & 3) << 6) | d;
          o += 3;
          i += 4;
        }
        if (i >= n) break;
      }
      const v = T[chunk[i++]!]!;
      if (v < 64) {
        acc = (acc << 6) | v;
        if (++have === 4) {
          out[o] = acc >> 16;
          out[o + 1] = (acc >> 8) & 255;
          out[o + 2] = acc & 255;
          o += 3;
          acc = 0;
          have = 0;
        }
      } else if (v === B64_PAD) {
        o = this.closeQuantum(out, o, acc, have);
        acc = 0;
        have = 0;
      } else if (v === B64_INVALID) {
        this.invalid++;
      }
    }
    this.acc = acc;
    this.have = have;
    return o === 0 ? EMPTY : out.subarray(0, o);
  }

  end(): Buffer {
    if (this.have === 0) return EMPTY;
    const out = Buffer.allocUnsafe(3);
    const o = this.closeQuantum(out, 0, this.acc, this.have);
    this.acc = 0;
    this.have = 0;
    return out.subarray(0, o);
  }

  /** The bytes of an unfinished quantum (at padding or the end of the part). */
  private closeQuantum(out: Buffer, o: number, acc: number, have: number): number {
    if (have === 1) this.dangling = true; // six bits: not even one byte
    if (have === 2) out[o++] = acc >> 4;
    if (have === 3) {
      out[o++] = acc >> 10;
      out[o++] = (acc >> 2) & 255;
    }
    return o;
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
