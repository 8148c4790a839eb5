/**
 * Is a body candidate (a text/plain or text/html part without a name) really a file? Outlook shows a part
 * whose bytes are a program, an archive, an Office file or a PDF as an attachment (ATT00001.*) whatever its
 * Content-Type says, so such a part is inspected as one. Decided on the first bytes only: the common path
 * (a real text body) costs a loop over one kilobyte.
 */
import { inspectMz } from './content/pe.js';

const SAMPLE = 1024;

/** Text charsets whose bytes hold NULs: only file magic decides for them. */
const WIDE_CHARSET = /^(?:utf-?(?:16|32)|ucs-?[24])/i;

const MAGIC: readonly Buffer[] = [
  '%PDF-', '\x7fELF', 'PK\x03\x04', 'PK\x05\x06', 'PK\x07\x08', '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', '\xfe\xed\xfa\xce',
  '\xfe\xed\xfa\xcf', '\xce\xfa\xed\xfe', '\xcf\xfa\xed\xfe', '\xca\xfe\xba\xbe', '\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d',
  '\x1f\x8b\x08', '7z\xbc\xaf\x27\x1c', 'Rar!\x1a\x07', 'MSCF\x00\x00\x00\x00', 'L\x00\x00\x00\x01\x14\x02\x00', 'ITSF\x03\x00',
  '\x78\x9f\x3e\x22', 'conectix', 'vhdxfile',
].map((m) => Buffer.from(m, 'latin1'));

/** The first bytes say this part is a file, not text. */
export function bodyIsFile(head: Buffer, size: number, charset: string | false): boolean {
  if (head.length === 0) return false;
  if (MAGIC.some((m) => head.length >= m.length && head.compare(m, 0, m.length, 0, m.length) === 0)) return true;
  if (inspectMz(head, size)) return true;
  if (charset && WIDE_CHARSET.test(charset)) return false;
  const sample = head.subarray(0, SAMPLE);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i] as number;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  return control * 20 > sample.length;
}
