/**
 * Compound File (CFB/OLE) builders with the `cfb` package: legacy Word and Excel files,
 * VBA projects, password-encrypted Office files and Outlook .msg files.
 * CFB.write stores no timestamps, so the output is stable.
 */
import CFB from 'cfb';
import { guidBytes, u16le, u32le, utf16z } from './bytes.js';
import { Prng } from './prng.js';

export type Streams = ReadonlyArray<readonly [path: string, data: Buffer]>;

export function cfbFile(rootClsid: string | null, streams: Streams): Buffer {
  const doc = CFB.utils.cfb_new(rootClsid ? { CLSID: guidBytes(rootClsid).toString('hex') } : undefined);
  for (const [path, data] of streams) CFB.utils.cfb_add(doc, path, data);
  return Buffer.from(CFB.write(doc, { type: 'buffer' }) as Uint8Array);
}

const WORD_CLSID = '00020906-0000-0000-c000-000000000046';
const EXCEL_CLSID = '00020820-0000-0000-c000-000000000046';

/** The \x01CompObj stream Office writes: user type, clipboard format, ProgID. */
export function compObj(userType: string, clipFormat: string, progId: string): Buffer {
  const lp = (s: string) => Buffer.concat([u32le(s.length + 1), Buffer.from(`${s}\0`, 'latin1')]);
  return Buffer.concat([
    Buffer.from([0x01, 0x00, 0xfe, 0xff, 0x03, 0x0a, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]),
    guidBytes(progId.startsWith('Word') ? WORD_CLSID : EXCEL_CLSID),
    lp(userType),
    lp(clipFormat),
    lp(progId),
    u32le(0x71b239f4),
    Buffer.alloc(12),
  ]);
}

/**
 * MS-OVBA compression using literal tokens only: a valid CompressedContainer that any
 * VBA decompressor (olevba, oletools) reads back to the source text.
 */
export function ovbaCompress(data: Buffer): Buffer {
  const out: Buffer[] = [Buffer.from([0x01])];
  for (let off = 0; off < data.length; off += 4096) {
    const chunk = data.subarray(off, off + 4096);
    const body: Buffer[] = [];
    for (let i = 0; i < chunk.length; i += 8) body.push(Buffer.from([0x00]), chunk.subarray(i, i + 8));
    const bodyBytes = Buffer.concat(body);
    const header = ((bodyBytes.length + 2 - 3) & 0x0fff) | 0x3000 | 0x8000;
    out.push(u16le(header), bodyBytes);
  }
  return Buffer.concat(out);
}

export interface VbaOptions {
  /** Module name (ThisDocument for Word, ThisWorkbook for Excel). */
  readonly module: string;
  readonly source: string;
}

