import { describe, expect, it } from 'vitest';
import { dosFile, peFile } from './builders.js';
import { analyse } from './helpers.js';

const detect = async (bytes: Buffer, name: string | null = null) => (await analyse(bytes, name)).detected;

describe('executables by magic', () => {
  it('confirms a PE header and tells an exe from a dll', async () => {
    expect(await detect(peFile())).toMatchObject({ family: 'executable', ext: 'exe', basis: 'magic' });
    expect(await detect(peFile(true))).toMatchObject({ family: 'executable', ext: 'dll', basis: 'magic' });
  });

  it('counts a self-consistent DOS program as executable, but not text that starts with MZ', async () => {
    expect(await detect(dosFile())).toMatchObject({ family: 'executable', ext: 'exe' });
    const text = Buffer.from(`MZ is the start of this note, and nothing else.\n${'Just words here. '.repeat(10)}`);
    expect(await detect(text)).toMatchObject({ family: 'text', ext: 'txt' });
  });

  it('finds ELF, Mach-O (thin and fat) and Java classes', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]);
    expect(await detect(elf)).toMatchObject({ family: 'executable', ext: 'elf' });
    const macho = Buffer.concat([Buffer.from('cffaedfe07000001', 'hex'), Buffer.alloc(120)]);
    expect(await detect(macho)).toMatchObject({ family: 'executable', ext: 'macho' });
    const fat = Buffer.concat([Buffer.from('cafebabe00000002', 'hex'), Buffer.alloc(120)]);
    expect(await detect(fat)).toMatchObject({ family: 'executable', ext: 'macho' });
    const javaClass = Buffer.concat([Buffer.from('cafebabe00000041', 'hex'), Buffer.alloc(120)]);
    expect(await detect(javaClass)).toMatchObject({ family: 'executable', ext: 'class' });
  });

  it('treats a Windows shortcut as executable', async () => {
    const lnk = Buffer.concat([Buffer.from('4c0000000114020000000000c000000000000046', 'hex'), Buffer.alloc(100)]);
    expect(await detect(lnk)).toMatchObject({ family: 'executable', ext: 'lnk' });
  });
});

describe('media and documents by magic', () => {
  it.each([
    ['png', Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]), 'image'],
    ['jpg', Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), Buffer.alloc(64)]), 'image'],
    ['gif', Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(64)]), 'image'],
    ['mp3', Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), Buffer.from('fffb9064', 'hex'), Buffer.alloc(400)]), 'audio'],
    ['mp4', Buffer.concat([Buffer.from('0000001866747970', 'hex'), Buffer.from('isom\x00\x00\x02\x00isomiso2', 'latin1'), Buffer.alloc(64)]), 'video'],
    ['pdf', Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'pdf'],
    ['rtf', Buffer.from('{\\rtf1\\ansi Hello}'), 'word'],
  ])('%s', async (ext, bytes, family) => {
    expect(await detect(bytes)).toMatchObject({ ext, family, basis: 'magic' });
  });
});

describe('signatures tested by hand', () => {
  it('finds an ISO 9660 image at any of its volume descriptor offsets: executable and unscannable', async () => {
    for (const at of [0x8001, 0x8801, 0x9001]) {
      const iso = Buffer.alloc(0xa000);
      iso.write('CD001', at, 'latin1');
      const report = await analyse(iso, 'image.iso');
      expect(report.detected).toMatchObject({ ext: 'iso', family: 'executable' });
      expect(report.unscannable).toMatch(/ISO/);
    }
  });

  it('finds VHD by its footer or header copy, and VHDX', async () => {
    const footer = Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('conectix'), Buffer.alloc(504)]);
    expect(await detect(footer)).toMatchObject({ ext: 'vhd', family: 'executable' });
    const dynamic = Buffer.concat([Buffer.from('conectix'), Buffer.alloc(1000)]);
    expect(await detect(dynamic)).toMatchObject({ ext: 'vhd' });
    const vhdx = Buffer.concat([Buffer.from('vhdxfile'), Buffer.alloc(1000)]);
    const report = await analyse(vhdx, 'disk.vhdx');
    expect(report.detected).toMatchObject({ ext: 'vhdx', family: 'executable' });
    expect(report.unscannable).toMatch(/VHDX/);
  });

  it('finds OneNote, a carrier of programs', async () => {
    const one = Buffer.concat([Buffer.from('e4525c7b8cd8a74daeb15378d02996d3', 'hex'), Buffer.alloc(200)]);
    expect(await detect(one)).toMatchObject({ ext: 'one', family: 'executable' });
  });

  it('names formats it cannot open as unscannable', async () => {
    const sevenZip = Buffer.concat([Buffer.from('377abcaf271c0004', 'hex'), Buffer.alloc(200)]);
    const report = await analyse(sevenZip, 'x.7z');
    expect(report.detected).toMatchObject({ ext: '7z', family: 'archive' });
    expect(report.unscannable).toBe('cannot open 7z archives');
    const rar = Buffer.concat([Buffer.from('526172211a0700', 'hex'), Buffer.alloc(200)]);
    expect((await analyse(rar, 'x.rar')).unscannable).toBe('cannot open rar archives');
  });
});

