import { describe, expect, it } from 'vitest';
import {
  EXECUTABLE_EXTENSIONS, isExecutableExtension, isExecutableName, OUTLOOK_LEVEL1_EXTENSIONS,
} from '../../src/message/content/executable-names.js';
import { baseName, cleanFileName, extensionOf, extensionsOf } from '../../src/message/content/file-name.js';

describe('cleanFileName', () => {
  it('strips bidi controls and records them (RTLO hides .exe as .txt)', () => {
    expect(cleanFileName('invoice\u202Etxt.exe')).toEqual({ name: 'invoicetxt.exe', tricks: ['bidi-control'] });
    expect(cleanFileName('a\u2066b\u2069.pdf')).toEqual({ name: 'ab.pdf', tricks: ['bidi-control'] });
  });

  it('strips zero-width and other invisible characters', () => {
    expect(cleanFileName('re\u200Bport.d\u200Docx')).toEqual({ name: 'report.docx', tricks: ['zero-width'] });
    expect(cleanFileName('a\uFEFF\u00ADb.txt')).toEqual({ name: 'ab.txt', tricks: ['zero-width'] });
  });

  it('strips control characters silently', () => {
    expect(cleanFileName('re\r\n\tport\u0000.pdf')).toEqual({ name: 'report.pdf', tricks: [] });
  });

  it('strips trailing dots and spaces, as Windows does', () => {
    expect(cleanFileName('tool.exe. . ')).toEqual({ name: 'tool.exe', tricks: ['trailing-dots-or-spaces'] });
    expect(cleanFileName('plain.txt')).toEqual({ name: 'plain.txt', tricks: [] });
  });

  it('reports several tricks together and stays linear on long runs', () => {
    expect(cleanFileName('x\u202E\u200Bgpj.exe.').tricks).toEqual(['bidi-control', 'zero-width', 'trailing-dots-or-spaces']);
    const started = performance.now();
    cleanFileName(`${'.'.repeat(200_000)}x`);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('extensions', () => {
  it('splits names into lower-case extensions', () => {
    expect(extensionsOf('Report.Docx.EXE')).toEqual(['docx', 'exe']);
    expect(extensionsOf('archive.tar.gz')).toEqual(['tar', 'gz']);
    expect(extensionsOf('noext')).toEqual([]);
    expect(extensionsOf('dir/a.b/c')).toEqual([]);
    expect(extensionOf('invoice.pdf      .exe')).toBe('exe');
    expect(extensionsOf('invoice.pdf      .exe')).toEqual(['pdf', 'exe']);
    expect(extensionOf('tool.exe.')).toBe('exe');
    expect(baseName('a\\b/c.txt')).toBe('c.txt');
  });
});

describe('executable names', () => {
  it('holds the Outlook Level-1 list and the extra carriers', () => {
    for (const ext of ['exe', 'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'ps1', 'bat', 'cmd', 'hta', 'scr', 'com', 'pif', 'cpl', 'msi',
      'msp', 'jar', 'lnk', 'reg', 'url', 'vhd', 'vhdx', 'iso', 'appref-ms', 'settingcontent-ms', 'xll', 'chm']) {
      expect(OUTLOOK_LEVEL1_EXTENSIONS).toContain(ext);
    }
    for (const ext of ['dll', 'one', 'img', 'sh', 'elf', 'psm1']) expect(EXECUTABLE_EXTENSIONS).toContain(ext);
  });

  it('matches names case-insensitively, with configured extras', () => {
    expect(isExecutableName('SETUP.EXE')).toBe(true);
    expect(isExecutableName('tool.exe.')).toBe(true);
    expect(isExecutableName('notes.one')).toBe(true);
    expect(isExecutableName('report.docx')).toBe(false);
    expect(isExecutableName('exe')).toBe(false);
    expect(isExecutableName('macro.xlsm')).toBe(false);
    expect(isExecutableName('macro.xlsm', ['.XLSM'])).toBe(true);
    expect(isExecutableExtension('.Js')).toBe(true);
  });
});
