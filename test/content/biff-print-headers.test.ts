import { describe, expect, it } from 'vitest';
import { biffPrintHeaderText } from '../../src/message/content/biff-print-headers.js';
import { analyse } from './helpers.js';
import { cfbFile } from './builders.js';

const record = (type: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(type, 0);
  h.writeUInt16LE(body.length, 2);
  return Buffer.concat([h, body]);
};
const xlString = (s: string, wide = false): Buffer => {
  const h = Buffer.alloc(3);
  h.writeUInt16LE(s.length, 0);
  h[2] = wide ? 1 : 0;
  return Buffer.concat([h, Buffer.from(s, wide ? 'utf16le' : 'latin1')]);
};
const BOF = record(0x0809, Buffer.alloc(16));
const EOF = record(0x000a, Buffer.alloc(0));

describe('.xls print headers', () => {
  it('reads HEADER and FOOTER records, 8-bit and UTF-16, codes stripped', () => {
    const stream = Buffer.concat([BOF, EOF, BOF, record(0x0014, xlString('&C&"Arial,Bold"RESTRICTED')), record(0x0015, xlString('&LOFFICIAL\u2011SENSITIVE', true)), EOF]);
    expect(biffPrintHeaderText(stream).split('\n').filter(Boolean)).toEqual(['RESTRICTED', 'OFFICIAL\u2011SENSITIVE']);
  });

  it('reads the first-page and even-page strings of HEADERFOOTER', () => {
    const fixed = Buffer.alloc(38);
    fixed.writeUInt16LE(0x089c, 0);
    fixed.writeUInt16LE(0, 30); // even header: none
    fixed.writeUInt16LE(5, 32); // even footer
    fixed.writeUInt16LE(8, 34); // first header
    const body = Buffer.concat([fixed, xlString('&CTEST'), xlString('&CSECRET!'.slice(0, 8))]);
    expect(biffPrintHeaderText(Buffer.concat([BOF, record(0x089c, body), EOF])).split('\n').filter(Boolean)).toEqual(['TEST', 'SECRET']);
  });

  it('gives nothing for an encrypted workbook, and survives truncated and lying records', () => {
    expect(biffPrintHeaderText(Buffer.concat([BOF, record(0x002f, Buffer.alloc(54)), record(0x0014, xlString('&CSECRET'))]))).toBe('');
    const lying = Buffer.concat([BOF, record(0x0014, Buffer.from([0xff, 0xff, 0x01, 0x41]))]);
    expect(biffPrintHeaderText(lying)).toBe('');
    expect(biffPrintHeaderText(Buffer.from([0x14, 0x00, 0xff]))).toBe('');
    expect(biffPrintHeaderText(null)).toBe('');
  });

  it('finds the marking of an .xls through the content analysis', async () => {
    const workbook = Buffer.concat([BOF, EOF, BOF, record(0x0014, xlString('&C&14OFFICIAL-SENSITIVE')), EOF, Buffer.alloc(4096)]);
    const report = await analyse(cfbFile({ Workbook: workbook }), 'figures.xls');
    expect(report.markings.map((m) => m.level)).toEqual(['OFFICIAL-SENSITIVE']);
  });
});
