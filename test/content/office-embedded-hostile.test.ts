/**
 * Hostile Office containers through the whole inspection: objects nested 50 deep, a compound file
 * whose directory loops, length fields that lie, truncated streams, thousands of members. Each
 * ends in a finding within seconds, never a crash or a hang.
 */
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { legacyDoc } from '../../scripts/fixture-lib/cfb-files.js';
import { peExe } from '../../scripts/fixture-lib/executables.js';
import { objectPool, packageObjectBin, packagerObjectBin, packagerStreams } from '../../scripts/fixture-lib/office-objects.js';
import { docx, type PackagePart } from '../../scripts/fixture-lib/ooxml.js';
import { defaultPolicyPath, loadPolicy } from '../../src/config/load-policy.js';
import { inspect } from '../../src/inspect.js';
import { lieAboutSizes } from './builders.js';
import { analyse, makeOptions } from './helpers.js';

const policy = await loadPolicy(defaultPolicyPath());
const envelope = { mailFrom: 'alex.turner@met.police.uk', rcptTo: ['sam.jones@example.org'] };
const invoice = { label: 'Invoice.pdf', sourcePath: 'C:\\x\\invoice.exe', data: peExe('Invoice') };

function mail(fileName: string, bytes: Buffer): Buffer {
  const b64 = bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Alex Turner <alex.turner@met.police.uk>', 'To: Sam Jones <sam.jones@example.org>', 'Subject: Report',
      'Date: Mon, 3 Mar 2025 09:00:00 +0000', 'Message-ID: <office-hostile@met.police.uk>', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Attached.', '--b',
      `Content-Type: application/octet-stream; name="${fileName}"`, `Content-Disposition: attachment; filename="${fileName}"`,
      'Content-Transfer-Encoding: base64', '', b64, '--b--', '',
    ].join('\r\n'),
    'latin1',
  );
}

async function decide(fileName: string, bytes: Buffer) {
  const started = Date.now();
  const { verdict } = await inspect(envelope, Readable.from([mail(fileName, bytes)]), policy);
  const ms = Date.now() - started;
  return { verdict, ms, rules: verdict.findings.map((f) => f.rule), reasons: verdict.findings.map((f) => f.reason).join('\n') };
}

const oleDocx = (data: Buffer, extra: PackagePart[] = []) =>
  docx({ paragraphs: ['Report'], parts: [{ path: 'embeddings/oleObject1.bin', data, kind: 'oleObject' }, ...extra] });

/** Find a compound file directory entry by its UTF-16 name. */
function directoryEntryAt(cfb: Buffer, name: string): number {
  const at = cfb.indexOf(Buffer.from(`${name}\0`, 'utf16le'));
  if (at < 0 || at % 128 !== 0) throw new Error(`no directory entry ${name}`);
  return at;
}

