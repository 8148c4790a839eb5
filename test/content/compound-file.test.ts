/**
 * The in-place compound file reader against `cfb`, which parses the whole file: the same entries,
 * the same root class id, the same bytes in every stream (mini streams, regular ones, a FAT big
 * enough to need DIFAT sectors), the same classification; and hostile files end in an error,
 * never a hang.
 */
import * as CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import { bufferSource, CompoundFile } from '../../src/message/content/compound-file.js';
import { classifyCfb, inspectCfb } from '../../src/message/content/office-cfb.js';
import { biffWorkbook, cfbFile, docSummaryWithCustom, outlookMsg, wordFib } from './builders.js';
import { OPTIONS } from './helpers.js';

/** Entries and stream bytes as `cfb` sees them: path (below the root) -> bytes, or null for a storage. */
function byCfb(bytes: Buffer): { entries: Map<string, Buffer | null>; clsid: string } {
  const c = CFB.parse(bytes, { type: 'buffer' });
  const entries = new Map<string, Buffer | null>();
  c.FullPaths.forEach((full, i) => {
    const path = full.replace(/^[^/]*\//, '');
    const e = c.FileIndex[i]!;
    if (path === '') return;
    entries.set(path, e.type === 2 ? Buffer.from((e.content ?? new Uint8Array()) as Uint8Array) : null);
  });
  return { entries, clsid: c.FileIndex[0]?.clsid ?? '' };
}

async function inPlace(bytes: Buffer): Promise<{ entries: Map<string, Buffer | null>; clsid: string }> {
  const file = await CompoundFile.open(bufferSource(bytes));
  const entries = new Map<string, Buffer | null>();
  for (const e of file.entries) entries.set(e.path, e.type === 'stream' ? await file.read(e, Number.MAX_SAFE_INTEGER) : null);
  return { entries, clsid: file.rootClsid };
}

function noise(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    b[i] = s >> 16;
  }
  return b;
}

const CORPUS: Record<string, () => Buffer> = {
  'Word 97': () => cfbFile({ WordDocument: wordFib(), '1Table': Buffer.alloc(64) }),
  'Word with macros and labels': () =>
    cfbFile({
      WordDocument: wordFib(true),
      'Macros/VBA/dir': Buffer.alloc(32, 1),
      'Macros/PROJECT': 'ID=x',
      '\u0005DocumentSummaryInformation': docSummaryWithCustom({ Classification: 'OFFICIAL-SENSITIVE' }),
    }),
  'Excel with an XLM sheet and FILEPASS': () => cfbFile({ Workbook: biffWorkbook({ filepass: true, macroSheet: true }), '_VBA_PROJECT_CUR/VBA/dir': Buffer.alloc(32, 1) }),
  'PowerPoint, encrypted': () => cfbFile({ 'PowerPoint Document': Buffer.alloc(64), EncryptedSummary: Buffer.alloc(16) }),
  'encrypted OOXML': () => cfbFile({ EncryptionInfo: Buffer.alloc(64, 4), EncryptedPackage: Buffer.alloc(4096, 9) }),
  'MSI by class id': () => cfbFile({ '\u0005SummaryInformation': Buffer.alloc(64) }, '84100c000000000000c0000000000046'),
  'MSI by tables': () => cfbFile({ '\u0005SummaryInformation': Buffer.alloc(64), '\u4840\u3f3f\u4577\u446c': Buffer.alloc(16) }),
  'Outlook message': () => outlookMsg({ subject: 's', body: 'b', attachments: [{ name: 'a.bin', data: noise(70_000, 3) }] }),
  'streams at the mini-stream edges': () =>
    cfbFile({ empty: Buffer.alloc(0), one: Buffer.alloc(1, 1), s63: noise(63, 1), s64: noise(64, 2), s4095: noise(4095, 3), s4096: noise(4096, 4), 'deep/er/still/x': noise(100_000, 5) }),
  // 9 MB: the FAT needs more than the header's 109 sectors, so DIFAT sectors are followed.
  'a FAT with DIFAT sectors': () => cfbFile({ WordDocument: Buffer.concat([wordFib(), noise(9_000_000, 6)]), small: noise(100, 7) }),
};

