/**
 * Extensions that count as executable by name: scripts and shortcuts have no magic bytes, so the name is all
 * there is. Microsoft's Outlook Level-1 list ("Blocked attachments in Outlook"), plus the carriers named in
 * the inspection issue (.dll .one .img .sh .psm1 ...) and packaged installers. Policy can add more
 * (rules.executable-content.extraExtensions).
 */
import { extensionOf } from './file-name.js';

/** Outlook's Level-1 list of blocked attachment extensions (without dot). */
export const OUTLOOK_LEVEL1_EXTENSIONS: readonly string[] = [
  'ade', 'adp', 'app', 'appcontent-ms', 'application', 'appref-ms', 'asp', 'aspx', 'asx', 'bas', 'bat', 'bgi',
  'cab', 'cdxml', 'cer', 'chm', 'cmd', 'cnt', 'com', 'cpl', 'crt', 'csh', 'der', 'diagcab', 'exe', 'fxp',
  'gadget', 'grp', 'hlp', 'hpj', 'hta', 'htc', 'inf', 'ins', 'iso', 'isp', 'its', 'jar', 'jnlp', 'js', 'jse',
  'ksh', 'lnk', 'mad', 'maf', 'mag', 'mam', 'maq', 'mar', 'mas', 'mat', 'mau', 'mav', 'maw', 'mcf', 'mda',
  'mdb', 'mde', 'mdt', 'mdw', 'mdz', 'msc', 'msh', 'msh1', 'msh2', 'mshxml', 'msh1xml', 'msh2xml', 'msi',
  'msp', 'mst', 'msu', 'ops', 'osd', 'pcd', 'pif', 'pl', 'plg', 'prf', 'prg', 'printerexport', 'ps1',
  'ps1xml', 'ps2', 'ps2xml', 'psc1', 'psc2', 'psd1', 'psdm1', 'pssc', 'pst', 'py', 'pyc', 'pyo', 'pyw', 'pyz',
  'pyzw', 'reg', 'scf', 'scr', 'sct', 'settingcontent-ms', 'shb', 'shs', 'theme', 'tmp', 'udl', 'url', 'vb',
  'vbe', 'vbp', 'vbs', 'vhd', 'vhdx', 'vsmacros', 'vsw', 'webpnp', 'website', 'ws', 'wsb', 'wsc', 'wsf', 'wsh',
  'xbap', 'xll', 'xnk',
];

/** Carriers the issue names on top of Level 1, and installer packages that run code when opened. */
export const EXTRA_EXECUTABLE_EXTENSIONS: readonly string[] = [
  'dll', 'ocx', 'sys', 'drv', 'one', 'img', 'sh', 'elf', 'psm1', 'appx', 'appxbundle', 'msix', 'msixbundle',
  'appinstaller',
];

/** Every extension that is executable by name (without dot, lower-case). */
export const EXECUTABLE_EXTENSIONS: readonly string[] = [...OUTLOOK_LEVEL1_EXTENSIONS, ...EXTRA_EXECUTABLE_EXTENSIONS];

const BUILT_IN = new Set(EXECUTABLE_EXTENSIONS);

function normaliseExtension(ext: string): string {
  return ext.trim().replace(/^\.+/, '').toLowerCase();
}

/** Is this extension (with or without dot, any case) executable? `extra` adds configured extensions. */
export function isExecutableExtension(ext: string, extra: readonly string[] = []): boolean {
  const e = normaliseExtension(ext);
  if (e === '') return false;
  return BUILT_IN.has(e) || extra.some((x) => normaliseExtension(x) === e);
}

/** Does this file name end in an executable extension? `extra` adds configured extensions (with or without dot). */
export function isExecutableName(name: string, extra: readonly string[] = []): boolean {
  return isExecutableExtension(extensionOf(name), extra);
}
