/**
 * Office files are containers: what an OOXML package, an OpenDocument file or a legacy compound
 * file carries (embedded objects, packaged files, media, archives, other Office files) is analysed
 * like an archive member, in memory and from a temp file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyDoc, legacyXls } from '../../scripts/fixture-lib/cfb-files.js';
import { peExe } from '../../scripts/fixture-lib/executables.js';
import { photoPng } from '../../scripts/fixture-lib/media.js';
import { legacyPpt, objectPool, odt, packageObjectBin, packagerNative, packagerObjectBin, packagerStreams, pptx, rtfWithObjects } from '../../scripts/fixture-lib/office-objects.js';
import { docx, xlsx } from '../../scripts/fixture-lib/ooxml.js';
import { zipBuffer } from '../../scripts/fixture-lib/zip.js';
import { parseOle10Native } from '../../src/message/content/ole-objects.js';
import { WHOLE_READ_BUDGET_BYTES, wholeReads } from '../../src/message/content/whole-read-budget.js';
import { cfbFile, zip } from './builders.js';
import type { ContentReport } from '../../src/message/content/analyse.js';
import { analyse, blobOf, makeOptions } from './helpers.js';

const invoice = { label: 'Invoice 0325.pdf', sourcePath: 'C:\\Users\\clerk\\Desktop\\invoice.exe', data: peExe('Invoice') };

const paths = (r: ContentReport) => r.members.map((m) => m.location.slice(1).join(' > '));
const byName = (r: ContentReport, name: string) => r.members.find((m) => m.name === name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'office-embedded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The same bytes as a spilled part: in a temp file, not in memory. */
async function spilled(bytes: Buffer, name: string): Promise<ContentReport> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
  await writeFile(path, bytes);
  return analyse(bytes, name, makeOptions(), { ...blobOf(bytes), buffer: null, path });
}

describe('OOXML packages are opened', () => {
  it('finds a program packaged under an innocent label in word/embeddings', async () => {
    const bytes = await docx({ paragraphs: ['Please pay'], parts: [{ path: 'embeddings/oleObject1.bin', data: packagerObjectBin(invoice), kind: 'oleObject' }] });
    for (const report of [await analyse(bytes, 'report.docx'), await spilled(bytes, 'report.docx')]) {
      expect(report.detected).toMatchObject({ ext: 'docx', family: 'word' });
      expect(paths(report)).toEqual(['word/embeddings/oleObject1.bin > invoice.exe']);
      expect(byName(report, 'invoice.exe')?.detected).toMatchObject({ family: 'executable', ext: 'exe' });
      expect(report.unscannable).toBeNull();
    }
  });

  it('judges a packaged script by the name it was packaged under', async () => {
    const js = { label: 'Read me.txt', sourcePath: 'C:\\tmp\\readme.js', data: Buffer.from('WScript.Shell.Run("calc")\r\n') };
    const report = await analyse(await docx({ paragraphs: ['x'], parts: [{ path: 'embeddings/oleObject1.bin', data: packagerObjectBin(js), kind: 'oleObject' }] }), 'a.docx');
    expect(byName(report, 'readme.js')?.detected.family).toBe('executable');
  });

  it('finds a batch file in a zip in an xlsx, and a program loose in the package', async () => {
    const zipped = await zipBuffer([{ path: 'tools/run.bat', data: Buffer.from('@echo off\r\nstart calc\r\n') }]);
    const report = await analyse(
      await xlsx({ rows: [['a']], parts: [{ path: 'embeddings/tools.zip', data: zipped, kind: 'package' }, { path: 'media/image9.png', data: peExe(), kind: 'image' }] }),
      'book.xlsx',
    );
    expect(paths(report)).toEqual(['xl/embeddings/tools.zip', 'xl/embeddings/tools.zip > tools/run.bat', 'xl/media/image9.png']);
    expect(byName(report, 'run.bat')?.detected.family).toBe('executable');
    expect(byName(report, 'image9.png')?.detected.family).toBe('executable');
  });

  it('lists media and embedded Office files, not the package parts', async () => {
    const inner = await xlsx({ rows: [['Budget', 100]] });
    const report = await analyse(
      await docx({
        paragraphs: ['Report'],
        parts: [
          { path: 'media/image1.png', data: photoPng(40, 30), kind: 'image' },
          { path: 'embeddings/Microsoft_Excel_Worksheet.xlsx', data: inner, kind: 'package' },
          { path: 'embeddings/oleObject2.bin', data: packageObjectBin(inner), kind: 'oleObject' },
        ],
      }),
      'report.docx',
    );
    expect(paths(report)).toEqual(['word/media/image1.png', 'word/embeddings/Microsoft_Excel_Worksheet.xlsx', 'word/embeddings/oleObject2.bin > Package']);
    expect(report.members.map((m) => m.detected.ext)).toEqual(['png', 'xlsx', 'xlsx']);
    expect(report.unscannable).toBeNull();
  });

  it('does not list what the package is made of: fonts, printer settings, previews, the VBA project', async () => {
    const emf = Buffer.alloc(128);
    emf.writeUInt32LE(1, 0);
    emf.writeUInt32LE(0x464d4520, 40);
    const report = await analyse(
      await docx({
        paragraphs: ['x'],
        parts: [
          { path: 'fonts/font1.odttf', data: Buffer.from([...Array(400).keys()].map((i) => (i * 37) & 0xff)), kind: 'image' },
          { path: 'printerSettings/printerSettings1.bin', data: Buffer.alloc(300, 3), kind: 'image' },
          { path: 'media/image1.emf', data: emf, kind: 'image' },
          { path: 'embeddings/oleObject1.bin', data: packageObjectBin(await xlsx({ rows: [['a']] })), kind: 'oleObject' },
        ],
      }),
      'a.docx',
    );
    expect(paths(report)).toEqual(['word/embeddings/oleObject1.bin > Package']);
    const thumb = await analyse(await zip({ '[Content_Types].xml': '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>', 'word/document.xml': '<w:document/>', 'docProps/thumbnail.jpeg': photoPng(10, 10) }), 'b.docx');
    expect(thumb.members).toEqual([]);
  });

  it('finds a program hiding under an XML part name', async () => {
    const report = await analyse(await zip({ '[Content_Types].xml': '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>', 'word/document.xml': '<w:document/>', 'word/styles.xml': peExe() }), 'c.docx');
    expect(paths(report)).toEqual(['word/styles.xml']);
    expect(report.members[0]?.detected.family).toBe('executable');
  });

  it('says which member could not be read', async () => {
    const broken = packagerObjectBin(invoice);
    const report = await analyse(await docx({ paragraphs: ['x'], parts: [{ path: 'embeddings/oleObject1.bin', data: broken.subarray(0, 1000), kind: 'oleObject' }] }), 'a.docx');
    const member = report.members.find((m) => m.unscannable !== null);
    expect(member?.location.slice(1)).toEqual(['word/embeddings/oleObject1.bin']);
  });

  it('opens a pptx the same way', async () => {
    const report = await analyse(await pptx('Slides', [{ path: 'ppt/embeddings/oleObject1.bin', data: packagerObjectBin(invoice) }]), 'deck.pptx');
    expect(report.detected.ext).toBe('pptx');
    expect(byName(report, 'invoice.exe')?.detected.family).toBe('executable');
  });
});