describe('text, markup and scripts', () => {
  it('sniffs plain text and leaves it alone', async () => {
    const report = await analyse(Buffer.from('Hello,\nthe minutes are below.\n'), 'minutes.txt');
    expect(report.detected).toMatchObject({ family: 'text', ext: 'txt', basis: 'text' });
    expect(report.unscannable).toBeNull();
    expect(report.nameTricks).toEqual([]);
  });

  it('counts HTML with script, handlers or javascript: URLs as executable', async () => {
    for (const html of [
      '<html><body><script>alert(1)</script></body></html>',
      '<!DOCTYPE html><html><body onload="go()">x</body></html>',
      '<html><body><a href="javascript:alert(1)">x</a></body></html>',
    ]) {
      expect(await detect(Buffer.from(html), 'page.html')).toMatchObject({ family: 'executable', ext: 'html', basis: 'text' });
    }
  });

  it('leaves HTML without script as text, even with prose about handlers', async () => {
    const html = '<html><body><p>Click once = twice. Learn javascript: a guide.</p></body></html>';
    expect(await detect(Buffer.from(html), 'page.html')).toMatchObject({ family: 'text', ext: 'html' });
  });

  it('counts SVG with an event handler or script as executable', async () => {
    const svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(1)"><rect/></svg>';
    expect(await detect(Buffer.from(svg), 'logo.svg')).toMatchObject({ family: 'executable', ext: 'svg' });
    const clean = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>';
    expect(await detect(Buffer.from(clean), 'logo.svg')).toMatchObject({ family: 'text', ext: 'svg' });
  });

  it('finds script far into a large HTML file', async () => {
    const html = `<html><body>${'<p>padding</p>'.repeat(20_000)}<script>x()</script></body></html>`;
    expect(await detect(Buffer.from(html), 'big.htm')).toMatchObject({ family: 'executable' });
  });

  it('counts scripts and other magic-less executables by name', async () => {
    for (const name of ['run.js', 'a.VBS', 'b.ps1', 'c.bat', 'd.hta', 'e.wsf', 'f.url', 'g.reg', 'h.sh', 'i.jse', 'j.psm1']) {
      expect(await detect(Buffer.from('echo hello\n'), name)).toMatchObject({ family: 'executable', basis: 'name' });
    }
  });

  it('recognises PGP armour and XML spreadsheets', async () => {
    const pgp = Buffer.from('-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n');
    expect(await detect(pgp, 'message.asc')).toMatchObject({ family: 'encrypted' });
    const sheet = '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook></Workbook>';
    expect(await detect(Buffer.from(sheet), 'export.xml')).toMatchObject({ family: 'excel', ext: 'xml', macros: false });
  });

  it('reports an empty part as unknown', async () => {
    expect(await detect(Buffer.alloc(0), 'empty.txt')).toMatchObject({ family: 'unknown', basis: 'none' });
  });

  it('recognises a plain-text RFC 822 message and counts a hidden one unscannable', async () => {
    const eml = Buffer.from('Received: from x\r\nFrom: a@b.c\r\nTo: d@e.f\r\nSubject: hi\r\nMessage-ID: <1@b>\r\n\r\nbody\r\n');
    const report = await analyse(eml, 'fwd.eml');
    expect(report.detected).toMatchObject({ family: 'message', ext: 'eml' });
    expect(report.unscannable).toMatch(/attached message/);
  });
});
