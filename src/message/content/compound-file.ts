/**
 * A compound file (CFB / OLE, [MS-CFB]) read in place: the header, the FAT, the directory, and only
 * the streams asked for, with positional reads. For large files that spilled to a temp file: the
 * `cfb` library wants the whole file in memory and copies every stream as it parses, which for a
 * 20 MB Word document costs 40 MB to learn what its first 512 bytes say.
 *
 * Hostile input is bounded: every chain is followed at most as many steps as the file has sectors
 * (a loop or a wrong length is an error, not a hang), the directory has at most MAX_ENTRIES entries,
 * the sibling tree is walked with a visited set, and a stream read is capped by its caller.
 * Anything inconsistent throws; the caller falls back to the whole-file path, which says what is wrong.
 */
import type { FileHandle } from 'node:fs/promises';

/** Positional reads from the file or from bytes in memory. */
export interface RandomAccess {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
}

export function bufferSource(bytes: Buffer): RandomAccess {
  return { size: bytes.length, read: async (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)) };
}

export function fileSource(fh: FileHandle, size: number): RandomAccess {
  return {
    size,
    async read(position, length) {
      const n = Math.max(0, Math.min(length, size - position));
      const buf = Buffer.alloc(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await fh.read(buf, done, n - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === n ? buf : buf.subarray(0, done);
    },
  };
}

export interface CompoundEntry {
  /** Path below the root as the `cfb` library gives it without its first part: 'WordDocument', 'Macros/', 'Macros/VBA/dir'. */
  readonly path: string;
  readonly type: 'storage' | 'stream';
  readonly size: number;
  readonly start: number;
}

const SIGNATURE = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const FREE = 0xffffffff;
const END_OF_CHAIN = 0xfffffffe;
const NO_STREAM = 0xffffffff;
const MAX_ENTRIES = 100_000;
/** The FAT of a 64 MB file with 512-byte sectors has 131,072 entries; refuse anything claiming far more. */
const MAX_FAT_SECTORS = 1 << 16;

export class CompoundFile {
  private readonly chains = new Map<number, number[]>();

  private constructor(
    private readonly src: RandomAccess,
    private readonly sectorSize: number,
    private readonly fat: Uint32Array,
    private readonly miniFat: Uint32Array,
    private readonly miniStreamSectors: readonly number[],
    private readonly miniCutoff: number,
    readonly entries: readonly CompoundEntry[],
    /** Class id of the root storage, as hex of its bytes in file order (as `cfb` prints it). */
    readonly rootClsid: string,
  ) {}

  static async open(src: RandomAccess): Promise<CompoundFile> {
    const header = await src.read(0, 512);
    if (header.length < 512 || !header.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a compound file');
    const shift = header.readUInt16LE(0x1e);
    if (shift !== 9 && shift !== 12) throw new Error(`bad sector size 2^${shift}`);
    const sectorSize = 1 << shift;
    if (header.readUInt16LE(0x20) !== 6) throw new Error('bad mini sector size');
    const fatSectors = header.readUInt32LE(0x2c);
    const firstDir = header.readUInt32LE(0x30);
    const miniCutoff = header.readUInt32LE(0x38);
    const firstMiniFat = header.readUInt32LE(0x3c);
    const miniFatSectors = header.readUInt32LE(0x40);
    let difatSector = header.readUInt32LE(0x44);
    const difatSectors = header.readUInt32LE(0x48);
    if (miniCutoff !== 4096) throw new Error('bad mini stream cutoff');
    const sectorCount = Math.ceil(Math.max(0, src.size - sectorSize) / sectorSize);
    if (fatSectors > MAX_FAT_SECTORS || fatSectors > sectorCount) throw new Error('FAT larger than the file');

    // The FAT's own sectors: 109 in the header, the rest in a chain of DIFAT sectors.
    const fatList: number[] = [];
    for (let i = 0; i < 109 && fatList.length < fatSectors; i++) fatList.push(header.readUInt32LE(0x4c + i * 4));
    const perDifat = sectorSize / 4 - 1;
    for (let d = 0; d < difatSectors && fatList.length < fatSectors; d++) {
      if (difatSector >= sectorCount) throw new Error('DIFAT chain leaves the file');
      const s = await readSector(src, sectorSize, difatSector);
      for (let i = 0; i < perDifat && fatList.length < fatSectors; i++) fatList.push(s.readUInt32LE(i * 4));
      difatSector = s.readUInt32LE(perDifat * 4);
    }
    if (fatList.length < fatSectors) throw new Error('DIFAT shorter than the FAT');
    const fat = new Uint32Array(fatSectors * (sectorSize / 4));
    for (const [i, sector] of fatList.entries()) {
      if (sector >= sectorCount) throw new Error('FAT sector outside the file');
      const s = await readSector(src, sectorSize, sector);
      for (let j = 0; j < sectorSize / 4; j++) fat[i * (sectorSize / 4) + j] = s.readUInt32LE(j * 4);
    }

    const chainOf = (start: number): number[] => chain(fat, start, sectorCount);
    const dirBytes = await readChain(src, sectorSize, chainOf(firstDir));
    const raw = parseDirectory(dirBytes);
    const root = raw[0];
    if (!root || root.type !== 5) throw new Error('no root entry');

    const miniFatBytes = miniFatSectors > 0 ? await readChain(src, sectorSize, chainOf(firstMiniFat)) : Buffer.alloc(0);
    const miniFat = new Uint32Array(Math.floor(miniFatBytes.length / 4));
    for (let i = 0; i < miniFat.length; i++) miniFat[i] = miniFatBytes.readUInt32LE(i * 4);
    const miniStreamSectors = root.size > 0 ? chainOf(root.start) : [];

    return new CompoundFile(src, sectorSize, fat, miniFat, miniStreamSectors, miniCutoff, paths(raw), root.clsid);
  }

  /** The first `max` bytes of a stream (all of it when shorter). */
  async read(entry: CompoundEntry, max: number): Promise<Buffer> {
    const want = Math.min(entry.size, max);
    if (want <= 0) return Buffer.alloc(0);
    if (entry.size < this.miniCutoff) {
      // Mini sectors (64 bytes) as file positions, read in runs: usually one or two reads.
      const positions: number[] = [];
      for (const mini of chain(this.miniFat, entry.start, this.miniFat.length)) {
        if (positions.length * 64 >= want) break;
        const offset = mini * 64;
        const sector = this.miniStreamSectors[Math.floor(offset / this.sectorSize)];
        if (sector === undefined) throw new Error('mini stream sector outside the mini stream');
        positions.push((sector + 1) * this.sectorSize + (offset % this.sectorSize));
      }
      const parts: Buffer[] = [];
      for (let i = 0; i < positions.length; ) {
        let j = i + 1;
        while (j < positions.length && positions[j] === positions[j - 1]! + 64) j++;
        parts.push(await this.src.read(positions[i]!, (j - i) * 64));
        i = j;
      }
      const out = Buffer.concat(parts);
      if (out.length < want) throw new Error('stream shorter than its size');
      return out.subarray(0, want);
    }
    const sectors = chain(this.fat, entry.start, this.fat.length);
    const needed = sectors.slice(0, Math.ceil(want / this.sectorSize));
    return (await readChain(this.src, this.sectorSize, needed)).subarray(0, want);
  }

  /**
   * `length` bytes of a stream from `offset`, in pieces of at most CHUNK_BYTES: an embedded file
   * is copied out of a large compound file without holding it in memory.
   */
  async *chunks(entry: CompoundEntry, offset: number, length: number): AsyncGenerator<Buffer> {
    const end = Math.min(entry.size, offset + length);
    if (end <= offset) return;
    if (entry.size < this.miniCutoff) {
      yield (await this.read(entry, end)).subarray(offset, end);
      return;
    }
    // Many small reads of one stream (PowerPoint's record headers) walk its chain once.
    let sectors = this.chains.get(entry.start);
    if (!sectors) {
      sectors = chain(this.fat, entry.start, this.fat.length);
      this.chains.set(entry.start, sectors);
    }
    const per = CHUNK_BYTES / this.sectorSize;
    for (let first = Math.floor(offset / this.sectorSize); first * this.sectorSize < end; first += per) {
      const run = sectors.slice(first, first + per);
      if (run.length === 0) throw new Error('stream shorter than its size');
      const bytes = await readChain(this.src, this.sectorSize, run);
      const base = first * this.sectorSize;
      yield bytes.subarray(Math.max(0, offset - base), Math.min(bytes.length, end - base));
    }
  }
}

/** Piece size for copying a stream out (a multiple of both sector sizes). */
const CHUNK_BYTES = 256 * 1024;

function readSector(src: RandomAccess, sectorSize: number, sector: number): Promise<Buffer> {
  return src.read((sector + 1) * sectorSize, sectorSize);
}

async function readChain(src: RandomAccess, sectorSize: number, sectors: readonly number[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  // Runs of consecutive sectors (the usual layout) in one read each.
  for (let i = 0; i < sectors.length; ) {
    let j = i + 1;
    while (j < sectors.length && sectors[j] === sectors[j - 1]! + 1 && j - i < 2048) j++;
    const bytes = await src.read((sectors[i]! + 1) * sectorSize, (j - i) * sectorSize);
    if (bytes.length < (j - i) * sectorSize) throw new Error('sector outside the file');
    parts.push(bytes);
    i = j;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** The sectors of a chain; throws on a loop, a free or out-of-range sector, or more steps than `limit`. */
function chain(table: Uint32Array, start: number, limit: number): number[] {
  const out: number[] = [];
  let s = start;
  while (s !== END_OF_CHAIN) {
    if (s === FREE || s >= table.length) throw new Error('broken sector chain');
    if (out.length >= limit) throw new Error('sector chain loops');
    out.push(s);
    s = table[s]!;
  }
  return out;
}

interface RawEntry {
  readonly name: string;
  /** 1 storage, 2 stream, 5 root; 0 unused. */
  readonly type: number;
  readonly left: number;
  readonly right: number;
  readonly child: number;
  readonly clsid: string;
  readonly start: number;
  readonly size: number;
}

function parseDirectory(bytes: Buffer): RawEntry[] {
  const count = Math.min(Math.floor(bytes.length / 128), MAX_ENTRIES);
  const out: RawEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = bytes.subarray(i * 128, i * 128 + 128);
    const nameLength = Math.min(64, e.readUInt16LE(0x40));
    out.push({
      name: e.toString('utf16le', 0, Math.max(0, nameLength - 2)),
      type: e[0x42]!,
      left: e.readUInt32LE(0x44),
      right: e.readUInt32LE(0x48),
      child: e.readUInt32LE(0x4c),
      clsid: e.subarray(0x50, 0x60).toString('hex'),
      start: e.readUInt32LE(0x74),
      // Version 3 files keep only the low 32 bits; the high ones may hold garbage.
      size: e.readUInt32LE(0x78),
    });
  }
  return out;
}

/** Every storage and stream with its path, walking each storage's sibling tree once. */
function paths(raw: readonly RawEntry[]): CompoundEntry[] {
  const out: CompoundEntry[] = [];
  const seen = new Set<number>();
  const walk = (id: number, prefix: string, depth: number) => {
    const stack = [id];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (i === NO_STREAM || i >= raw.length || seen.has(i)) continue;
      seen.add(i);
      const e = raw[i]!;
      stack.push(e.left, e.right);
      if (e.type === 2) out.push({ path: prefix + e.name, type: 'stream', size: e.size, start: e.start });
      else if (e.type === 1) {
        out.push({ path: `${prefix}${e.name}/`, type: 'storage', size: 0, start: 0 });
        if (depth < 32) walk(e.child, `${prefix}${e.name}/`, depth + 1);
      }
    }
  };
  walk(raw[0]!.child, '', 0);
  return out;
}
