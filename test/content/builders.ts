/**
 * Real bytes for content tests: zips (yazl), compound files (cfb), executables, media headers, disk images,
 * OLE property sets, TNEF streams.
 */
import * as CFB from 'cfb';
import yazl from 'yazl';

export interface ZipFileSpec {
  readonly data: Buffer | string;
  readonly compress?: boolean;
}

export function zip(files: Record<string, Buffer | string | ZipFileSpec>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, spec] of Object.entries(files)) {
    const isSpec = typeof spec === 'object' && !Buffer.isBuffer(spec);
    const data = isSpec ? (spec as ZipFileSpec).data : (spec as Buffer | string);
    z.addBuffer(Buffer.from(data), name, { compress: isSpec ? ((spec as ZipFileSpec).compress ?? true) : true });
  }
  z.end();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    z.outputStream.on('data', (d: Buffer) => parts.push(d));
    z.outputStream.on('error', reject);
    z.outputStream.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/** Set general-purpose bit 0 (encrypted) on every local and central header. */
export function markZipEncrypted(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i + 4 <= out.length; i += 1) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(i + 6) | 1, i + 6);
    if (sig === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(i + 8) | 1, i + 8);
  }
  return out;
}

/** Make every header claim `size` uncompressed bytes (a lying bomb). */
export function lieAboutSizes(bytes: Buffer, size: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i + 4 <= out.length; i += 1) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

const CONTENT_TYPES = (main: string, extra = ''): string =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="${main.split('|')[0]}" ContentType="${main.split('|')[1]}"/>${extra}
</Types>`;

export const MAIN = {
  docx: '/word/document.xml|application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  docm: '/word/document.xml|application/vnd.ms-word.document.macroEnabled.main+xml',
  dotm: '/word/document.xml|application/vnd.ms-word.template.macroEnabledTemplate.main+xml',
  xlsx: '/xl/workbook.xml|application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
  xlsm: '/xl/workbook.xml|application/vnd.ms-excel.sheet.macroEnabled.main+xml',
  xlam: '/xl/workbook.xml|application/vnd.ms-excel.addin.macroEnabled.main+xml',
  pptx: '/ppt/presentation.xml|application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
  pptm: '/ppt/presentation.xml|application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml',
} as const;

const MAIN_PART: Record<keyof typeof MAIN, string> = {
  docx: 'word/document.xml', docm: 'word/document.xml', dotm: 'word/document.xml',
  xlsx: 'xl/workbook.xml', xlsm: 'xl/workbook.xml', xlam: 'xl/workbook.xml',
  pptx: 'ppt/presentation.xml', pptm: 'ppt/presentation.xml',
};

export function wordParagraphs(...lines: string[]): string {
  const ps = lines.map((l) => `<w:p><w:r><w:t xml:space="preserve">${l}</w:t></w:r></w:p>`).join('');
  return `<?xml version="1.0"?><w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${ps}</w:hdr>`;
}

export function customXml(props: Record<string, string>): string {
  const body = Object.entries(props)
    .map(([name, value], i) => `<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="${i + 2}" name="${name}"><vt:lpwstr>${value}</vt:lpwstr></property>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">${body}</Properties>`;
}

/** A minimal but well-formed OOXML package of the given kind, with extra parts. */
export function ooxml(kind: keyof typeof MAIN, parts: Record<string, Buffer | string> = {}): Promise<Buffer> {
  return zip({
    '[Content_Types].xml': CONTENT_TYPES(MAIN[kind]),
    '_rels/.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
    [MAIN_PART[kind]]: '<?xml version="1.0"?><document/>',
    ...parts,
  });
}

/** A compound file with the given streams (paths may name storages: 'Macros/VBA/dir'). */
export function cfbFile(streams: Record<string, Buffer | string>, clsid?: string): Buffer {
  const c = CFB.utils.cfb_new();
  for (const [path, data] of Object.entries(streams)) CFB.utils.cfb_add(c, path, Buffer.from(data));
  if (clsid) c.FileIndex[0]!.clsid = clsid;
  return Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array);
}

/** A Word 97 FIB start: wIdent 0xA5EC, flags at 0x0A (0x0100 = encrypted). */
export function wordFib(encrypted = false): Buffer {
  const fib = Buffer.alloc(512);
  fib.writeUInt16LE(0xa5ec, 0);
  fib.writeUInt16LE(0x00c1, 2);
  fib.writeUInt16LE(encrypted ? 0x0100 : 0, 0x0a);
  return fib;
}