describe('OpenDocument', () => {
  it('is office-other, with its pictures, objects and Basic macros', async () => {
    const report = await analyse(
      await odt({ paragraphs: ['Hello'], pictures: [['photo.png', photoPng(20, 20)]], objects: [['Object 1', packagerObjectBin(invoice)]], basic: 'Sub Main\nEnd Sub' }),
      'letter.odt',
    );
    expect(report.detected).toMatchObject({ ext: 'odt', family: 'office-other', macros: true });
    expect(paths(report)).toEqual(['Pictures/photo.png', 'Object 1 > invoice.exe']);
  });
});

describe('legacy compound files', () => {
  it('finds a program in a Word ObjectPool, in memory and in place', async () => {
    const bytes = legacyDoc({ text: 'Pay me', streams: objectPool(1, (p) => packagerStreams(p, invoice)) });
    for (const report of [await analyse(bytes, 'old.doc'), await spilled(bytes, 'old.doc')]) {
      expect(report.detected).toMatchObject({ ext: 'doc', family: 'word' });
      expect(paths(report)).toEqual(['ObjectPool/_1493700001/invoice.exe']);
      expect(report.members[0]?.detected.family).toBe('executable');
    }
  });

  it('gives the whole-read budget back after copying out an embedded storage', async () => {
    const xls = legacyXls({ sheetName: 'S', cells: ['a'] });
    const bytes = legacyDoc({ text: 'x', streams: [['ObjectPool/_9/Workbook', xls.subarray(0, 600)], ['ObjectPool/_9/\u0001CompObj', Buffer.alloc(40)]] });
    const report = await spilled(bytes, 'old.doc');
    expect(paths(report)).toEqual(['ObjectPool/_9']);
    expect(wholeReads.free).toBe(WHOLE_READ_BUDGET_BYTES);
  });

  it('copies out an embedded workbook storage and looks inside it too', async () => {
    const xls = legacyXls({ sheetName: 'Sheet1', cells: ['a'] });
    // An xls storage in the ObjectPool, itself holding a packaged program in an MBD storage.
    const CFB = await import('cfb');
    const parsed = CFB.read(xls, { type: 'buffer' });
    const streams: (readonly [string, Buffer])[] = [];
    parsed.FullPaths.forEach((full, i) => {
      const e = parsed.FileIndex[i];
      if (e?.type === 2 && e.content) streams.push([`ObjectPool/_7/${full.replace(/^[^/]*\//, '')}`, Buffer.from(e.content as Uint8Array)]);
    });
    streams.push(...packagerStreams('ObjectPool/_7/MBD0001/', invoice));
    const bytes = legacyDoc({ text: 'x', streams });
    for (const report of [await analyse(bytes, 'old.doc'), await spilled(bytes, 'old.doc')]) {
      expect(paths(report)).toEqual(['ObjectPool/_7', 'ObjectPool/_7 > MBD0001/invoice.exe']);
      expect(report.members[0]?.detected.ext).toBe('xls');
      expect(report.members[1]?.detected.family).toBe('executable');
    }
  });
});