describe('hostile Office containers', () => {
  it('an OLE object nested 50 deep stops at the depth limit as unscannable', async () => {
    let inner = await oleDocx(packagerObjectBin(invoice));
    for (let i = 0; i < 50; i++) inner = await oleDocx(packageObjectBin(inner, 'Word.Document.12'));
    const r = await decide('deep.docx', inner);
    expect(r.rules).toContain('unscannable');
    expect(r.reasons).toMatch(/nested too deep/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a compound file whose directory loops back on itself is decided', async () => {
    const doc = legacyDoc({ text: 'x', streams: objectPool(1, (p) => packagerStreams(p, invoice)) });
    const looped = Buffer.from(doc);
    // The object's storage names the root entry as its child: a directory that contains itself.
    const storage = directoryEntryAt(looped, '_1493700001');
    looped.writeUInt32LE(0, storage + 0x4c);
    for (const bytes of [looped, await oleDocx(looped)]) {
      const r = await decide('loop.doc', bytes);
      expect(r.verdict.decision).not.toBe('accept');
      expect(r.ms).toBeLessThan(10_000);
    }
  });

  it('a huge Ole10Native length field is unscannable, naming the object', async () => {
    const object = Buffer.from(packagerObjectBin(invoice));
    const native = object.indexOf(Buffer.from([0x02, 0x00, ...Buffer.from('Invoice.pdf')])) - 4;
    object.writeUInt32LE(0xfffffff0, native);
    const r = await decide('report.docx', await oleDocx(object));
    expect(r.rules).toContain('unscannable');
    expect(r.reasons).toMatch(/oleObject1\.bin.*Ole10Native claims 4294967280 bytes/s);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a packaged file longer than its object is unscannable', async () => {
    const object = Buffer.from(packagerObjectBin(invoice));
    const size = object.indexOf(Buffer.from('MZ')) - 4;
    object.writeUInt32LE(0x7fffffff, size);
    const r = await decide('report.docx', await oleDocx(object));
    expect(r.rules).toContain('unscannable');
    expect(r.reasons).toMatch(/packaged file claims 2147483647 bytes/);
  });

  it('a truncated Package stream is unscannable', async () => {
    const xlsxBytes = await docx({ paragraphs: ['inner'.repeat(2000)] });
    const r = await decide('report.docx', await oleDocx(packageObjectBin(xlsxBytes.subarray(0, xlsxBytes.length >> 1))));
    expect(r.rules).toContain('unscannable');
    expect(r.reasons).toMatch(/Package/);
  });

  it('a Package stream whose directory claims more than the file holds is still looked into', async () => {
    const object = Buffer.from(packageObjectBin(await oleDocx(packagerObjectBin(invoice)), 'Word.Document.12'));
    object.writeUInt32LE(64 * 1024 * 1024, directoryEntryAt(object, 'Package') + 0x78);
    const r = await decide('report.docx', await oleDocx(object));
    expect(r.verdict.decision).not.toBe('accept');
    expect(r.rules.some((rule) => rule === 'unscannable' || rule === 'executable-content')).toBe(true);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a member that is larger than its header says is not taken at its word', async () => {
    const big = Buffer.concat([peExe('Big'), Buffer.alloc(400_000, 7)]);
    const bytes = await docx({ paragraphs: ['x'], parts: [{ path: 'media/image1.png', data: big, kind: 'image' }] });
    const lying = lieAboutSizes(bytes, 10);
    const r = await decide('report.docx', lying);
    expect(r.verdict.decision).not.toBe('accept');
    expect(r.rules.some((rule) => rule === 'unscannable' || rule === 'executable-content')).toBe(true);
  });

  it('thousands of media members stop at the member limit', async () => {
    const parts: PackagePart[] = Array.from({ length: 3000 }, (_, i) => ({ path: `media/image${i}.bin`, data: Buffer.from([i & 0xff, 1, 2, 3]), kind: 'image' }));
    const r = await decide('many.docx', await docx({ paragraphs: ['x'], parts }));
    expect(r.rules).toContain('unscannable');
    expect(r.reasons).toMatch(/more than 1000 archive members/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('tens of thousands of XML parts stop at the part limit', async () => {
    const parts: [string, Buffer][] = [['[Content_Types].xml', Buffer.from(`<Types><Override PartName="/word/document.xml" ContentType="${DOCX_MAIN}"/></Types>`)]];
    for (let i = 0; i < 12_000; i++) parts.push([`word/p${i}.xml`, Buffer.from('<a/>')]);
    const r = await decide('parts.docx', storedZip(parts));
    expect(r.rules).toContain('unscannable');
    expect(r.reasons).toMatch(/more than 10000 parts in an Office file/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('an RTF with thousands of objects stops at the member limit', async () => {
    const group = '{\\object\\objemb{\\*\\objdata 0105000002000000}}';
    const rtf = Buffer.from(`{\\rtf1\\ansi x\\par ${group.repeat(5000)}}`, 'latin1');
    const r = await decide('letter.rtf', rtf);
    expect(r.rules).toContain('unscannable');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('thousands of objects in a Word ObjectPool stop at the member limit', async () => {
    // The limit is lowered so that the file is quick to build; the walk is the same.
    const streams = Array.from({ length: 150 }, (_, i) => objectPool(i, (p) => packagerStreams(p, { label: 'a', sourcePath: `C:\\a${i}.txt`, data: Buffer.from('a') }).slice(0, 1))).flat();
    const started = Date.now();
    const report = await analyse(legacyDoc({ text: 'x', streams }), 'pool.doc', makeOptions({ maxMembers: 100 }));
    expect(report.unscannable).toMatch(/more than 100 archive members/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

const DOCX_MAIN = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';

/** A zip of stored entries written directly (yazl takes seconds for ten thousand entries). */
function storedZip(entries: readonly (readonly [string, Buffer])[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
