/**
 * Documents and media with valid structure, built byte by byte: PDF, PNG, JPEG, GIF, MP3, MP4, WAV.
 * Small on purpose; sizes are parameters where a rule depends on them.
 */
import { crc32, u16le, u32be, u32le, zlibStored } from './bytes.js';

/** A one-page PDF 1.4 with a correct xref table; `padTo` grows the content stream to a given size. */
export function pdf(title: string, lines: readonly string[], padTo = 0): Buffer {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)');
  let content = `BT /F1 11 Tf 72 770 Td 14 TL (${esc(title)}) Tj T* ${lines.map((l) => `(${esc(l)}) '`).join(' ')} ET\n`;
  if (padTo > content.length) {
    const filler = '% archived page layer retained for audit\n';
    content += filler.repeat(Math.ceil((padTo - content.length) / filler.length));
  }
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Title (${esc(title)}) /Producer (Microsoft: Print To PDF) /CreationDate (D:20250227143100Z) >>`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function pngChunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), td, u32be(crc32(td))]);
}

/** An RGB PNG; `pixel(x, y)` gives [r, g, b]. IDAT uses stored deflate blocks (same bytes on every zlib). */
export function png(width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let p = 0;
  for (let y = 0; y < height; y++) {
    raw[p++] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[p++] = r;
      raw[p++] = g;
      raw[p++] = b;
    }
  }
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlibStored(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small logo: the Met's blue with a white band (a few KB). */
export function logoPng(): Buffer {
  return png(64, 24, (x, y) => (y > 9 && y < 14 && x > 4 ? [255, 255, 255] : [0, 48, 135]));
}

/** A noisy photo-like PNG of about `bytes` bytes (stored deflate keeps the size predictable). */
export function photoPng(width: number, height: number): Buffer {
  return png(width, height, (x, y) => {
    const v = (x * 73 + y * 151 + ((x * y) % 37) * 11) & 0xff;
    return [v, (v * 3 + y) & 0xff, (255 - v + x) & 0xff];
  });
}

/** Huffman table segment. */
function dht(tableClass: number, id: number, counts: readonly number[], symbols: readonly number[]): Buffer {
  const body = Buffer.from([(tableClass << 4) | id, ...counts, ...symbols]);
  return Buffer.concat([Buffer.from([0xff, 0xc4]), u16be(body.length + 2), body]);
}

function u16be(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(bits: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((bits >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing
    this.acc = 0;
    this.n = 0;
  }
  finish(): Buffer {
    while (this.n !== 0) this.write(1, 1);
    return Buffer.from(this.bytes);
  }
}

/**
 * A baseline greyscale JFIF JPEG, `blocksX` x `blocksY` 8x8 blocks, each block a flat shade
 * (DC only), coded with the standard luminance DC table. Decodes in every viewer.
 */
export function jpeg(blocksX: number, blocksY: number, shade: (bx: number, by: number) => number, comment = ''): Buffer {
  // Standard DC luminance table (ITU T.81 K.3).
  const dcCounts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const dcCodes: Array<[code: number, len: number]> = [
    [0b00, 2], [0b010, 3], [0b011, 3], [0b100, 3], [0b101, 3], [0b110, 3],
    [0b1110, 4], [0b11110, 5], [0b111110, 6], [0b1111110, 7], [0b11111110, 8], [0b111111110, 9],
  ];
  const bw = new BitWriter();
  let prev = 0;
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      // quant DC = 8: coefficient = (mean - 128) * 8 / 8
      const dc = Math.max(-127, Math.min(127, Math.round(shade(bx, by)) - 128));
      const diff = dc - prev;
      prev = dc;
      const mag = Math.abs(diff);
      const cat = mag === 0 ? 0 : 32 - Math.clz32(mag);
      const code = dcCodes[cat];
      if (!code) throw new Error('DC out of range');
      bw.write(code[0], code[1]);
      if (cat > 0) bw.write(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
      bw.write(0, 1); // AC: end of block (one-symbol AC table, code '0')
    }
  }
  const quant = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 8)]);
  const sof = Buffer.concat([Buffer.from([8]), u16be(blocksY * 8), u16be(blocksX * 8), Buffer.from([1, 1, 0x11, 0])]);
  const com = comment ? Buffer.concat([Buffer.from([0xff, 0xfe]), u16be(comment.length + 2), Buffer.from(comment, 'latin1')]) : Buffer.alloc(0);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    Buffer.from([0xff, 0xe0]), u16be(16), Buffer.from('JFIF\0', 'latin1'), Buffer.from([1, 1, 1]), u16be(72), u16be(72), Buffer.from([0, 0]),
    com,
    Buffer.from([0xff, 0xdb]), u16be(quant.length + 2), quant,
    Buffer.from([0xff, 0xc0]), u16be(sof.length + 2), sof,
    dht(0, 0, dcCounts, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    dht(1, 0, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0x00]),
    Buffer.from([0xff, 0xda]), u16be(8), Buffer.from([1, 1, 0x00, 0, 63, 0]),
    bw.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A landscape-ish photo: sky gradient over darker ground. */
export function photoJpeg(comment = ''): Buffer {
  return jpeg(20, 15, (bx, by) => (by < 8 ? 200 - by * 6 + (bx % 3) * 4 : 90 + ((bx * 7 + by * 5) % 40)), comment);
}

/** A 1x1 GIF89a (the classic tracking pixel / spacer). */
export function gif(): Buffer {
  return Buffer.from('474946383961010001008000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex');
}

/** MP3: an ID3v2.3 tag (title) and `frames` MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, silent). */
export function mp3(title: string, frames = 24): Buffer {
  const text = Buffer.concat([Buffer.from([0x00]), Buffer.from(title, 'latin1')]);
  const frame = Buffer.concat([Buffer.from('TIT2', 'latin1'), u32be(text.length), Buffer.from([0, 0]), text]);
  const size = frame.length;
  const synchsafe = Buffer.from([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
  const id3 = Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([3, 0, 0]), synchsafe, frame]);
  const mpeg = Buffer.alloc(417);
  mpeg.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([id3, ...Array.from({ length: frames }, () => mpeg)]);
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32be(body.length + 8), Buffer.from(type, 'latin1'), body]);
}

/** MP4: ftyp (isom), moov with mvhd, and an mdat of `mdatBytes`. */
export function mp4(mdatBytes = 2048): Buffer {
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(4000, 16); // duration: 4 s
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  for (const [i, v] of [[36, 0x00010000], [52, 0x00010000], [68, 0x40000000]] as const) mvhd.writeUInt32BE(v, i);
  mvhd.writeUInt32BE(2, 96); // next track id
  return Buffer.concat([
    box('ftyp', Buffer.from('isom', 'latin1'), u32be(0x200), Buffer.from('isomiso2avc1mp41', 'latin1')),
    box('moov', box('mvhd', mvhd)),
    box('mdat', Buffer.alloc(mdatBytes, 0x11)),
  ]);
}

/** WAV: 8 kHz mono 16-bit PCM, a quiet triangle wave of `samples` samples. */
export function wav(samples = 4000): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(((i % 40) - 20) * 200, i * 2);
  const fmt = Buffer.concat([u16le(1), u16le(1), u32le(8000), u32le(16000), u16le(2), u16le(16)]);
  const body = Buffer.concat([
    Buffer.from('WAVE', 'latin1'),
    Buffer.from('fmt ', 'latin1'), u32le(fmt.length), fmt,
    Buffer.from('data', 'latin1'), u32le(data.length), data,
  ]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
}