/** The VBA storage streams, under `prefix` ('' in vbaProject.bin, 'Macros/' in a .doc, '_VBA_PROJECT_CUR/' in a .xls). */
function vbaStreams(prefix: string, vba: VbaOptions): Streams {
  const source = Buffer.from(`Attribute VB_Name = "${vba.module}"\r\n${vba.source.replace(/\r?\n/g, '\r\n')}`, 'latin1');
  const dir = Buffer.concat([
    // PROJECTSYSKIND (Win32), PROJECTLCID, PROJECTCODEPAGE, PROJECTNAME, then the module record.
    Buffer.from([0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]),
    Buffer.from([0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x09, 0x08, 0x00, 0x00]),
    Buffer.from([0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0xe4, 0x04]),
    Buffer.from([0x04, 0x00]), u32le(7), Buffer.from('Project', 'latin1'),
    Buffer.from([0x19, 0x00]), u32le(vba.module.length), Buffer.from(vba.module, 'latin1'),
    Buffer.from([0x31, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
    Buffer.from([0x2b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00]),
  ]);
  const project = Buffer.from(
    `ID="{${'5A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D'}}"\r\nDocument=${vba.module}/&H00000000\r\nName="Project"\r\nHelpContextID="0"\r\nVersionCompatible32="393222000"\r\nCMG="C2C0DE"\r\nDPB="D0D2E1"\r\nGC="1A18"\r\n\r\n[Host Extender Info]\r\n&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000\r\n`,
    'latin1',
  );
  return [
    [`${prefix}VBA/_VBA_PROJECT`, Buffer.from([0xcc, 0x61, 0xff, 0xff, 0x00, 0x00, 0x00])],
    [`${prefix}VBA/dir`, ovbaCompress(dir)],
    [`${prefix}VBA/${vba.module}`, ovbaCompress(source)],
    [`${prefix}PROJECT`, project],
    [`${prefix}PROJECTwm`, Buffer.concat([Buffer.from(`${vba.module}\0`, 'latin1'), utf16z(vba.module), Buffer.alloc(2)])],
  ];
}

/** word/vbaProject.bin or xl/vbaProject.bin for a docm/xlsm. */
export function vbaProjectBin(vba: VbaOptions): Buffer {
  return cfbFile(null, vbaStreams('', vba));
}

export interface LegacyDocOptions {
  readonly text: string;
  /** Adds a Macros/VBA storage (a .doc with macros). */
  readonly vba?: VbaOptions;
  /** Text of the header story (where a marking is typed), with the FIB counts and a piece table to find it. */
  readonly headerText?: string;
  /** More streams, e.g. embedded objects under ObjectPool/ (see office-objects.ts). */
  readonly streams?: Streams;
}

/** A Word 97-2003 .doc: WordDocument stream with a FIB, 1Table, CompObj; Macros storage when asked. */
export function legacyDoc(opts: LegacyDocOptions): Buffer {
  const text = Buffer.from(opts.text.replace(/\r?\n/g, '\r'), 'latin1');
  const wordDocument = Buffer.alloc(Math.max(4608, 0x800 + text.length + 512));
  wordDocument.writeUInt16LE(0xa5ec, 0); // wIdent
  wordDocument.writeUInt16LE(0x00c1, 2); // nFib: Word 97
  wordDocument.writeUInt16LE(0x0409, 6); // lid
  wordDocument.writeUInt16LE(0x1200, 10); // flags: fWhichTblStm (text tables in 1Table), fExtChar
  wordDocument.writeUInt16LE(0x00bf, 12); // nFibBack
  text.copy(wordDocument, 0x800);
  const table = Buffer.alloc(1024);
  table.writeUInt8(0x02, 0); // clx: Pcdt marker
  if (opts.headerText !== undefined) {
    const header = Buffer.from(opts.headerText.replace(/\r?\n/g, '\r'), 'latin1');
    header.copy(wordDocument, 0x800 + text.length);
    wordDocument.writeUInt16LE(14, 32); // csw
    wordDocument.writeUInt16LE(22, 62); // cslw
    wordDocument.writeInt32LE(text.length, 76); // ccpText
    wordDocument.writeInt32LE(header.length, 84); // ccpHdd
    wordDocument.writeUInt16LE(0x5d, 152); // cbRgFcLcb
    wordDocument.writeUInt32LE(0, 418); // fcClx
    wordDocument.writeUInt32LE(21, 422); // lcbClx
    table.writeUInt32LE(16, 1); // PlcPcd: two CPs and one piece
    table.writeUInt32LE(text.length + header.length, 9);
    table.writeUInt32LE((0x800 * 2) | 0x40000000, 15); // one compressed (8-bit) piece at 0x800
  }
  return cfbFile(WORD_CLSID, [
    ['WordDocument', wordDocument],
    ['1Table', table],
    ['\u0001CompObj', compObj('Microsoft Word 97-2003 Document', 'MSWordDoc', 'Word.Document.8')],
    ...(opts.vba ? vbaStreams('Macros/', opts.vba) : []),
    ...(opts.streams ?? []),
  ]);
}

/** BIFF8 record. */
function biff(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16le(type), u16le(body.length), body]);
}

export interface LegacyXlsOptions {
  readonly sheetName: string;
  readonly cells: readonly string[];
  readonly vba?: VbaOptions;
  /** The sheet's print header (HEADER record), with Excel's codes: '&C&"Arial,Bold"RESTRICTED'. */
  readonly printHeader?: string;
}

