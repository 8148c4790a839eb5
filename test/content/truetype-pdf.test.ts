/**
 * PDFs: launch actions, JavaScript, embedded files, read from the object structure whatever the xref says,
 * and the ordinary letter and form that must pass untouched.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  pdfDocument, pdfForm, pdfLetter, pdfWithAttachment, pdfWithHiddenJavaScript, pdfWithJavaScript, pdfWithLaunch,
} from '../../scripts/fixture-lib/pdf-files.js';
import { scanPdf } from '../../src/message/content/pdf-scan.js';
import { peFile, zip } from './builders.js';
import { analyse } from './helpers.js';

const LINES = ['Dear Ms Patel,', 'Please find the schedule below.', 'Regards, Alex'];

describe('PDF active content', () => {
  it('an ordinary letter and a form with Acrobat formatting are plain PDFs', async () => {
    for (const bytes of [pdfLetter(LINES), pdfForm(LINES)]) {
      const report = await analyse(bytes, 'letter.pdf');
      expect(report.detected).toMatchObject({ family: 'pdf', ext: 'pdf', macros: false });
      expect(report.unscannable).toBeNull();
      expect(report.members).toEqual([]);
    }
    expect(scanPdf(pdfForm(LINES))).toMatchObject({ scripts: 0, formScripts: 2 });
  });

  it('a launch action makes the PDF executable content', async () => {
    const report = await analyse(pdfWithLaunch(LINES), 'invoice.pdf');
    expect(report.detected).toMatchObject({ family: 'executable', ext: 'pdf' });
    expect(scanPdf(pdfWithLaunch(LINES)).launches).toEqual(['cmd.exe /c start invoice.exe']);
  });

  it('JavaScript on open is a macro, also when its names are #xx-escaped or hidden in an object stream', async () => {
    for (const bytes of [
      pdfWithJavaScript(LINES, 'app.launchURL("http://x.example/", true);'),
      pdfWithJavaScript(LINES, 'this.exportDataObject({cName: "a.exe", nLaunch: 2});', true),
      pdfWithHiddenJavaScript(LINES, 'app.alert(1);'),
    ]) {
      const report = await analyse(bytes, 'statement.pdf');
      expect(report.detected).toMatchObject({ family: 'pdf', macros: true });
    }
  });

  it('extracts an embedded program and analyses it as a member', async () => {
    const report = await analyse(pdfWithAttachment(LINES, 'update.exe', peFile()), 'notice.pdf');
    expect(report.detected).toMatchObject({ family: 'pdf' });
    expect(report.members.map((m) => [m.name, m.detected.family, m.location])).toEqual([
      ['update.exe', 'executable', ['notice.pdf', 'update.exe']],
    ]);
  });

  it('opens archives embedded in a PDF too, and leaves an embedded spreadsheet alone', async () => {
    const report = await analyse(pdfWithAttachment(LINES, 'data.zip', await zip({ 'run.js': 'WScript.Echo(1)' })), 'notice.pdf');
    expect(report.members.map((m) => [m.name, m.detected.family])).toEqual([
      ['data.zip', 'archive'],
      ['run.js', 'executable'],
    ]);
    const csv = await analyse(pdfWithAttachment(LINES, 'figures.csv', Buffer.from('a,b\n1,2\n')), 'notice.pdf');
    expect(csv.members.map((m) => m.detected.family)).toEqual(['text']);
    expect(csv.unscannable).toBeNull();
  });

  it('finds embedded files the /Type does not name, with a wrong /Length and a header after junk', async () => {
    const payload = deflateSync(peFile());
    const bytes = pdfDocument(
      [
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [] /Count 0 >>',
        '<< /Type /F#69lespec /F (a.pdf) /UF (tool.exe) /EF << /F 4 0 R >> >>',
        { dict: '/Filter /FlateDecode', data: payload },
      ],
      { prefix: 'junk junk\n', brokenXref: true },
    );
    // Make /Length lie: the stream's end is then found at endstream.
    const lying = Buffer.from(bytes.toString('latin1').replace(`/Length ${payload.length}`, '/Length 12'), 'latin1');
    const report = await analyse(lying, 'scan.pdf');
    expect(report.detected).toMatchObject({ ext: 'pdf' });
    expect(report.members.map((m) => [m.name, m.detected.family])).toEqual([['tool.exe', 'executable']]);
  });

  it('XFA script is a macro; an XFA form without script is not', async () => {
    const xfa = (body: string) =>
      pdfDocument([
        '<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>',
        '<< /Type /Pages /Kids [] /Count 0 >>',
        '<< /Fields [] /XFA [(template) 4 0 R] >>',
        { dict: '/Filter /FlateDecode', data: deflateSync(Buffer.from(`<template><subform>${body}</subform></template>`)) },
      ]);
    expect((await analyse(xfa('<event activity="initialize"><script contentType="application/x-javascript">xfa.host.gotoURL("x")</script></event>'), 'f.pdf')).detected.macros).toBe(true);
    expect((await analyse(xfa('<field name="a"/>'), 'f.pdf')).detected.macros).toBe(false);
  });

  it('an encrypted PDF whose objects sit in object streams says so: unscannable, not accepted blind', async () => {
    const bytes = pdfDocument([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      { dict: '/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', data: Buffer.from('8a1f0c3e77d0e1b2c3', 'hex') },
      '<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>',
    ]);
    const encrypted = Buffer.from(bytes.toString('latin1').replace('/Root 1 0 R', '/Root 1 0 R /Encrypt 4 0 R'), 'latin1');
    expect((await analyse(encrypted, 'statement.pdf')).unscannable).toBe('encrypted PDF: objects in its compressed object streams not read');
  });

  it('a text file that talks about PDF internals is not a PDF', async () => {
    const note = Buffer.from('Our template starts with %PDF-1.7 and the /JavaScript key is banned.\n');
    expect((await analyse(note, 'note.txt')).detected).toMatchObject({ family: 'text' });
  });
});
