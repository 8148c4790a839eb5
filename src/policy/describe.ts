/**
 * Words for findings: what a compliance officer reads. Names the thing found ("'holiday.jpg'
 * (JPEG image)"), where it sits ("in 'photos.zip'"), and sizes in KB/MB.
 */
import type { Attachment, DetectedType, MarkingHit, NameTrick, TypeFamily } from '../message/model.js';

const BY_EXT: Readonly<Record<string, string>> = {
  jpg: 'JPEG image', jpeg: 'JPEG image', png: 'PNG image', gif: 'GIF image', webp: 'WebP image', bmp: 'BMP image',
  tif: 'TIFF image', tiff: 'TIFF image', heic: 'HEIC image', avif: 'AVIF image', svg: 'SVG image', ico: 'icon image',
  mp3: 'MP3 audio', wav: 'WAV audio', m4a: 'M4A audio', ogg: 'Ogg audio', oga: 'Ogg audio', flac: 'FLAC audio',
  aac: 'AAC audio', amr: 'AMR audio', wma: 'Windows Media audio', mid: 'MIDI audio',
  mp4: 'MP4 video', m4v: 'MP4 video', mov: 'QuickTime video', avi: 'AVI video', mkv: 'Matroska video',
  webm: 'WebM video', wmv: 'Windows Media video', mpg: 'MPEG video', '3gp': '3GP video', flv: 'Flash video',
  doc: 'Word document', docx: 'Word document', docm: 'Word document with macros', dot: 'Word template',
  dotx: 'Word template', dotm: 'Word template with macros', rtf: 'RTF document',
  xls: 'Excel workbook', xlsx: 'Excel workbook', xlsm: 'Excel workbook with macros', xlsb: 'Excel binary workbook',
  xltm: 'Excel template with macros', xlam: 'Excel add-in', ppt: 'PowerPoint presentation',
  pptx: 'PowerPoint presentation', pptm: 'PowerPoint presentation with macros', one: 'OneNote file',
  vsdx: 'Visio drawing', pdf: 'PDF document',
  exe: 'Windows program', dll: 'Windows library', sys: 'Windows driver', scr: 'Windows screen saver program',
  com: 'DOS program', pif: 'Windows program shortcut', cpl: 'Control Panel program', elf: 'Linux program',
  macho: 'macOS program', msi: 'Windows installer', msp: 'Windows installer patch', lnk: 'Windows shortcut',
  url: 'Internet shortcut', js: 'JavaScript script', jse: 'encoded JavaScript script', vbs: 'VBScript script',
  vbe: 'encoded VBScript script', wsf: 'Windows Script File', wsh: 'Windows Script Host file',
  ps1: 'PowerShell script', psm1: 'PowerShell module', bat: 'batch script', cmd: 'batch script',
  hta: 'HTML application', jar: 'Java archive', class: 'Java class', reg: 'registry file', xll: 'Excel add-in program',
  sh: 'shell script', apk: 'Android app',
  wsc: 'Windows Script Component', application: 'ClickOnce application', appinstaller: 'App Installer file',
  scf: 'Windows Explorer command file', iqy: 'Excel web query', slk: 'SYLK spreadsheet', chm: 'compiled HTML help file',
  msix: 'Windows app package', vsix: 'Visual Studio extension',
  zip: 'zip archive', gz: 'gzip archive', tar: 'tar archive', '7z': '7-Zip archive', rar: 'RAR archive',
  cab: 'cabinet archive', bz2: 'bzip2 archive', xz: 'xz archive', iso: 'disk image', img: 'disk image',
  vhd: 'virtual disk image', vhdx: 'virtual disk image', dmg: 'macOS disk image',
  eml: 'email message', msg: 'Outlook message', dat: 'Outlook TNEF data', tnef: 'Outlook TNEF data (winmail.dat)', p7m: 'encrypted S/MIME data', pgp: 'encrypted PGP data', asc: 'PGP armoured data',
  txt: 'text file', csv: 'CSV file', html: 'HTML file', htm: 'HTML file', xml: 'XML file', ics: 'calendar invitation',
};

const BY_FAMILY: Readonly<Record<TypeFamily, string>> = {
  executable: 'program or script', word: 'Word document', excel: 'Excel workbook', 'office-other': 'Office document',
  pdf: 'PDF document', image: 'image', audio: 'audio file', video: 'video', archive: 'archive',
  message: 'email message', text: 'text file', encrypted: 'encrypted data', unknown: 'file of unknown type',
};

