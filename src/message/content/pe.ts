/**
 * Windows executables. file-type calls anything that starts with 'MZ' an exe; we confirm the header.
 * Decision: 'MZ' followed by a PE (or NE/LE/LX) header at e_lfanew is a Windows executable (a DLL when the
 * PE header says so). 'MZ' without one is still an executable when the DOS header is self-consistent
 * (a real DOS program, which Windows will run); 'MZ' with a nonsense header is not an executable at all and
 * falls through to the other tests (text that happens to start with 'MZ').
 */

export type MzKind = 'pe-exe' | 'pe-dll' | 'windows-legacy' | 'dos';

const IMAGE_FILE_DLL = 0x2000;

export function inspectMz(head: Buffer, size: number): MzKind | null {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return null;
  const lfanew = head.readUInt32LE(0x3c);
  if (lfanew >= 0x40 && lfanew + 24 <= head.length) {
    const sig = head.toString('latin1', lfanew, lfanew + 4);
    if (sig === 'PE\0\0') {
      const characteristics = head.readUInt16LE(lfanew + 22);
      return characteristics & IMAGE_FILE_DLL ? 'pe-dll' : 'pe-exe';
    }
    const short = sig.slice(0, 2);
    if (short === 'NE' || short === 'LE' || short === 'LX') return 'windows-legacy';
  }
  // DOS header sanity: bytes on last page < 512, at least one page, header fits in the image and the file.
  const lastPage = head.readUInt16LE(2);
  const pages = head.readUInt16LE(4);
  const headerParagraphs = head.readUInt16LE(8);
  const relocOffset = head.readUInt16LE(0x18);
  const imageSize = pages * 512 - (lastPage ? 512 - lastPage : 0);
  const plausible =
    lastPage < 512 &&
    pages > 0 &&
    headerParagraphs >= 2 &&
    headerParagraphs * 16 <= imageSize &&
    imageSize <= size + 512 &&
    relocOffset >= 0x1c &&
    relocOffset <= headerParagraphs * 16;
  return plausible ? 'dos' : null;
}
