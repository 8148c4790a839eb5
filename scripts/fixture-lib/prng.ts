/**
 * Deterministic pseudo-random bytes: fixtures must rebuild to identical bytes,
 * so nothing here may read the clock or Math.random.
 */
import { createHash } from 'node:crypto';

/** xorshift128+ seeded from a string: fast, and the same on every platform. */
export class Prng {
  private s0: bigint;
  private s1: bigint;

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.s0 = h.readBigUInt64LE(0) | 1n;
    this.s1 = h.readBigUInt64LE(8) | 2n;
  }

  /** Next 32 random bits as an unsigned integer. */
  next32(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= (x << 23n) & 0xffffffffffffffffn;
    x ^= x >> 17n;
    x ^= y ^ (y >> 26n);
    this.s1 = x;
    return Number(((x + y) >> 16n) & 0xffffffffn);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return this.next32() % n;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) out.writeUInt32LE(this.next32(), i);
    if (i < n) {
      const last = this.next32();
      for (let k = 0; i < n; i++, k++) out[i] = (last >>> (8 * k)) & 0xff;
    }
    return out;
  }
}

/**
 * Fast deterministic filler for large bodies (megabytes): xorshift32 over whole words.
 * Pass `state` to continue a sequence across chunks (streams).
 */
export function fillerBytes(seed: string | number, n: number): Buffer {
  const words = new Uint32Array(Math.ceil(n / 4));
  let x = typeof seed === 'number' ? seed >>> 0 || 1 : createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer, 0, n);
}

/** A stable lower-case hex id derived from a name (message ids, boundaries, GUIDs). */
export function stableHex(name: string, length: number): string {
  let hex = '';
  for (let i = 0; hex.length < length; i++) hex += createHash('sha256').update(`${name}#${i}`).digest('hex');
  return hex.slice(0, length);
}

/** A stable GUID string (8-4-4-4-12, lower case) derived from a name. */
export function stableGuid(name: string): string {
  const h = stableHex(name, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
