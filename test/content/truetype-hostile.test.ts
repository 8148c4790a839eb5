/**
 * Hostile PDFs and zips for the true-type readers: each ends in a finding within seconds, never a hang,
 * a crash or memory out of bounds. The last two go through the whole `mailwarden check` path.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdfDocument, pdfWithLaunch } from '../../scripts/fixture-lib/pdf-files.js';
import { checkMessage } from '../../src/cli/check.js';
import { defaultPolicyPath, loadPolicy } from '../../src/config/load-policy.js';
import { toStream } from '../helpers/hostile.js';
import { peFile, zip } from './builders.js';
import { analyse } from './helpers.js';

const END_RECORD = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

describe('hostile PDFs', () => {
  it('a million objects: stops at the object limit, unscannable, in seconds', async () => {
    const objects: string[] = ['%PDF-1.7\n'];
    for (let i = 1; i <= 1_000_000; i += 1) objects.push(`${i} 0 obj <</Type /X /N ${i}>> endobj\n`);
    const bytes = Buffer.from(objects.join(''), 'latin1');
    const { value: report, ms } = await timed(() => analyse(bytes, 'big.pdf'));
    expect(report.detected.ext).toBe('pdf');
    expect(report.unscannable).toMatch(/more than 500000 objects/);
    expect(ms).toBeLessThan(15_000);
  }, 30_000);

  it('an object stream that extends itself and one that inflates to a bomb', async () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const bytes = pdfDocument([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      { dict: '/Type /ObjStm /N 1 /First 4 /Extends 3 0 R /Filter /FlateDecode', data: deflateSync(Buffer.from('5 0 << /S /Launch /F (calc.exe) >>')) },
      { dict: '/Type /ObjStm /N 1 /First 4 /Extends 4 0 R /Filter /FlateDecode', data: bomb },
    ]);
    const { value: report, ms } = await timed(() => analyse(bytes, 'loop.pdf'));
    expect(report.detected.family).toBe('executable');
    expect(report.unscannable).toMatch(/object stream unreadable/);
    expect(ms).toBeLessThan(5_000);
  });

  it('a broken xref, a missing endobj and a truncated stream still yield what is there', async () => {
    const good = pdfWithLaunch(['x']).toString('latin1');
    const broken = `${good.replace(/endobj\n(?=5 0 obj)/, '').replace(/startxref\n\d+/, 'startxref\n999999999')}6 0 obj << /Filter /FlateDecode /Length 99999 >>\nstream\nx\u009c`;
    const report = await analyse(Buffer.from(broken, 'latin1'), 'broken.pdf');
    expect(report.detected.family).toBe('executable');
  });

  it('an array nested a million deep costs one pass', async () => {
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    const bytes = pdfDocument(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>', `<< /A ${deep} >>`]);
    const { value: report, ms } = await timed(() => analyse(bytes, 'deep.pdf'));
    expect(report.detected).toMatchObject({ family: 'pdf', macros: false });
    expect(ms).toBeLessThan(5_000);
  });

  it('a million #xx escapes and unbalanced strings stay linear', async () => {
    const names = '/J#61vaScript'.repeat(200_000);
    const bytes = pdfDocument(['<< /Type /Catalog >>', `<< /S /JavaScript /JS (${'('.repeat(100_000)} ${names} >>`]);
    const { value: report, ms } = await timed(() => analyse(bytes, 'names.pdf'));
    expect(report.detected.macros).toBe(true);
    expect(ms).toBeLessThan(5_000);
  });

  it('an embedded file that inflates past the archive limit stops there', async () => {
    const bytes = pdfDocument([
      '<< /Type /Catalog >>',
      '<< /Type /Filespec /F (big.bin) /EF << /F 3 0 R >> >>',
      { dict: '/Type /EmbeddedFile /Filter /FlateDecode', data: deflateSync(Buffer.alloc(300 * 1024 * 1024)) },
    ]);
    const { value: report, ms } = await timed(() => analyse(bytes, 'bomb.pdf'));
    expect(report.unscannable).toMatch(/expanded size exceeds|bomb/);
    expect(ms).toBeLessThan(10_000);
  }, 20_000);
});

describe('hostile zips', () => {
  it('10,000 end records after a program: too many records, unscannable, never an empty zip', async () => {
    const bytes = Buffer.concat([await zip({ 'run.exe': peFile() }), ...Array.from({ length: 10_000 }, () => END_RECORD)]);
    const { value: report, ms } = await timed(() => analyse(bytes, 'empty.zip'));
    expect(report.unscannable).toMatch(/more than 256 zip end-of-central-directory records/);
    expect(ms).toBeLessThan(5_000);
  });

  it('a hundred empty end records after a program: the program is still found', async () => {
    const bytes = Buffer.concat([await zip({ 'run.exe': peFile() }), ...Array.from({ length: 100 }, () => END_RECORD)]);
    const report = await analyse(bytes, 'empty.zip');
    expect(report.members.map((m) => [m.name, m.detected.family])).toEqual([['run.exe', 'executable']]);
  });

  it('archives glued together and nested 100 deep end at the depth limit', async () => {
    let inner = await zip({ 'bottom.exe': peFile() });
    for (let level = 0; level < 100; level += 1) {
      const wrapper = await zip({ [`level-${level}.zip`]: { data: inner, compress: false } });
      inner = Buffer.concat([await zip({ [`note-${level}.txt`]: 'hello' }), wrapper]);
    }
    const { value: report, ms } = await timed(() => analyse(inner, 'deep.zip'));
    expect(report.unscannable ?? report.members.map((m) => m.unscannable).join(' ')).toMatch(/nested too deep/);
    expect(ms).toBeLessThan(10_000);
  }, 20_000);

  it('a hundred archives glued side by side are all read', async () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 100; i += 1) parts.push(await zip({ [`part-${i}.txt`]: `part ${i}` }));
    parts.push(await zip({ 'last.exe': peFile() }));
    parts.splice(0, 0, await zip({ 'first.exe': peFile() }));
    const report = await analyse(Buffer.concat(parts), 'parts.zip');
    expect(report.members).toHaveLength(102);
    expect(report.members.filter((m) => m.detected.family === 'executable').map((m) => m.name)).toEqual(['first.exe', 'last.exe']);
  });
});

const policy = await loadPolicy(defaultPolicyPath());

describe('through the check path', () => {
  const target = { from: 'alex.turner@met.police.uk', to: ['sam.jones@example.org'] };
  const message = (name: string, type: string, bytes: Buffer) =>
    Buffer.from(
      [
        'From: Alex Turner <alex.turner@met.police.uk>', 'To: Sam Jones <sam.jones@example.org>', 'Subject: Documents',
        'Date: Mon, 3 Mar 2025 09:00:00 +0000', 'Message-ID: <tt-hostile@met.police.uk>', 'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Please see attached.', '--b',
        `Content-Type: ${type}; name="${name}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${name}"`, '',
        ...(bytes.toString('base64').match(/.{1,76}/g) ?? []), '--b--', '',
      ].join('\r\n'),
      'latin1',
    );

  it('a zip with 10,000 end records is held as unscannable', async () => {
    const bytes = Buffer.concat([await zip({ 'run.exe': peFile() }), ...Array.from({ length: 10_000 }, () => END_RECORD)]);
    const { verdict } = await checkMessage(toStream(message('files.zip', 'application/zip', bytes)), policy, target);
    expect(verdict.findings.map((f) => f.rule)).toContain('unscannable');
    expect(verdict.decision).not.toBe('accept');
  });

  it('a PDF that launches a program is rejected as executable content', async () => {
    const { verdict } = await checkMessage(toStream(message('invoice.pdf', 'application/pdf', pdfWithLaunch(['Invoice']))), policy, target);
    expect(verdict.decision).toBe('reject');
    expect(verdict.findings.map((f) => f.rule)).toContain('executable-content');
  });
});