/** A BIFF8 workbook globals stream: BOF, optional FILEPASS, BOUNDSHEETs (dt 0 sheet, 1 macro sheet), EOF. */
export function biffWorkbook(opts: { filepass?: boolean; macroSheet?: boolean } = {}): Buffer {
  const record = (type: number, data: Buffer): Buffer => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(type, 0);
    h.writeUInt16LE(data.length, 2);
    return Buffer.concat([h, data]);
  };
  const boundsheet = (dt: number, name: string): Buffer => {
    const d = Buffer.alloc(8 + name.length);
    d.writeUInt32LE(0, 0);
    d[4] = 0;
    d[5] = dt;
    d[6] = name.length;
    d[7] = 0;
    d.write(name, 8, 'latin1');
    return d;
  };
  const parts = [record(0x0809, Buffer.alloc(16))];
  if (opts.filepass) parts.push(record(0x002f, Buffer.alloc(54)));
  parts.push(record(0x0085, boundsheet(0, 'Sheet1')));
  if (opts.macroSheet) parts.push(record(0x0085, boundsheet(1, 'Macro1')));
  parts.push(record(0x000a, Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** A \u0005DocumentSummaryInformation stream with user-defined string properties (code page 1252). */
export function docSummaryWithCustom(props: Record<string, string>): Buffer {
  const entries = Object.entries(props);
  const fmtidCustom = Buffer.from('05d5cdd59c2e1b10939708002b2cf9ae', 'hex');
  // Section: [size][count][id/offset pairs][codepage][dictionary][values]
  const ids = entries.map((_, i) => i + 2);
  const dictParts: Buffer[] = [Buffer.alloc(4)];
  dictParts[0]!.writeUInt32LE(entries.length, 0);
  entries.forEach(([name], i) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(ids[i]!, 0);
    h.writeUInt32LE(name.length + 1, 4);
    dictParts.push(h, Buffer.from(`${name}\0`, 'latin1'));
  });
  let dict = Buffer.concat(dictParts);
  dict = Buffer.concat([dict, Buffer.alloc((4 - (dict.length % 4)) % 4)]);
  const codepage = Buffer.alloc(8);
  codepage.writeUInt16LE(0x0002, 0);
  codepage.writeUInt16LE(1252, 4);
  const values = entries.map(([, value]) => {
    const v = Buffer.from(`${value}\0`, 'latin1');
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0x001e, 0);
    h.writeUInt32LE(v.length, 4);
    const b = Buffer.concat([h, v]);
    return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  });
  const count = 2 + entries.length;
  let offset = 8 + count * 8;
  const table = Buffer.alloc(count * 8);
  const place = (i: number, id: number, len: number): void => {
    table.writeUInt32LE(id, i * 8);
    table.writeUInt32LE(offset, i * 8 + 4);
    offset += len;
  };
  place(0, 1, codepage.length);
  place(1, 0, dict.length);
  values.forEach((v, i) => place(2 + i, ids[i]!, v.length));
  const body = Buffer.concat([table, codepage, dict, ...values]);
  const sectionHead = Buffer.alloc(8);
  sectionHead.writeUInt32LE(8 + body.length, 0);
  sectionHead.writeUInt32LE(count, 4);
  const section = Buffer.concat([sectionHead, body]);
  const header = Buffer.alloc(48);
  header.writeUInt16LE(0xfffe, 0);
  header.writeUInt32LE(1, 24);
  fmtidCustom.copy(header, 28);
  header.writeUInt32LE(48, 44);
  return Buffer.concat([header, section]);
}

/** A minimal PE: DOS header with e_lfanew, 'PE\0\0', COFF header with characteristics. */
export function peFile(dll = false): Buffer {
  const b = Buffer.alloc(1024);
  b.write('MZ', 0, 'latin1');
  b.writeUInt16LE(0x90, 2);
  b.writeUInt16LE(3, 4);
  b.writeUInt16LE(4, 8);
  b.writeUInt16LE(0x40, 0x18);
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(0x14c, 0x84);
  b.writeUInt16LE(dll ? 0x2102 : 0x0102, 0x80 + 22);
  return b;
}

/** A DOS program: 'MZ' with a consistent header and no PE header. */
export function dosFile(): Buffer {
  const b = Buffer.alloc(2048);
  b.write('MZ', 0, 'latin1');
  b.writeUInt16LE(0, 2); // last page full
  b.writeUInt16LE(4, 4); // 4 pages = 2048 bytes
  b.writeUInt16LE(2, 8); // 32-byte header
  b.writeUInt16LE(0x1c, 0x18);
  return b;
}

export function tnefStream(opts: { subject?: string; attachments: { name: string; data: Buffer }[] }): Buffer {
  const attr = (level: number, id: number, data: Buffer): Buffer => {
    const h = Buffer.alloc(9);
    h[0] = level;
    h.writeUInt32LE(id, 1);
    h.writeUInt32LE(data.length, 5);
    let sum = 0;
    for (const byte of data) sum = (sum + byte) & 0xffff;
    const c = Buffer.alloc(2);
    c.writeUInt16LE(sum, 0);
    return Buffer.concat([h, data, c]);
  };
  const start = Buffer.alloc(6);
  start.writeUInt32LE(0x223e9f78, 0);
  start.writeUInt16LE(0x0001, 4);
  const parts = [start, attr(1, 0x00089006, Buffer.from([0, 0, 1, 0]))];
  if (opts.subject) parts.push(attr(1, 0x00018004, Buffer.from(`${opts.subject}\0`, 'latin1')));
  for (const a of opts.attachments) {
    parts.push(attr(2, 0x00069002, Buffer.alloc(14)));
    parts.push(attr(2, 0x00018010, Buffer.from(`${a.name}\0`, 'latin1')));
    parts.push(attr(2, 0x0006800f, a.data));
  }
  return Buffer.concat(parts);
}

/** An Outlook .msg: subject, body, attachments (as msgreader reads them). */
export function outlookMsg(opts: { subject: string; body: string; attachments: { name: string; data: Buffer }[] }): Buffer {
  const u16 = (s: string): Buffer => Buffer.from(s, 'utf16le');
  const streams: Record<string, Buffer> = {
    '__properties_version1.0': Buffer.alloc(32),
    '__substg1.0_0037001F': u16(opts.subject),
    '__substg1.0_1000001F': u16(opts.body),
  };
  opts.attachments.forEach((a, i) => {
    const dir = `__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
    streams[`${dir}/__properties_version1.0`] = Buffer.alloc(8);
    streams[`${dir}/__substg1.0_3707001F`] = u16(a.name);
    streams[`${dir}/__substg1.0_37010102`] = a.data;
  });
  return cfbFile(streams);
}
