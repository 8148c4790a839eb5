import { describe, expect, it } from 'vitest';
import { wordBinaryHeaderText } from '../../src/message/content/word-binary-headers.js';
import { analyse } from './helpers.js';
import { cfbFile } from './builders.js';

/** A .doc's WordDocument and 1Table streams: main text compressed (8-bit), header story in UTF-16. */
function legacyDoc(main: string, header: string, opts: { lieAboutClx?: boolean } = {}): { WordDocument: Buffer; '1Table': Buffer } {
  const doc = Buffer.alloc(4096);
  doc.writeUInt16LE(0xa5ec, 0);
  doc.writeUInt16LE(0x00c1, 2);
  doc.writeUInt16LE(0x0200, 0x0a); // fWhichTblStm: 1Table
  doc.writeUInt16LE(14, 32); // csw
  doc.writeUInt16LE(22, 62); // cslw
  doc.writeInt32LE(main.length, 76); // ccpText
  doc.writeInt32LE(0, 80); // ccpFtn
  doc.writeInt32LE(header.length, 84); // ccpHdd
  doc.writeUInt16LE(0x5d, 152); // cbRgFcLcb
  doc.write(main, 1024, 'latin1');
  doc.write(header, 2048, 'utf16le');
  const plc = Buffer.alloc(12 + 16);
  plc.writeUInt32LE(0, 0);
  plc.writeUInt32LE(main.length, 4);
  plc.writeUInt32LE(main.length + header.length, 8);
  plc.writeUInt32LE((1024 * 2) | 0x40000000, 12 + 2); // compressed: byte offset fc / 2
  plc.writeUInt32LE(2048, 12 + 8 + 2);
  const clx = Buffer.concat([Buffer.from([0x01, 0x02, 0x00, 0xaa, 0xbb]), Buffer.from([0x02]), Buffer.alloc(4), plc]);
  clx.writeUInt32LE(plc.length, 6);
  doc.writeUInt32LE(0, 418); // fcClx
  doc.writeUInt32LE(opts.lieAboutClx ? 1_000_000 : clx.length, 422); // lcbClx
  return { WordDocument: doc, '1Table': clx };
}

describe('.doc header and footer text', () => {
  it('reads the header story through the piece table, and only it', () => {
    const d = legacyDoc('RESTRICTED is not here\r', '\rOFFICIAL-SENSITIVE\r\rPage 1\r');
    const text = wordBinaryHeaderText(d.WordDocument, (n) => (n === '1Table' ? d['1Table'] : null));
    expect(text.split('\n').filter(Boolean)).toEqual(['OFFICIAL-SENSITIVE', 'Page 1']);
  });

  it('gives nothing for streams that do not add up', () => {
    const d = legacyDoc('x\r', 'SECRET\r', { lieAboutClx: true });
    expect(wordBinaryHeaderText(d.WordDocument, () => d['1Table'])).toBe('');
    expect(wordBinaryHeaderText(d.WordDocument, () => null)).toBe('');
    expect(wordBinaryHeaderText(Buffer.alloc(10), () => null)).toBe('');
    const truncated = legacyDoc('x\r', 'SECRET\r');
    expect(wordBinaryHeaderText(truncated.WordDocument.subarray(0, 2050), () => truncated['1Table'])).toBe('');
  });

  it('stays bounded on a piece table of 10,000 pieces all claiming the header story', () => {
    const d = legacyDoc('x\r', 'SECRET\r');
    const n = 10_000;
    const plc = Buffer.alloc(4 * (n + 1) + 8 * n);
    for (let i = 0; i <= n; i += 1) plc.writeUInt32LE(i % 2 === 0 ? 0 : 9, i * 4); // 0, 9, 0, 9 ...
    for (let i = 0; i < n; i += 1) plc.writeUInt32LE(2048, 4 * (n + 1) + i * 8 + 2);
    const clx = Buffer.concat([Buffer.from([0x02, 0, 0, 0, 0]), plc]);
    clx.writeUInt32LE(plc.length, 1);
    d.WordDocument.writeUInt32LE(clx.length, 422);
    const started = performance.now();
    const text = wordBinaryHeaderText(d.WordDocument, () => clx);
    expect(performance.now() - started).toBeLessThan(500);
    expect(text.length).toBeLessThan(100);
  });

  it('finds the marking of a .doc through the content analysis', async () => {
    const d = legacyDoc('Referral - Laurel Grove\r', '\rRESTRICTED\r');
    const report = await analyse(cfbFile({ WordDocument: d.WordDocument, '1Table': d['1Table'] }), 'old.doc');
    expect(report.detected.ext).toBe('doc');
    expect(report.markings.map((m) => m.level)).toEqual(['RESTRICTED']);
  });
});
