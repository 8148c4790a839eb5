import { describe, expect, it } from 'vitest';
import { cfbFile, outlookMsg, peFile, tnefStream, zip } from './builders.js';
import { analyse } from './helpers.js';

describe('Outlook .msg', () => {
  it('reads subject and body markings and analyses its attachments as members', async () => {
    const msg = outlookMsg({
      subject: 'RESTRICTED: custody figures',
      body: 'Hello\r\n\r\nOFFICIAL-SENSITIVE [PERSONAL]\r\n\r\nSee attached.',
      attachments: [
        { name: 'figures.zip', data: await zip({ 'run.vbs': 'MsgBox 1' }) },
        { name: 'tool.exe', data: peFile() },
      ],
    });
    const report = await analyse(msg, 'forwarded.msg');
    expect(report.detected).toMatchObject({ family: 'message', ext: 'msg', basis: 'container' });
    expect(report.attachedMessage).toEqual({ subject: 'RESTRICTED: custody figures', from: [] });
    expect(report.markings.map((m) => [m.level, m.source])).toEqual([
      ['RESTRICTED', 'attachment:forwarded.msg'],
      ['OFFICIAL-SENSITIVE', 'attachment:forwarded.msg'],
    ]);
    expect(report.members.map((m) => [m.id, m.depth, m.detected.family])).toEqual([
      ['2/figures.zip', 1, 'archive'],
      ['2/figures.zip/run.vbs', 2, 'executable'],
      ['2/tool.exe', 1, 'executable'],
    ]);
    expect(report.unscannable).toBeNull();
  });

  it('opens an embedded message and its attachments', async () => {
    const u16 = (text: string): Buffer => Buffer.from(text, 'utf16le');
    const att = '__attach_version1.0_#00000000';
    const inner = `${att}/__substg1.0_3701000D`;
    const msg = cfbFile({
      '__properties_version1.0': Buffer.alloc(32),
      '__substg1.0_0037001F': u16('Outer'),
      [`${att}/__properties_version1.0`]: Buffer.alloc(8),
      [`${att}/__substg1.0_3707001F`]: u16('inner message'),
      [`${inner}/__properties_version1.0`]: Buffer.alloc(24),
      [`${inner}/__substg1.0_0037001F`]: u16('SECRET: inner subject'),
      [`${inner}/__attach_version1.0_#00000000/__properties_version1.0`]: Buffer.alloc(8),
      [`${inner}/__attach_version1.0_#00000000/__substg1.0_3707001F`]: u16('deep.exe'),
      [`${inner}/__attach_version1.0_#00000000/__substg1.0_37010102`]: peFile(),
    });
    const report = await analyse(msg, 'outer.msg');
    expect(report.markings).toEqual([]);
    expect(report.members.map((m) => [m.id, m.detected.family, m.markings.map((h) => h.level)])).toEqual([
      ['2/inner message.msg', 'message', ['SECRET']],
      ['2/inner message.msg/deep.exe', 'executable', []],
    ]);
    expect(report.members[0]!.markings[0]!.source).toBe('attachment:outer.msg > inner message.msg');
  });

  it('finds no markings in an ordinary message', async () => {
    const msg = outlookMsg({ subject: 'Secret Santa', body: 'Access is restricted to the car park.', attachments: [] });
    const report = await analyse(msg, 'santa.msg');
    expect(report.markings).toEqual([]);
    expect(report.members).toEqual([]);
  });
});

describe('TNEF (winmail.dat)', () => {
  it('decodes attachments and the subject', async () => {
    const tnef = tnefStream({
      subject: 'SECRET - plans',
      attachments: [
        { name: 'plan.txt', data: Buffer.from('the plan\n') },
        { name: 'setup.exe', data: peFile() },
      ],
    });
    const report = await analyse(tnef, 'winmail.dat');
    expect(report.detected).toMatchObject({ family: 'message', ext: 'tnef', basis: 'container' });
    expect(report.unscannable).toBeNull();
    expect(report.markings.map((m) => m.level)).toEqual(['SECRET']);
    expect(report.members.map((m) => [m.name, m.detected.family, m.size])).toEqual([
      ['plan.txt', 'text', 9],
      ['setup.exe', 'executable', 1024],
    ]);
  });

  it('turns a truncated stream into what could be read', async () => {
    const tnef = tnefStream({ attachments: [{ name: 'a.txt', data: Buffer.from('hello') }] });
    const report = await analyse(tnef.subarray(0, tnef.length - 10), 'winmail.dat');
    expect(report.members.map((m) => m.name)).toEqual(['a.txt']);
    expect(report.members[0]!.unscannable).toBe('TNEF attachment without data');
  });
});
