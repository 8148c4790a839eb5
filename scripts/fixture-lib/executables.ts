/**
 * Executable and unscannable content: PE, ELF, Windows shortcuts, ISO images, OneNote,
 * 7z/RAR signatures, TNEF (winmail.dat), and script text. Harmless: the code does nothing
 * and every URL points at a reserved .invalid name.
 */
import { crc32, guidBytes, padAscii, u16le, u32le, u64le } from './bytes.js';
import { Prng } from './prng.js';

/** A minimal, well-formed PE32 GUI executable: DOS header and stub, PE header, one .text section. */
export function peExe(productName = 'Setup'): Buffer {
  const f = Buffer.alloc(0x600);
  f.write('MZ', 0, 'latin1');
  f.writeUInt16LE(0x90, 2);
  f.writeUInt16LE(3, 4);
  f.writeUInt16LE(4, 8);
  f.writeUInt16LE(0xffff, 12);
  f.writeUInt16LE(0xb8, 16);
  f.writeUInt16LE(0x40, 24);
  f.writeUInt32LE(0x80, 0x3c); // e_lfanew
  Buffer.from('0e1fba0e00b409cd21b8014ccd21', 'hex').copy(f, 0x40);
  f.write('This program cannot be run in DOS mode.\r\r\n$', 0x4e, 'latin1');
  let p = 0x80;
  f.write('PE\0\0', p, 'latin1');
  p += 4;
  // COFF header
  f.writeUInt16LE(0x014c, p); // i386
  f.writeUInt16LE(2, p + 2); // sections
  f.writeUInt32LE(0x67b0a1c2, p + 4); // timestamp (fixed)
  f.writeUInt16LE(0xe0, p + 16); // optional header size
  f.writeUInt16LE(0x0102, p + 18); // executable, 32-bit
  p += 20;
  // Optional header (PE32)
  const opt = p;
  f.writeUInt16LE(0x010b, opt);
  f.writeUInt8(14, opt + 2);
  f.writeUInt32LE(0x200, opt + 4); // size of code
  f.writeUInt32LE(0x200, opt + 8); // size of initialised data
  f.writeUInt32LE(0x1000, opt + 16); // entry point
  f.writeUInt32LE(0x1000, opt + 20); // base of code
  f.writeUInt32LE(0x2000, opt + 24); // base of data
  f.writeUInt32LE(0x400000, opt + 28); // image base
  f.writeUInt32LE(0x1000, opt + 32); // section alignment
  f.writeUInt32LE(0x200, opt + 36); // file alignment
  f.writeUInt16LE(6, opt + 40); // OS version
  f.writeUInt16LE(6, opt + 48); // subsystem version
  f.writeUInt32LE(0x3000, opt + 56); // size of image
  f.writeUInt32LE(0x200, opt + 60); // size of headers
  f.writeUInt16LE(2, opt + 68); // GUI
  f.writeUInt16LE(0x8140, opt + 70); // DLL characteristics: NX, DYNAMIC_BASE, TS aware
  f.writeUInt32LE(0x100000, opt + 72);
  f.writeUInt32LE(0x1000, opt + 76);
  f.writeUInt32LE(0x100000, opt + 80);
  f.writeUInt32LE(0x1000, opt + 84);
  f.writeUInt32LE(16, opt + 92); // number of data directories
  p = opt + 0xe0;
  const section = (name: string, va: number, raw: number, flags: number) => {
    padAscii(name, 8, '\0').copy(f, p);
    f.writeUInt32LE(0x200, p + 8);
    f.writeUInt32LE(va, p + 12);
    f.writeUInt32LE(0x200, p + 16);
    f.writeUInt32LE(raw, p + 20);
    f.writeUInt32LE(flags, p + 36);
    p += 40;
  };
  section('.text', 0x1000, 0x200, 0x60000020);
  section('.rdata', 0x2000, 0x400, 0x40000040);
  Buffer.from([0x31, 0xc0, 0xc3]).copy(f, 0x200); // xor eax, eax; ret
  f.write(`${productName}\0Microsoft Visual C++ Runtime Library\0`, 0x400, 'latin1');
  return f;
}

/** A minimal ELF64 x86-64 executable that calls exit(0). */
export function elfExe(): Buffer {
  const f = Buffer.alloc(0xb0);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(f, 0);
  f.writeUInt16LE(2, 16); // ET_EXEC
  f.writeUInt16LE(0x3e, 18); // x86-64
  f.writeUInt32LE(1, 20);
  f.writeBigUInt64LE(0x400078n, 24); // entry
  f.writeBigUInt64LE(0x40n, 32); // phoff
  f.writeUInt16LE(64, 52);
  f.writeUInt16LE(56, 54);
  f.writeUInt16LE(1, 56);
  // PT_LOAD
  f.writeUInt32LE(1, 0x40);
  f.writeUInt32LE(5, 0x44);
  f.writeBigUInt64LE(0x400000n, 0x50);
  f.writeBigUInt64LE(0x400000n, 0x58);
  f.writeBigUInt64LE(0xb0n, 0x60);
  f.writeBigUInt64LE(0xb0n, 0x68);
  f.writeBigUInt64LE(0x1000n, 0x70);
  // mov eax, 60; xor edi, edi; syscall
  Buffer.from([0xb8, 0x3c, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05]).copy(f, 0x78);
  return f;
}