describe('CompoundFile (in place) against cfb (whole)', () => {
  for (const [name, build] of Object.entries(CORPUS)) {
    it(`reads the same entries and bytes: ${name}`, async () => {
      const bytes = build();
      const want = byCfb(bytes);
      const got = await inPlace(bytes);
      expect([...got.entries.keys()].sort()).toEqual([...want.entries.keys()].sort());
      for (const [path, content] of want.entries) {
        const mine = got.entries.get(path);
        if (content === null) expect(mine).toBeNull();
        else expect(mine?.equals(content), path).toBe(true);
      }
      expect(got.clsid).toBe(want.clsid);
    });

    it(`classifies the same: ${name}`, async () => {
      const bytes = build();
      const { markings } = OPTIONS;
      const { rewritten: _rewritten, view: _view, ...whole } = await inspectCfb(bytes, markings, 'attachment:x');
      const file = await CompoundFile.open(bufferSource(bytes));
      const byPath = new Map(file.entries.map((e) => [e.path, e]));
      const view = {
        paths: file.entries.map((e) => e.path),
        rootClsid: file.rootClsid,
        stream: async (p: string, max: number) => {
          const e = byPath.get(p);
          return e?.type === 'stream' ? file.read(e, max) : null;
        },
      };
      expect(await classifyCfb(view, markings, 'attachment:x')).toEqual(whole);
    });
  }

  it('reads only the start of a stream when asked', async () => {
    const big = noise(300_000, 9);
    const file = await CompoundFile.open(bufferSource(cfbFile({ WordDocument: big })));
    const entry = file.entries.find((e) => e.path === 'WordDocument')!;
    expect((await file.read(entry, 512)).equals(big.subarray(0, 512))).toBe(true);
  });
});

describe('CompoundFile on hostile input', () => {
  const word = () => cfbFile({ WordDocument: Buffer.concat([wordFib(), noise(50_000, 11)]), '\u0005DocumentSummaryInformation': docSummaryWithCustom({ a: 'b' }) });

  async function readAll(bytes: Buffer): Promise<void> {
    const file = await CompoundFile.open(bufferSource(bytes));
    for (const e of file.entries) if (e.type === 'stream') await file.read(e, Number.MAX_SAFE_INTEGER);
  }

  it('refuses what is not a compound file, or a truncated one', async () => {
    await expect(CompoundFile.open(bufferSource(Buffer.from('PK\u0003\u0004 not a cfb')))).rejects.toThrow(/not a compound file/);
    const bytes = word();
    await expect(readAll(bytes.subarray(0, Math.floor(bytes.length / 2)))).rejects.toThrow();
  });

  it('stops on a FAT chain that loops', async () => {
    const bytes = Buffer.from(word());
    const shift = bytes.readUInt16LE(0x1e);
    const fatSector = bytes.readUInt32LE(0x4c);
    const file = await CompoundFile.open(bufferSource(bytes));
    const stream = file.entries.find((e) => e.path === 'WordDocument')!;
    // Point the stream's first sector back at itself.
    bytes.writeUInt32LE(stream.start, ((fatSector + 1) << shift) + stream.start * 4);
    await expect(readAll(bytes)).rejects.toThrow(/loops|broken/);
  });

  it('ends on a directory whose siblings point at each other', async () => {
    const bytes = Buffer.from(word());
    const shift = bytes.readUInt16LE(0x1e);
    const dirAt = (bytes.readUInt32LE(0x30) + 1) << shift;
    // Entry 1 and 2 name each other as left and right siblings.
    bytes.writeUInt32LE(2, dirAt + 128 + 0x44);
    bytes.writeUInt32LE(1, dirAt + 256 + 0x48);
    const file = await CompoundFile.open(bufferSource(bytes));
    expect(file.entries.length).toBeLessThanOrEqual(4);
  });

  it('refuses a header claiming a FAT bigger than the file', async () => {
    const bytes = Buffer.from(word());
    bytes.writeUInt32LE(5_000_000, 0x2c);
    await expect(CompoundFile.open(bufferSource(bytes))).rejects.toThrow(/FAT larger than the file/);
  });
});
