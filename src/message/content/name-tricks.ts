/**
 * Name tricks that need the true type: a double extension (an innocent-looking extension followed by an
 * executable one: 'report.docx.exe', 'invoice.pdf.js') and an extension mismatch (the visible extension
 * promises a different family from the one the bytes show: 'invoice.pdf' that is a PE, 'report.docx' that
 * is a plain zip). Images, sound and video count as one family here ('photo.jpg' that is a PNG is fine),
 * and text is text whatever it is called (a script is text; so is an XML spreadsheet named .xml).
 */
import type { NameTrick, TypeFamily } from '../model.js';
import type { Work } from './analysis-work.js';
import { isExecutableExtension } from './executable-names.js';
import { extensionsOf } from './file-name.js';
import { familyOfDeclaredExt } from './type-table.js';

const MEDIA = new Set<TypeFamily>(['image', 'audio', 'video']);

export function nameTricks(name: string | null, work: Work): NameTrick[] {
  if (!name) return [];
  const tricks: NameTrick[] = [];
  const exts = extensionsOf(name);
  const last = exts[exts.length - 1];
  const previous = exts[exts.length - 2];
  if (last && previous && isExecutableExtension(last)) {
    const promised = familyOfDeclaredExt(previous);
    if (promised && promised !== 'executable') tricks.push('double-extension');
  }
  if (last && mismatched(familyOfDeclaredExt(last), work)) tricks.push('extension-mismatch');
  return tricks;
}

function mismatched(declared: TypeFamily | null, work: Work): boolean {
  const actual = work.contentFamily;
  if (!declared || actual === 'unknown' || declared === actual) return false;
  if (MEDIA.has(declared) && MEDIA.has(actual)) return false;
  if (work.basis === 'text' && (declared === 'executable' || declared === 'text')) return false;
  return true;
}
