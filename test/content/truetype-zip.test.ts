/**
 * Zips read the way 7-Zip and WinRAR read them: junk in front, archives glued together, local entries the
 * central directory does not list. Every member found is inspected, and an ordinary zip (including one that
 * stores another zip) reads exactly as before.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pdfLetter } from '../../scripts/fixture-lib/pdf-files.js';
import { openZip } from '../../src/message/content/zip-file.js';
import { ooxml, peFile, zip } from './builders.js';
import { analyse, blobOf, makeOptions } from './helpers.js';

const exeNames = (r: Awaited<ReturnType<typeof analyse>>) =>
  r.members.filter((m) => m.detected.family === 'executable').map((m) => m.location.join(' > '));

/** Insert a local entry (header and data of `extra`'s first member) just before `base`'s central directory. */
function hideLocalEntry(base: Buffer, extra: Buffer): Buffer {
  const eocd = base.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cdOffset = base.readUInt32LE(eocd + 16);
  const extraCd = extra.readUInt32LE(extra.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) + 16);
  const hidden = extra.subarray(0, extraCd);
  const out = Buffer.concat([base.subarray(0, cdOffset), hidden, base.subarray(cdOffset)]);
  out.writeUInt32LE(cdOffset + hidden.length, eocd + hidden.length + 16);
  return out;
}

describe('zip structure a permissive extractor reads', () => {
  it('an ordinary zip has no anomalies, and a stored zip inside stays one member', async () => {
    const inner = await zip({ 'tool.exe': { data: peFile(), compress: false } });
    const outer = await zip({ 'readme.txt': 'hello', 'inner.zip': { data: inner, compress: false } });
    const handle = await openZip(blobOf(outer));
    try {
      expect(handle.anomalies).toEqual([]);
      expect(handle.entries.map((e) => e.name)).toEqual(['readme.txt', 'inner.zip']);
    } finally {
      handle.close();
    }
    const report = await analyse(outer, 'bundle.zip');
    expect(report.unscannable).toBeNull();
    expect(exeNames(report)).toEqual(['bundle.zip > inner.zip > tool.exe']);
  });

  it('finds the program behind junk in front of the archive', async () => {
    const bytes = Buffer.concat([Buffer.from('GARBAGE'.repeat(300)), await zip({ 'invoice.exe': peFile() })]);
    const report = await analyse(bytes, 'invoice.zip');
    expect(report.detected).toMatchObject({ family: 'archive', ext: 'zip' });
    expect(exeNames(report)).toEqual(['invoice.zip > invoice.exe']);
  });

  it('reads both archives of two glued together, the program in the first one', async () => {
    const first = await zip({ 'setup.exe': peFile(), 'a.txt': 'one' });
    const second = await zip({ 'letter.txt': 'Dear Sir' });
    const handle = await openZip(blobOf(Buffer.concat([first, second])));
    try {
      expect(handle.anomalies.join('; ')).toMatch(/end-of-central-directory records|outside the central directory|central directory unreadable/);
      expect(handle.entries.map((e) => e.name)).toEqual(['setup.exe', 'a.txt', 'letter.txt']);
    } finally {
      handle.close();
    }
    const report = await analyse(Buffer.concat([first, second]), 'letters.zip');
    expect(exeNames(report)).toEqual(['letters.zip > setup.exe']);
    expect(report.unscannable).toBeNull();
  });

  it('reads both when the program is in the last one too', async () => {
    const bytes = Buffer.concat([await zip({ 'letter.txt': 'Dear Sir' }), await zip({ 'run.exe': peFile() })]);
    const report = await analyse(bytes, 'letters.zip');
    expect(report.members.map((m) => m.name)).toEqual(['letter.txt', 'run.exe']);
  });

  it('finds a local entry the central directory does not list', async () => {
    const bytes = hideLocalEntry(await zip({ 'letter.txt': 'Dear Sir' }), await zip({ 'hidden.exe': peFile() }));
    const handle = await openZip(blobOf(bytes));
    try {
      expect(handle.anomalies).toContain('1 local entries outside the central directory');
    } finally {
      handle.close();
    }
    expect(exeNames(await analyse(bytes, 'letters.zip'))).toEqual(['letters.zip > hidden.exe']);
  });

  it('opens what is glued after an Office document', async () => {
    const bytes = Buffer.concat([await ooxml('docx'), await zip({ 'payload.exe': peFile() })]);
    const report = await analyse(bytes, 'report.docx');
    expect(report.detected).toMatchObject({ ext: 'docx' });
    expect(exeNames(report)).toEqual(['report.docx > payload.exe']);
  });

  it('salvages a zip read from its temp file the same way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-zip-'));
    try {
      const bytes = Buffer.concat([Buffer.alloc(5000, 0x20), await zip({ 'a.txt': 'x', 'b.exe': peFile() }), await zip({ 'c.txt': 'y' })]);
      const path = join(dir, 'z.bin');
      await writeFile(path, bytes);
      const blob = { ...blobOf(bytes), buffer: null, path };
      const report = await analyse(bytes, 'files.zip', makeOptions(), blob);
      expect(report.members.map((m) => m.name)).toEqual(['a.txt', 'b.exe', 'c.txt']);
      expect(exeNames(report)).toEqual(['files.zip > b.exe']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a truncated zip with local entries only is still read', async () => {
    const whole = await zip({ 'a.txt': 'x', 'b.exe': peFile() });
    const cd = whole.readUInt32LE(whole.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) + 16);
    const report = await analyse(whole.subarray(0, cd), 'cut.zip');
    expect(exeNames(report)).toEqual(['cut.zip > b.exe']);
  });
});

describe('a picture with a zip glued on', () => {
  const gifThenZip = async () =>
    Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.alloc(200, 1), await zip({ 'run.exe': peFile() })]);

  it('named .zip opens in an extractor: the program is found', async () => {
    const report = await analyse(await gifThenZip(), 'photos.zip');
    expect(exeNames(report)).toEqual(['photos.zip > run.exe']);
  });

  it('named .gif stays a picture, and the program glued to it is still found', async () => {
    const report = await analyse(await gifThenZip(), 'photo.gif');
    expect(report.detected).toMatchObject({ family: 'image', ext: 'gif' });
    expect(exeNames(report)).toEqual(['photo.gif > run.exe']);
  });

  it('a PDF with a zip glued on is scanned as a PDF and its zip opened', async () => {
    const report = await analyse(Buffer.concat([pdfLetter(['Dear Sir']), await zip({ 'run.exe': peFile() })]), 'letter.pdf');
    expect(report.detected).toMatchObject({ family: 'pdf' });
    expect(exeNames(report)).toEqual(['letter.pdf > run.exe']);
  });

  it('an ordinary picture has no members', async () => {
    const report = await analyse(Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.alloc(200, 1)]), 'photo.gif');
    expect(report.members).toEqual([]);
    expect(report.unscannable).toBeNull();
  });
});