/** 'JPEG image', 'Word document with macros', 'password-protected zip archive'. */
export function typeLabel(d: DetectedType): string {
  let label = BY_EXT[d.ext.toLowerCase()] ?? BY_FAMILY[d.family];
  // HTML or SVG is only 'executable' when it carries script: say so, it is the whole point.
  if (d.family === 'executable' && d.basis !== 'name' && /^(html?|svg|xhtml)$/i.test(d.ext)) {
    label += d.activeContent ? ` carrying script: ${d.activeContent}` : ' carrying script';
  }
  // A PDF is only 'executable' for a launch action, and its 'macros' are JavaScript (pdf-item.ts).
  if (d.family === 'executable' && d.ext === 'pdf') label += ' with an action that launches a program';
  if (d.macros && d.ext === 'pdf') label += ' with JavaScript';
  else if (d.macros && !label.includes('macros')) label += ' with macros';
  // S/MIME and PGP are encrypted to a recipient's key, not with a password: say so only for password-protected files.
  if (d.encrypted && d.family !== 'encrypted') label = `password-protected ${label}`;
  return label;
}

const TRICKS: Readonly<Record<NameTrick, string>> = {
  'bidi-control': 'name disguised with right-to-left characters',
  'zero-width': 'name disguised with invisible characters',
  'double-extension': 'name with a double extension',
  'extension-mismatch': 'name does not match the content',
  'trailing-dots-or-spaces': 'name ends in dots or spaces',
};

export function trickLabel(t: NameTrick): string {
  return TRICKS[t];
}

function shorten(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The item's own name: declared name, else its place in the location, else its part number. */
export function itemName(a: Attachment): string {
  return shorten(a.name ?? a.location[a.location.length - 1] ?? `unnamed part ${a.id}`);
}

/** "'tool.exe' (Windows program) in 'report.zip'". */
export function describeItem(a: Attachment, extra?: string): string {
  const containers = a.location.slice(0, -1).map((c) => `'${shorten(c, 60)}'`);
  const where = containers.length ? ` in ${containers.reverse().join(' in ')}` : '';
  return `'${itemName(a)}' (${typeLabel(a.detected)}${extra ? `; ${extra}` : ''})${where}`;
}

/** Short evidence: 'report.zip/tool.exe: exe'. */
export function itemEvidence(a: Attachment): string {
  const path = a.location.length ? a.location.join('/') : itemName(a);
  return `${shorten(path, 160)}: ${a.detected.ext || a.detected.mime || a.detected.family}`;
}

/** "A, B, C and 4 more". */
export function listForReason(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Evidence lists stay short: at most `max` entries, then a count. */
export function capEvidence(items: readonly string[], max = 20): string[] {
  return items.length > max ? [...items.slice(0, max), `... and ${items.length - max} more`] : [...items];
}

/** 2 MB, 20 KB, 512 bytes (binary units, as the policy thresholds are). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${trim(n / 1024)} KB`;
  return `${trim(n / (1024 * 1024))} MB`;
}

function trim(x: number): string {
  return x >= 100 ? Math.round(x).toString() : x.toFixed(1).replace(/\.0$/, '');
}

const ATTACHED = 'attached-message:';

/** Where a marking was found, in words: 'in the subject', "in attachment 'a.docx'". */
export function markingPlace(hit: MarkingHit): string {
  if (hit.source === 'subject') return 'in the subject';
  if (hit.source === 'body') return 'in the body text';
  if (hit.source === 'header:x-protective-marking') return 'in the X-Protective-Marking header';
  if (hit.source === 'header:msip_labels') return 'in the sensitivity label (msip_labels header)';
  if (hit.source.startsWith('attachment:')) return `in attachment '${shorten(hit.source.slice('attachment:'.length), 60)}'`;
  if (hit.source.startsWith(ATTACHED)) {
    // 'attached-message:plan.eml:subject' -> "in plan.eml: the subject"
    const rest = hit.source.slice(ATTACHED.length);
    const colon = rest.indexOf(':');
    const inner = markingPlace({ ...hit, source: rest.slice(colon + 1) }).replace(/^in /, '');
    return `in ${shorten(rest.slice(0, colon), 60)}: ${inner}`;
  }
  return `in ${shorten(hit.source, 60)}`;
}

export function markingEvidence(hit: MarkingHit): string {
  return `${hit.level} (${hit.source}): ${shorten(hit.text, 60)}`;
}
