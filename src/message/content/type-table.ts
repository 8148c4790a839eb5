/**
 * Which family an extension belongs to: for a detected type (file-type's ext, or ours) and for a declared
 * name (to spot a visible extension that lies about the content).
 */
import type { TypeFamily } from '../model.js';
import { isExecutableExtension } from './executable-names.js';

const TABLE: Record<Exclude<TypeFamily, 'unknown'>, string> = {
  executable:
    'exe dll elf macho class msi msp mst lnk chm jar apk wasm swf crx xpi deb rpm appx msix reg com scr cpl sys ocx ' +
    'one dmg iso vhd vhdx img hta wsf wsc sh bat ps1 application appinstaller url iqy',
  word: 'doc docx docm dot dotx dotm rtf wbk wps',
  excel: 'xls xlsx xlsm xlsb xlt xltx xltm xla xlam slk',
  'office-other':
    'ppt pptx pptm pps ppsx ppsm pot potx potm ppa ppam odt ott ods ots odp otp odg otg vsd vsdx vsdm pub xps oxps epub mobi',
  pdf: 'pdf',
  image:
    'jpg jpeg jpe jfif png apng gif webp bmp dib tif tiff ico cur icns heic heif avif jxl jxr jp2 j2c jpx jpm psd xcf ' +
    'cr2 cr3 orf arw dng nef rw2 raf flif bpg ktx jls',
  audio: 'mp3 mp2 mp1 wav m4a m4b m4p aac ac3 amr ape flac mid midi ogg oga opus spx wma aif aiff voc wv mpc qcp dsf it s3m xm',
  video: 'mp4 m4v mov avi mkv webm wmv flv f4v mpg mpeg ogv 3gp 3g2 mts m2ts asf rm mxf mj2',
  archive: 'zip gz tgz tar tar.gz bz2 xz 7z rar cab lzh lha arj ace z lz lz4 zst cpio ar asar',
  message: 'eml msg tnef dat pst ost',
  text: 'txt text csv tsv log md json xml htm html xhtml svg ics vcf vtt ini cfg yaml yml',
  encrypted: 'pgp gpg asc p7m',
};

const FAMILY_BY_EXT = new Map<string, TypeFamily>();
for (const [family, exts] of Object.entries(TABLE) as [TypeFamily, string][]) {
  for (const ext of exts.split(' ')) FAMILY_BY_EXT.set(ext, family);
}

/** Family of a detected type's extension ('unknown' when we have no opinion). */
export function familyOfDetectedExt(ext: string): TypeFamily {
  return FAMILY_BY_EXT.get(ext.toLowerCase()) ?? 'unknown';
}

/**
 * Family a declared extension promises, or null when the extension promises nothing we can hold it to
 * ('dat', 'bin', no extension). Executable-by-name extensions promise 'executable'.
 */
export function familyOfDeclaredExt(ext: string): TypeFamily | null {
  const e = ext.toLowerCase();
  // 'dat' is winmail.dat but also any data file: it promises nothing.
  if (e === '' || e === 'dat' || e === 'bin') return null;
  const family = FAMILY_BY_EXT.get(e);
  if (family) return family;
  return isExecutableExtension(e) ? 'executable' : null;
}
