import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { analyseContent } from '../../src/message/content/analyse.js';
import { TempArea } from '../../src/message/temp-area.js';
import { lieAboutSizes, markZipEncrypted, ooxml, peFile, zip } from './builders.js';
import { analyse, blobOf, makeOptions } from './helpers.js';

function tarOf(files: Record<string, Buffer | string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, data] of Object.entries(files)) pack.entry({ name }, Buffer.from(data));
  pack.finalize();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    pack.on('data', (d: unknown) => {
      parts.push(d as Buffer);
    });
    pack.on('error', reject);
    pack.on('end', () => resolve(Buffer.concat(parts)));
  });
}

describe('zip archives', () => {
  it('lists and analyses every member, with ids and locations under the archive', async () => {
    const bytes = await zip({ 'docs/readme.txt': 'hello', 'bin/tool.exe': peFile(), 'report.docx': await ooxml('docm') });
    const report = await analyse(bytes, 'bundle.zip');
    expect(report.detected).toMatchObject({ ext: 'zip', family: 'archive' });
    expect(report.unscannable).toBeNull();
    expect(report.members.map((m) => [m.id, m.location, m.origin, m.depth, m.name, m.declaredType])).toEqual([
      ['2/docs/readme.txt', ['bundle.zip', 'docs/readme.txt'], 'member', 1, 'readme.txt', ''],
      ['2/bin/tool.exe', ['bundle.zip', 'bin/tool.exe'], 'member', 1, 'tool.exe', ''],
      ['2/report.docx', ['bundle.zip', 'report.docx'], 'member', 1, 'report.docx', ''],
    ]);
    expect(report.members[1]!.detected).toMatchObject({ family: 'executable', ext: 'exe', basis: 'magic' });
    expect(report.members[2]!.detected).toMatchObject({ ext: 'docm', macros: true });
    expect(report.members[2]!.nameTricks).toEqual([]);
    expect(report.members[0]!.size).toBe(5);
    expect(report.members[0]!.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('opens nested zips, flat, to the depth limit', async () => {
    const inner = await zip({ 'payload.js': 'WScript.Echo(1)' });
    const middle = await zip({ 'inner.zip': inner });
    const report = await analyse(await zip({ 'middle.zip': middle }), 'outer.zip');
    expect(report.members.map((m) => m.id)).toEqual(['2/middle.zip', '2/middle.zip/inner.zip', '2/middle.zip/inner.zip/payload.js']);
    expect(report.members[2]).toMatchObject({ depth: 3, location: ['outer.zip', 'middle.zip', 'inner.zip', 'payload.js'] });
    expect(report.members[2]!.detected).toMatchObject({ family: 'executable', basis: 'name' });
  });

  it('stops at the depth limit: zips nested six deep are unscannable with a limit of five', async () => {
    let bytes = await zip({ 'deepest.txt': 'bottom' });
    for (let level = 6; level >= 1; level -= 1) bytes = await zip({ [`level${level}.zip`]: bytes });
    const report = await analyse(bytes, 'outer.zip');
    const tooDeep = report.members.filter((m) => m.unscannable?.includes('nested too deep'));
    expect(tooDeep.map((m) => m.depth)).toEqual([5]);
    expect(report.members.some((m) => m.name === 'deepest.txt')).toBe(false);
    expect(report.members.find((m) => m.depth === 5)).toMatchObject({ name: 'level5.zip' });
    expect(Math.max(...report.members.map((m) => m.depth))).toBe(5);
    const shallow = await analyse(bytes, 'outer.zip', makeOptions({ maxDepth: 10 }));
    expect(shallow.members.some((m) => m.name === 'deepest.txt')).toBe(true);
    expect(shallow.members.every((m) => m.unscannable === null)).toBe(true);
  });

  it('stops a zip bomb at the ratio limit, quickly, and marks the archive', async () => {
    const bomb = await zip({ 'zeros.bin': Buffer.alloc(50 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(100 * 1024);
    const started = performance.now();
    const report = await analyse(bomb, 'bomb.zip');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(report.unscannable).toMatch(/^zip bomb: ratio [\d.]+:1 exceeds 100/);
    expect(report.members[0]).toMatchObject({ name: 'zeros.bin', sha256: '' });
    expect(report.members[0]!.unscannable).toMatch(/zip bomb/);
  });

  it('does not trust sizes in headers: a bomb that claims to be small is counted as it inflates', async () => {
    const honest = await zip({ 'zeros.bin': Buffer.alloc(30 * 1024 * 1024) });
    const report = await analyse(lieAboutSizes(honest, 1000), 'liar.zip');
    expect(report.unscannable).not.toBeNull();
    expect(report.members.every((m) => m.size <= 1000 || m.sha256 === '')).toBe(true);
  });

  it('stops at the total expanded size and at the member count', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 6; i += 1) files[`r${i}.bin`] = randomBytes(300 * 1024);
    const big = await analyse(await zip(files), 'big.zip', makeOptions({ maxExpandedBytes: 1024 * 1024 }));
    expect(big.unscannable).toMatch(/expanded size exceeds the limit of 1048576 bytes/);
    const many: Record<string, string> = {};
    for (let i = 0; i < 30; i += 1) many[`f${i}.txt`] = `file ${i}`;
    const count = await analyse(await zip(many), 'many.zip', makeOptions({ maxMembers: 10 }));
    expect(count.unscannable).toBe('more than 10 archive members');
    expect(count.members).toHaveLength(10);
  });

  it('counts encrypted members unscannable, and still judges their names', async () => {
    const bytes = markZipEncrypted(await zip({ 'invoice.pdf.exe': peFile(), 'notes.txt': 'x'.repeat(100) }));
    const report = await analyse(bytes, 'locked.zip');
    expect(report.detected.encrypted).toBe(true);
    expect(report.unscannable).toMatch(/encrypted zip member \(invoice\.pdf\.exe\)/);
    const exe = report.members.find((m) => m.name === 'invoice.pdf.exe')!;
    expect(exe.detected).toMatchObject({ family: 'executable', basis: 'name', encrypted: true });
    expect(exe.unscannable).toBe('encrypted zip member');
  });

  it('treats a zip-slip name as just a name', async () => {
    // yazl refuses such names, so write placeholders of the same length and patch the bytes.
    let bytes = await zip({ 'xx/xx/evil.sh': '#!/bin/sh\n', 'Cx/temp/x.txt': 'x' });
    bytes = Buffer.from(bytes.toString('latin1').replaceAll('xx/xx/evil.sh', '../../evil.sh').replaceAll('Cx/temp/x.txt', 'C:\\temp\\x.txt'), 'latin1');
    const report = await analyse(bytes, 'slip.zip');
    expect(report.unscannable).toBeNull();
    expect(report.members.map((m) => [m.location[1], m.name])).toEqual([
      ['../../evil.sh', 'evil.sh'],
      ['C:/temp/x.txt', 'x.txt'],
    ]);
    expect(report.members[0]!.detected.family).toBe('executable');
  });

  it('turns garbage after a zip signature into a reason', async () => {
    const report = await analyse(Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(2000)]), 'junk.zip');
    expect(report.unscannable).toMatch(/^cannot open zip/);
  });

  it('extracts large members to bounded temp files and removes them', async () => {
    const options = makeOptions({}, { memoryPartBytes: 64 * 1024 });
    const big = randomBytes(400 * 1024);
    const temp = new TempArea('', options.inspection.tempQuotaBytes);
    try {
      const bytes = await zip({ 'big.bin': big, 'small.txt': 'tiny' });
      const report = await analyseContent(
        { blob: blobOf(bytes), name: 'a.zip', declaredType: 'application/zip', id: '1', location: ['a.zip'], depth: 0 },
        { options, temp },
      );
      expect(report.members[0]).toMatchObject({ size: big.length });
      expect(report.members[0]!.sha256).toBe((await import('node:crypto')).createHash('sha256').update(big).digest('hex'));
      expect(temp.bytesUsed).toBe(0);
      const quota = new TempArea('', 100 * 1024);
      try {
        const limited = await analyseContent(
          { blob: blobOf(bytes), name: 'a.zip', declaredType: 'application/zip', id: '1', location: ['a.zip'], depth: 0 },
          { options, temp: quota },
        );
        expect(limited.unscannable).toMatch(/temporary space quota/);
      } finally {
        await quota.dispose();
      }
    } finally {
      await temp.dispose();
    }
  });

  it('opens a zip held in a temp file (blob.path) the same way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-zip-'));
    try {
      const bytes = await zip({ 'a/b.vbs': 'MsgBox 1', 'c.txt': 'hello' });
      const path = join(dir, 'part');
      await writeFile(path, bytes);
      const blob = { ...blobOf(bytes), buffer: null, path };
      const report = await analyse(bytes, 'disk.zip', undefined, blob);
      expect(report.members.map((m) => [m.name, m.detected.family])).toEqual([
        ['b.vbs', 'executable'],
        ['c.txt', 'text'],
      ]);
      expect(readdirSync(dir)).toEqual(['part']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('gzip and tar', () => {
  it('opens tar, gzip and tar.gz, members analysed', async () => {
    const t = await tarOf({ 'logs/app.log': 'line\n', 'bin/run.ps1': 'Write-Host hi' });
    const tarReport = await analyse(t, 'bundle.tar');
    expect(tarReport.detected).toMatchObject({ ext: 'tar', family: 'archive' });
    expect(tarReport.members.map((m) => [m.id, m.detected.family])).toEqual([
      ['2/logs/app.log', 'text'],
      ['2/bin/run.ps1', 'executable'],
    ]);
    const tgz = await analyse(gzipSync(t), 'bundle.tar.gz');
    expect(tgz.detected).toMatchObject({ ext: 'gz', family: 'archive' });
    expect(tgz.members.map((m) => m.id)).toEqual(['2/bundle.tar', '2/bundle.tar/logs/app.log', '2/bundle.tar/bin/run.ps1']);
    expect(tgz.members[0]!.detected.ext).toBe('tar');
    const gz = await analyse(gzipSync(peFile()), 'tool.exe.gz');
    expect(gz.members[0]).toMatchObject({ name: 'tool.exe', depth: 1 });
    expect(gz.members[0]!.detected).toMatchObject({ family: 'executable', basis: 'magic' });
  });

  it('stops a gzip bomb while inflating', async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024));
    const started = performance.now();
    const report = await analyse(bomb, 'zeros.gz');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(report.unscannable).toMatch(/^zip bomb: ratio [\d.]+:1 exceeds 100/);
  });

  it('turns a truncated gzip into a reason', async () => {
    const cut = gzipSync(randomBytes(100_000)).subarray(0, 5000);
    expect((await analyse(cut, 'cut.gz')).unscannable).toMatch(/gzip|unexpected end/i);
  });
});
