import { describe, expect, it } from 'vitest';
import { ooxml, peFile, zip } from './builders.js';
import { analyse } from './helpers.js';

const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
const tricks = async (bytes: Buffer, name: string) => (await analyse(bytes, name)).nameTricks;

describe('double extensions', () => {
  it('flags an innocent extension followed by an executable one', async () => {
    expect(await tricks(peFile(), 'report.docx.exe')).toEqual(['double-extension']);
    expect(await tricks(Buffer.from('WScript.Echo(1)'), 'invoice.pdf.js')).toEqual(['double-extension']);
    expect(await tricks(Buffer.from('x'), 'photo.jpg  .scr')).toContain('double-extension');
  });

  it('leaves ordinary multi-dot names alone', async () => {
    expect(await tricks(Buffer.from('x'), 'setup.v1.2.txt')).toEqual([]);
    expect(await tricks(peFile(), 'setup.x86.exe')).toEqual([]);
    expect(await tricks(await zip({ 'a.txt': 'a' }), 'backup.tar.zip')).toEqual([]);
  });
});

describe('extension mismatch', () => {
  it('flags a visible extension that promises another family', async () => {
    expect(await tricks(peFile(), 'invoice.pdf')).toEqual(['extension-mismatch']);
    expect(await tricks(peFile(), 'readme.txt')).toEqual(['extension-mismatch']);
    expect(await tricks(await zip({ 'evil.exe': peFile() }), 'report.docx')).toEqual(['extension-mismatch']);
    expect(await tricks(Buffer.from('<html><body>Sign in</body></html>'), 'statement.pdf')).toEqual(['extension-mismatch']);
  });

  it('accepts names that agree with the content family', async () => {
    expect(await tricks(await ooxml('docx'), 'old-name.doc')).toEqual([]);
    expect(await tricks(png, 'photo.jpg')).toEqual([]);
    expect(await tricks(Buffer.from('plain words\n'), 'notes.txt')).toEqual([]);
    expect(await tricks(Buffer.from('a,b\n1,2\n'), 'data.csv')).toEqual([]);
    expect(await tricks(Buffer.from('echo hi\r\n'), 'run.bat')).toEqual([]);
    expect(await tricks(Buffer.from('<html><script>x()</script></html>'), 'page.html')).toEqual([]);
    expect(await tricks(Buffer.alloc(300, 0x8f), 'data.docx')).toEqual([]);
    expect(await tricks(Buffer.from('x'), 'winmail.dat')).toEqual([]);
    expect(await tricks(Buffer.from('-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n'), 'secret.asc')).toEqual([]);
    const spreadsheetMl = '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook></Workbook>';
    expect(await tricks(Buffer.from(spreadsheetMl), 'export.xls')).toEqual([]);
  });
});

describe('true type versus name', () => {
  it('keeps the content type when the name says executable but the bytes say otherwise', async () => {
    const report = await analyse(png, 'image.exe');
    expect(report.detected).toMatchObject({ family: 'image', ext: 'png' });
    expect(report.nameTricks).toEqual(['extension-mismatch']);
  });
});
