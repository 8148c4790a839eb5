/**
 * Declared file names: strip the characters that hide a name's real ending.
 * Windows shows 'evil\u202Etxt.exe' as 'evilexe.txt' and runs 'tool.exe.' as 'tool.exe': what we keep is the
 * name the operating system will act on, and the tricks found on the way.
 */
import type { NameTrick } from '../model.js';

export interface CleanName {
  readonly name: string;
  readonly tricks: readonly NameTrick[];
}

// Not global: a /g regex keeps lastIndex between .test() calls.
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
const BIDI_ALL = new RegExp(BIDI.source, 'g');
/** Zero-width and other invisible format characters (soft hyphen, fillers, Unicode tags). */
const INVISIBLE = /[\u200B-\u200D\u2060-\u2064\u206A-\u206F\uFEFF\u00AD\u034F\u115F\u1160\u180E\u3164\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'g');
/** C0 and C1 controls: never part of a real name; folded headers can leave CR, LF or TAB behind. */
const CONTROL_ALL = /[\u0000-\u001F\u007F-\u009F]/g;

export function cleanFileName(raw: string): CleanName {
  const tricks: NameTrick[] = [];
  let name = raw;
  if (BIDI.test(name)) {
    tricks.push('bidi-control');
    name = name.replace(BIDI_ALL, '');
  }
  if (INVISIBLE.test(name)) {
    tricks.push('zero-width');
    name = name.replace(INVISIBLE_ALL, '');
  }
  name = name.replace(CONTROL_ALL, '').trimStart();
  // Windows drops trailing dots and spaces, so 'tool.exe. ' runs as 'tool.exe'.
  const trimmed = trimTrailingDots(name);
  if (trimmed.length < name.length) {
    tricks.push('trailing-dots-or-spaces');
    name = trimmed;
  }
  return { name, tricks };
}

/** Strip trailing dots and white space (by hand: /[.\s]+$/ is quadratic on a long run that does not end the name). */
function trimTrailingDots(name: string): string {
  let end = name.length;
  while (end > 0 && (name[end - 1] === '.' || /\s/.test(name[end - 1]!))) end -= 1;
  return name.slice(0, end);
}

/** The last path segment of a name ('a/b\\c.txt' -> 'c.txt'). */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 ? path.slice(cut + 1) : path;
}

/** The extensions of a base name, lower-case, outermost last: 'Report.Docx.EXE' -> ['docx', 'exe']. */
export function extensionsOf(name: string): string[] {
  const parts = trimTrailingDots(baseName(name)).split('.');
  if (parts.length < 2) return [];
  // The first part is the stem; '.exe' alone still has the extension 'exe', as Windows sees it.
  return parts
    .slice(1)
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '');
}

/** The visible extension, lower-case, without dot ('' when none). */
export function extensionOf(name: string): string {
  const exts = extensionsOf(name);
  return exts[exts.length - 1] ?? '';
}