describe('Equation Editor objects', () => {
  it('are unscannable: their parser was exploited and the editor is gone', async () => {
    const object = cfbFile({ 'Equation Native': Buffer.alloc(200, 0x1c), '\u0001CompObj': Buffer.alloc(40) });
    const report = await analyse(await docx({ paragraphs: ['x'], parts: [{ path: 'embeddings/oleObject1.bin', data: object, kind: 'oleObject' }] }), 'maths.docx');
    expect(report.members.map((m) => m.unscannable)).toContainEqual(expect.stringMatching(/^Equation Editor 3\.0 object/));
  });
});

describe('RTF objects', () => {
  it('finds a packaged program, an embedded Word document and an Equation Editor object', async () => {
    const rtf = rtfWithObjects('Please see below.', [
      ['Package', packagerNative(invoice)],
      ['Word.Document.8', legacyDoc({ text: 'inner' })],
      ['Equation.3', Buffer.alloc(64, 0x1c)],
    ]);
    for (const report of [await analyse(rtf, 'letter.rtf'), await spilled(rtf, 'letter.rtf')]) {
      expect(report.detected.ext).toBe('rtf');
      expect(paths(report)).toEqual(['object 1/invoice.exe', 'object 2 (Word.Document.8)', 'object 3 (Equation.3)']);
      expect(report.members.map((m) => m.detected.family)).toEqual(['executable', 'word', 'unknown']);
      expect(report.members[2]?.unscannable).toMatch(/Equation Editor/);
    }
  });

  it('reads hex that is broken up with control words and groups, as Word does', async () => {
    const rtf = rtfWithObjects('x', [['Package', packagerNative(invoice)]]);
    const text = rtf.toString('latin1');
    const at = text.indexOf('\\objdata') + 40;
    const mangled = Buffer.from(`${text.slice(0, at)}\\bin0 {\\*\\junk 4142}\t${text.slice(at)}`, 'latin1');
    const report = await analyse(mangled, 'letter.rtf');
    expect(byName(report, 'invoice.exe')?.detected.family).toBe('executable');
  });

  it('calls an object whose sizes point past its end unreadable', async () => {
    const rtf = rtfWithObjects('x', [['Package', packagerNative(invoice)]]);
    const cut = Buffer.from(rtf.toString('latin1').replace(/(objdata \r\n)([0-9a-f\r\n]{400})[0-9a-f\r\n]+/, '$1$2'), 'latin1');
    const report = await analyse(cut, 'letter.rtf');
    expect(report.unscannable).toMatch(/unreadable RTF object/);
  });

  it('leaves RTF without objects alone', async () => {
    const report = await analyse(Buffer.from('{\\rtf1\\ansi Hello\\par}'), 'plain.rtf');
    expect(report.members).toEqual([]);
    expect(report.unscannable).toBeNull();
  });
});

describe('legacy PowerPoint', () => {
  it('finds a packaged program in an ExOleObjStg record, in memory and in place', async () => {
    const bytes = legacyPpt([packagerObjectBin(invoice)]);
    for (const report of [await analyse(bytes, 'deck.ppt'), await spilled(bytes, 'deck.ppt')]) {
      expect(report.detected.ext).toBe('ppt');
      expect(paths(report)).toEqual(['PowerPoint Document/object 1 > invoice.exe']);
      expect(byName(report, 'invoice.exe')?.detected.family).toBe('executable');
    }
  });

  it('calls an object record that runs past its stream unreadable', async () => {
    const bytes = Buffer.from(legacyPpt([packagerObjectBin(invoice)]));
    const at = bytes.indexOf(Buffer.from([0x10, 0x00, 0x11, 0x10]));
    bytes.writeUInt32LE(0x7fffff00, at + 4);
    const report = await analyse(bytes, 'deck.ppt');
    expect(report.unscannable).toMatch(/object record claims/);
  });
});

describe('Ole10Native', () => {
  it('refuses length fields that point outside the stream', () => {
    const ok = Buffer.concat([Buffer.from([8, 0, 0, 0]), Buffer.from('raw data')]);
    expect(parseOle10Native(ok, ok.length)).toEqual({ offset: 4, length: 8, name: null });
    const huge = Buffer.from(ok);
    huge.writeUInt32LE(0xfffffff0, 0);
    expect(() => parseOle10Native(huge, huge.length)).toThrow(/claims 4294967280 bytes/);
  });
});
