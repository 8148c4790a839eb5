/**
 * The few signatures file-type does not know and we test by hand: disk images (ISO 9660 / UDF, VHD, VHDX,
 * raw FAT images, DMG), OneNote, TNEF, every Mach-O variant, and the Java class / Mach-O fat split of
 * 0xCAFEBABE.
 */

export type HandType = 'iso' | 'vhd' | 'vhdx' | 'img' | 'dmg' | 'one' | 'tnef' | 'class' | 'macho';

/**
 * OneNote file GUIDs as stored (little-endian fields): a section {7B5C52E4-D88C-4DA7-AEB1-5378D02996D3}
 * and a table of contents {43FF2FA1-EFD9-4C76-9EE2-10EA5722765F}.
 */
const ONENOTE = [Buffer.from('e4525c7b8cd8a74daeb15378d02996d3', 'hex'), Buffer.from('a12fff43d9ef764c9ee210ea5722765f', 'hex')];
/** Thin Mach-O in either byte order (32 and 64 bit), and the 64-bit fat header. */
const MACHO_MAGICS = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabf]);
const TNEF_SIGNATURE = 0x223e9f78;
const END_SIG = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const VOLUME_IDS = ['CD001', 'BEA01', 'NSR02', 'NSR03', 'TEA01'];

/** Signatures in the first bytes. */
export function handTypeOfHead(head: Buffer): HandType | null {
  if (head.length >= 4 && head.readUInt32LE(0) === TNEF_SIGNATURE) return 'tnef';
  if (head.length >= 16 && ONENOTE.some((g) => head.subarray(0, 16).equals(g))) return 'one';
  if (head.length >= 8 && MACHO_MAGICS.has(head.readUInt32BE(0))) return 'macho';
  if (head.length >= 8) {
    const start = head.toString('latin1', 0, 8);
    if (start === 'vhdxfile') return 'vhdx';
    // A dynamic VHD starts with a copy of its footer.
    if (start === 'conectix') return 'vhd';
  }
  if (head.length >= 8 && head.readUInt32BE(0) === 0xcafebabe) {
    // Java class: minor, major (45..)); Mach-O fat: a small count of architectures.
    const major = head.readUInt16BE(6);
    return major >= 45 && major < 200 ? 'class' : 'macho';
  }
  for (const at of [0x8001, 0x8801, 0x9001]) {
    if (head.length >= at + 5 && VOLUME_IDS.includes(head.toString('latin1', at, at + 5))) return 'iso';
  }
  if (isFatBootSector(head)) return 'img';
  return null;
}

/** Signatures in the last bytes: a fixed VHD footer, a DMG trailer. */
export function handTypeOfTail(tail: Buffer): HandType | null {
  if (tail.length >= 512) {
    const footer = tail.subarray(tail.length - 512);
    if (footer.toString('latin1', 0, 8) === 'conectix') return 'vhd';
    if (footer.toString('latin1', 0, 4) === 'koly') return 'dmg';
  }
  // Older VHDs have a 511-byte footer.
  if (tail.length >= 511 && tail.toString('latin1', tail.length - 511, tail.length - 503) === 'conectix') return 'vhd';
  return null;
}

/** A FAT12/16/32 boot sector: jump instruction, 0x55AA at 510, the file-system name where FAT keeps it. */
function isFatBootSector(head: Buffer): boolean {
  if (head.length < 512 || head[510] !== 0x55 || head[511] !== 0xaa) return false;
  if (head[0] !== 0xeb && head[0] !== 0xe9) return false;
  const fs16 = head.toString('latin1', 0x36, 0x3b);
  const fs32 = head.toString('latin1', 0x52, 0x57);
  const ntfs = head.toString('latin1', 3, 7);
  return fs16.startsWith('FAT') || fs32.startsWith('FAT') || ntfs === 'NTFS' || head.toString('latin1', 3, 8) === 'EXFAT';
}

/**
 * Does the content end with a zip end-of-central-directory record (its comment running exactly to the
 * end)? What 7-Zip and WinRAR look for in a file that does not start like a zip.
 */
export function endsLikeZip(tail: Buffer): boolean {
  if (tail.length < 22) return false;
  for (let at = tail.lastIndexOf(END_SIG, tail.length - 22); at >= 0; at = at > 0 ? tail.lastIndexOf(END_SIG, at - 1) : -1) {
    if (tail.readUInt16LE(at + 20) === tail.length - at - 22) return true;
  }
  return false;
}