/**
 * A Windows shortcut (.lnk, MS-SHLLINK) that starts PowerShell hidden: the classic
 * phishing attachment. Header, relative path and arguments as Unicode StringData.
 */
export function windowsShortcut(args: string): Buffer {
  const header = Buffer.alloc(0x4c);
  header.writeUInt32LE(0x4c, 0);
  guidBytes('00021401-0000-0000-c000-000000000046').copy(header, 4);
  header.writeUInt32LE(0x08 | 0x20 | 0x80 | 0x40, 0x14); // HasRelativePath | HasArguments | IsUnicode | HasIconLocation
  header.writeUInt32LE(0x20, 0x18); // FILE_ATTRIBUTE_ARCHIVE
  header.writeUInt32LE(0x7, 0x3c); // SW_SHOWMINNOACTIVE
  const s = (t: string) => Buffer.concat([u16le(t.length), Buffer.from(t, 'utf16le')]);
  return Buffer.concat([
    header,
    s('..\\..\\..\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'),
    s(args),
    s('%SystemRoot%\\System32\\shell32.dll'),
  ]);
}

/** An ISO 9660 image: empty system area, primary volume descriptor ('CD001' at 0x8001), terminator. */
export function isoImage(volumeId: string): Buffer {
  const f = Buffer.alloc(0x8000 + 2048 * 3);
  const pvd = 0x8000;
  f[pvd] = 1;
  f.write('CD001', pvd + 1, 'latin1');
  f[pvd + 6] = 1;
  padAscii('WIN32', 32).copy(f, pvd + 8);
  padAscii(volumeId.toUpperCase(), 32).copy(f, pvd + 40);
  f.writeUInt32LE(19, pvd + 80); // volume space size (both-endian)
  f.writeUInt32BE(19, pvd + 84);
  f.writeUInt16LE(2048, pvd + 128);
  f.writeUInt16BE(2048, pvd + 130);
  f[pvd + 881] = 1;
  const term = 0x8800;
  f[term] = 0xff;
  f.write('CD001', term + 1, 'latin1');
  f[term + 6] = 1;
  return f;
}

/** A OneNote section (.one): its file-format GUID, then opaque data. */
export function oneNoteSection(seed: string): Buffer {
  return Buffer.concat([guidBytes('7b5c52e4-d88c-4da7-aeb1-5378d02996d3'), new Prng(seed).bytes(4080)]);
}

/** A 7-Zip archive: signature header with correct CRCs, then opaque (compressed) data. */
export function sevenZip(seed: string, size = 2048): Buffer {
  const body = new Prng(seed).bytes(size);
  const next = Buffer.concat([u64le(body.length - 64), u64le(64), u32le(crc32(body.subarray(body.length - 64)))]);
  return Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]), u32le(crc32(next)), next, body]);
}

/** A RAR 5 archive: signature, then opaque data. */
export function rar5(seed: string, size = 2048): Buffer {
  return Buffer.concat([Buffer.from([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00]), new Prng(seed).bytes(size)]);
}

/** One TNEF attribute: level, id (type << 16 | tag), length, data, checksum. */
function tnefAttr(level: number, id: number, data: Buffer): Buffer {
  let sum = 0;
  for (const b of data) sum = (sum + b) & 0xffff;
  return Buffer.concat([Buffer.from([level]), u32le(id), u32le(data.length), data, u16le(sum)]);
}

/** winmail.dat (TNEF) carrying one attached file, as Outlook sends with rich text format. */
export function tnef(fileName: string, data: Buffer): Buffer {
  return Buffer.concat([
    u32le(0x223e9f78),
    u16le(0x0b3c),
    tnefAttr(1, 0x00089006, u32le(0x00010000)), // attTnefVersion
    tnefAttr(1, 0x00069007, Buffer.concat([u32le(1252), u32le(0)])), // attOemCodepage
    tnefAttr(1, 0x00078008, Buffer.from('IPM.Microsoft Mail.Note\0', 'latin1')), // attMessageClass
    tnefAttr(1, 0x00018004, Buffer.from('Duty rota\0', 'latin1')), // attSubject
    tnefAttr(2, 0x00069002, Buffer.concat([u16le(1), u32le(0xffffffff), u32le(0), u32le(0)])), // attAttachRendData
    tnefAttr(2, 0x00018010, Buffer.from(`${fileName}\0`, 'latin1')), // attAttachTitle
    tnefAttr(2, 0x0006800f, data), // attAttachData
  ]);
}