/** An Excel 97-2003 .xls: Workbook stream with BOF/BOUNDSHEET/EOF records; _VBA_PROJECT_CUR when asked. */
export function legacyXls(opts: LegacyXlsOptions): Buffer {
  const bof = (dt: number) =>
    biff(0x0809, Buffer.concat([u16le(0x0600), u16le(dt), u16le(0x4f5a), u16le(0x07cd), u32le(0x000100c1), u32le(0x00000406)]));
  const name = Buffer.from(opts.sheetName, 'latin1');
  const globals = Buffer.concat([
    bof(0x0005),
    biff(0x0042, u16le(1252)), // CODEPAGE
    biff(0x0085, Buffer.concat([u32le(0), Buffer.from([0x00, 0x00, name.length, 0x00]), name])), // BOUNDSHEET (offset patched below)
    biff(0x000a, Buffer.alloc(0)),
  ]);
  const labels = opts.cells.map((s, i) => {
    const t = Buffer.from(s, 'latin1');
    return biff(0x0204, Buffer.concat([u16le(i), u16le(0), u16le(0x0f), u16le(t.length), t])); // LABEL (BIFF5-style)
  });
  const header = opts.printHeader === undefined ? [] : [biff(0x0014, Buffer.concat([u16le(opts.printHeader.length), Buffer.from([0]), Buffer.from(opts.printHeader, 'latin1')]))];
  const sheet = Buffer.concat([bof(0x0010), ...header, ...labels, biff(0x000a, Buffer.alloc(0))]);
  globals.writeUInt32LE(globals.length, globals.indexOf(Buffer.from([0x85, 0x00])) + 4);
  const workbook = Buffer.concat([globals, sheet]);
  const padded = Buffer.concat([workbook, Buffer.alloc(Math.max(0, 4096 - workbook.length))]);
  return cfbFile(EXCEL_CLSID, [
    ['Workbook', padded],
    ['\u0001CompObj', compObj('Microsoft Excel 97-2003 Worksheet', 'Biff8', 'Excel.Sheet.8')],
    ...(opts.vba ? vbaStreams('_VBA_PROJECT_CUR/', opts.vba) : []),
  ]);
}

/**
 * A password-protected docx/xlsx as Office writes it: a CFB (not a zip) holding
 * EncryptionInfo (agile, 4.4) and EncryptedPackage, plus the DataSpaces storage.
 */
