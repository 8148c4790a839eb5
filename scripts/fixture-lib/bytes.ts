/** Small binary helpers shared by the file builders. */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (zip, png, gzip, 7z). */
export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function u16le(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

export function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function u64le(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** ASCII text padded (or cut) to a fixed width. */
export function padAscii(text: string, width: number, fill = ' '): Buffer {
  return Buffer.from(text.slice(0, width).padEnd(width, fill), 'latin1');
}

/** UTF-16LE text with a terminating NUL, as Windows formats store strings. */
export function utf16z(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf16le');
}

/** GUID text ('00021401-0000-0000-c000-000000000046') to its 16 mixed-endian bytes. */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/[{}-]/g, '');
  const b = Buffer.from(hex, 'hex');
  if (b.length !== 16) throw new Error(`bad GUID ${guid}`);
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}

/** A zlib stream made only of stored blocks: valid for every inflater, identical on every zlib version. */
export function zlibStored(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x78, 0x01])];
  const MAX = 0xffff;
  if (data.length === 0) parts.push(Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]));
  for (let off = 0; off < data.length; off += MAX) {
    const chunk = data.subarray(off, off + MAX);
    const final = off + MAX >= data.length ? 1 : 0;
    const len = chunk.length;
    parts.push(Buffer.from([final, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]), chunk);
  }
  parts.push(u32be(adler32(data)));
  return Buffer.concat(parts);
}

export function adler32(buf: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