export function encryptedOfficeFile(seed: string, plainSize: number): Buffer {
  const rng = new Prng(seed);
  const b64 = (n: number) => rng.bytes(n).toString('base64');
  const xml =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
    '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">' +
    `<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="${b64(16)}"/>` +
    `<dataIntegrity encryptedHmacKey="${b64(64)}" encryptedHmacValue="${b64(64)}"/>` +
    '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">' +
    `<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="${b64(16)}" encryptedVerifierHashInput="${b64(16)}" encryptedVerifierHashValue="${b64(64)}" encryptedKeyValue="${b64(32)}"/>` +
    '</keyEncryptor></keyEncryptors></encryption>';
  const encryptionInfo = Buffer.concat([u16le(4), u16le(4), u32le(0x40), Buffer.from(xml, 'utf8')]);
  const cipherLen = Math.ceil(plainSize / 4096) * 4096;
  const encryptedPackage = Buffer.concat([u32le(plainSize), u32le(0), rng.bytes(cipherLen)]);
  const unicodeLp = (s: string) => {
    const b = Buffer.from(s, 'utf16le');
    return Buffer.concat([u32le(b.length), b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  };
  return cfbFile(null, [
    ['\u0006DataSpaces/Version', Buffer.concat([unicodeLp('Microsoft.Container.DataSpaces'), u16le(1), u16le(0), u16le(1), u16le(0), u16le(1), u16le(0)])],
    ['\u0006DataSpaces/DataSpaceMap', Buffer.concat([u32le(8), u32le(1), u32le(0x68), u32le(1), u32le(0), unicodeLp('EncryptedPackage'), unicodeLp('StrongEncryptionDataSpace')])],
    ['\u0006DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace', Buffer.concat([u32le(8), u32le(1), unicodeLp('StrongEncryptionTransform')])],
    ['\u0006DataSpaces/TransformInfo/StrongEncryptionTransform/\u0006Primary', Buffer.concat([u32le(0x58), u32le(1), unicodeLp('{FF9A3F03-56EF-4613-BDD5-5A41C1D07246}'), unicodeLp('Microsoft.Container.EncryptionTransform'), u16le(1), u16le(0), u16le(1), u16le(0), u16le(1), u16le(0), u32le(4), u32le(0)])],
    ['EncryptionInfo', encryptionInfo],
    ['EncryptedPackage', encryptedPackage],
  ]);
}

export interface MsgAttachment {
  readonly fileName: string;
  readonly data: Buffer;
  readonly mimeType: string;
}

export interface OutlookMsgOptions {
  readonly subject: string;
  readonly body: string;
  readonly senderName: string;
  readonly senderEmail: string;
  readonly attachments: readonly MsgAttachment[];
}

/** Property stream entry for a variable-length property (string or binary) stored in its own substg stream. */
function varProp(tag: number, size: number): Buffer {
  return Buffer.concat([u32le(tag), u32le(0x06), u32le(size), u32le(0)]);
}

/** Outlook .msg (MS-OXMSG): named substg streams for subject, body, sender and each attachment. */
export function outlookMsg(opts: OutlookMsgOptions): Buffer {
  const str = (s: string) => Buffer.from(s, 'utf16le');
  const top: Array<[number, Buffer]> = [
    [0x001a001f, str('IPM.Note')],
    [0x0037001f, str(opts.subject)],
    [0x1000001f, str(opts.body)],
    [0x0c1a001f, str(opts.senderName)],
    [0x0c1f001f, str(opts.senderEmail)],
    [0x0e1d001f, str(opts.subject)],
  ];
  const streams: Array<readonly [string, Buffer]> = [];
  const hex = (tag: number) => tag.toString(16).toUpperCase().padStart(8, '0');
  for (const [tag, data] of top) streams.push([`__substg1.0_${hex(tag)}`, data]);
  const header = Buffer.concat([Buffer.alloc(8), u32le(0), u32le(opts.attachments.length), u32le(0), u32le(opts.attachments.length), Buffer.alloc(8)]);
  streams.push(['__properties_version1.0', Buffer.concat([header, ...top.map(([tag, d]) => varProp(tag, d.length + 2))])]);
  streams.push(['__nameid_version1.0/__substg1.0_00020102', Buffer.alloc(0)]);
  streams.push(['__nameid_version1.0/__substg1.0_00030102', Buffer.alloc(0)]);
  streams.push(['__nameid_version1.0/__substg1.0_00040102', Buffer.alloc(0)]);
  opts.attachments.forEach((a, i) => {
    const dir = `__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
    const props: Array<[number, Buffer]> = [
      [0x3707001f, str(a.fileName)], // PidTagAttachLongFilename
      [0x3704001f, str(a.fileName.slice(0, 12))], // PidTagAttachFilename
      [0x3001001f, str(a.fileName)], // PidTagDisplayName
      [0x370e001f, str(a.mimeType)], // PidTagAttachMimeTag
      [0x37010102, a.data], // PidTagAttachDataBinary
    ];
    for (const [tag, data] of props) streams.push([`${dir}/__substg1.0_${hex(tag)}`, data]);
    const fixed = Buffer.concat([u32le(0x37050003), u32le(0x06), u32le(1), u32le(0)]); // PidTagAttachMethod = ATTACH_BY_VALUE
    streams.push([`${dir}/__properties_version1.0`, Buffer.concat([Buffer.alloc(8), fixed, ...props.map(([tag, d]) => varProp(tag, (tag & 0xffff) === 0x001f ? d.length + 2 : d.length))])]);
  });
  return cfbFile('00020d0b-0000-0000-c000-000000000046', streams);
}
