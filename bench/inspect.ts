/**
 * npm run bench:inspect — inspection speed and memory.
 *  - median and p99 inspection time per message over the fixture corpus (in memory, warm)
 *  - a typical 10 KB business message: median time and messages per second on one core
 *  - a 1 MB plain-text message shaped like smtp-source's (80-column lines, what bench:relay and
 *    bench:milter send): the inspection's own cost per megabyte, the floor under their 1 MB figures
 *  - peak RSS growth while inspecting a generated 25 MB message with one large attachment, streamed
 *  - a 5 MB PDF (120 pages, images, an embedded file, a form): median time and peak RSS growth
 *  - a 5 MB business docx with photos, an embedded workbook and a packaged PDF: median time and RSS growth
 * Targets (issue 3): 10 KB message < 1 ms median; 25 MB message < 64 MB RSS growth.
 */
import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { defaultPolicyPath, loadPolicy } from '../src/config/load-policy.js';
import { inspect } from '../src/inspect.js';
import type { Envelope } from '../src/message/envelope.js';
import { fivePdfMegabytes, pdfMessage } from './pdf-sample.js';
import { officeDocumentMessage } from './office-document.js';

const policy = await loadPolicy(defaultPolicyPath());
const envelope: Envelope = { mailFrom: 'alex.turner@met.police.uk', rcptTo: ['sam.jones@met.police.uk'] };

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function timeOne(buf: Buffer): Promise<number> {
  const t0 = process.hrtime.bigint();
  await inspect(envelope, Readable.from([buf]), policy);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Headers as smtp-source writes them, then numbered 80-column lines up to `bytes`. */
function smtpSourceLikeMessage(bytes: number): Buffer {
  const head = 'From: <a@example.org>\r\nTo: <b@example.org>\r\nDate: Wed, 2 Dec 2026 18:33:29 +0000\r\nMessage-Id: <bench-1mb@vm>\r\n\r\n';
  const lines: string[] = [];
  let size = head.length;
  for (let n = 1; size < bytes; n++) {
    const line = `${n}`.padEnd(78, 'X') + '\r\n';
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(head + lines.join(''));
}

function typicalBusinessMessage(): Buffer {
  const para =
    'Please find below the arrangements for the borough tasking meeting on Thursday. Attendance is expected from ' +
    'each team lead; apologies to the duty inspector by noon on Wednesday. ';
  const text = Array.from({ length: 26 }, () => para).join('\r\n');
  const html = `<html><body><p>${Array.from({ length: 26 }, () => para).join('</p><p>')}</p></body></html>`;
  return Buffer.from(
    [
      'From: Alex Turner <alex.turner@met.police.uk>',
      'To: Sam Jones <sam.jones@met.police.uk>',
      'Subject: Borough tasking meeting - Thursday',
      'Date: Mon, 23 Nov 2026 09:00:00 +0000',
      'Message-ID: <bench-typical@met.police.uk>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      text,
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

/** A 25 MB message generated as a stream: never held whole in memory. */
function largeMessage(totalBytes: number): Readable {
  const head = Buffer.from(
    [
      'From: Alex Turner <alex.turner@met.police.uk>',
      'To: Sam Jones <sam.jones@met.police.uk>',
      'Subject: Scene survey data',
      'Message-ID: <bench-large@met.police.uk>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b2"',
      '',
      '--b2',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Survey data attached.',
      '--b2',
      'Content-Type: application/octet-stream; name="survey.bin"',
      'Content-Disposition: attachment; filename="survey.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      '',
    ].join('\r\n'),
  );
  const tail = Buffer.from('\r\n--b2--\r\n');
  const lineBytes = 76;
  const raw = Buffer.alloc(57);
  let produced = head.length + tail.length;
  let seed = 12345;
  function* chunks() {
    yield head;
    while (produced < totalBytes) {
      const lines: string[] = [];
      for (let i = 0; i < 1000 && produced < totalBytes; i++) {
        for (let j = 0; j < raw.length; j++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          raw[j] = seed & 0xff;
        }
        lines.push(raw.toString('base64'));
        produced += lineBytes + 2;
      }
      yield Buffer.from(lines.join('\r\n') + '\r\n');
    }
    yield tail;
  }
  return Readable.from(chunks());
}

async function rssGrowth(): Promise<{ peakMb: number; ms: number; decision: string }> {
  await timeOne(typicalBusinessMessage());
  global.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const t0 = Date.now();
  const { verdict } = await inspect(envelope, largeMessage(25 * 1024 * 1024 - 64 * 1024), policy);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { peakMb: (peak - base) / 1048576, ms: Date.now() - t0, decision: verdict.decision };
}

/**
 * The 5 MB docx with embedded objects: median of a few runs here, RSS growth in a fresh process
 * (after the 25 MB message this one fits in memory that one already took).
 */
async function officeDocument(): Promise<{ bytes: number; medianMs: number; peakMb: number; decision: string }> {
  const message = await officeDocumentMessage();
  const runs: number[] = [];
  for (let i = 0; i < 9; i++) runs.push(await timeOne(message));
  runs.sort((a, b) => a - b);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'office-document.ts')], { encoding: 'utf8' });
  const measured = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { peakMb?: number; decision?: string };
  return { bytes: message.length, medianMs: quantile(runs, 0.5), peakMb: measured.peakMb ?? NaN, decision: measured.decision ?? 'unknown' };
}

const rss = await rssGrowth();
const office = await officeDocument();

const dir = join(import.meta.dirname, '..', 'fixtures');
const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.eml')).sort();
const corpus = await Promise.all(files.map((f) => readFile(join(dir, f))));
for (const buf of corpus) await timeOne(buf); // warm-up
const times: number[] = [];
const rounds = 20;
for (let r = 0; r < rounds; r++) for (const buf of corpus) times.push(await timeOne(buf));
times.sort((a, b) => a - b);

const typical = typicalBusinessMessage();
for (let i = 0; i < 200; i++) await timeOne(typical);
const typicalTimes: number[] = [];
const t0 = Date.now();
for (let i = 0; i < 2000; i++) typicalTimes.push(await timeOne(typical));
const elapsed = (Date.now() - t0) / 1000;
typicalTimes.sort((a, b) => a - b);

const textMb = smtpSourceLikeMessage(1_048_576);
for (let i = 0; i < 10; i++) await timeOne(textMb);
const textTimes: number[] = [];
for (let i = 0; i < 40; i++) textTimes.push(await timeOne(textMb));
textTimes.sort((a, b) => a - b);

const fmt = (n: number) => n.toFixed(3);
console.log(`mailwarden bench:inspect (node ${process.version}, one core)`);
console.log(`fixture corpus: ${corpus.length} messages x ${rounds} rounds`);
console.log(`  median ${fmt(quantile(times, 0.5))} ms   p99 ${fmt(quantile(times, 0.99))} ms   max ${fmt(times[times.length - 1]!)} ms`);
console.log(`typical ${typical.length} B business message:`);
console.log(`  median ${fmt(quantile(typicalTimes, 0.5))} ms   p99 ${fmt(quantile(typicalTimes, 0.99))} ms   ${Math.round(typicalTimes.length / elapsed)} msg/s`);
console.log(`1 MB plain-text message (smtp-source's shape): median ${fmt(quantile(textTimes, 0.5))} ms   p99 ${fmt(quantile(textTimes, 0.99))} ms`);
console.log(`25 MB message with one large attachment: ${rss.ms} ms, decision ${rss.decision}, peak RSS growth ${rss.peakMb.toFixed(1)} MB`);

const pdf = fivePdfMegabytes();
const pdfMail = pdfMessage(pdf);
global.gc?.();
const pdfBase = process.memoryUsage.rss();
let pdfPeak = pdfBase;
const pdfTimer = setInterval(() => {
  pdfPeak = Math.max(pdfPeak, process.memoryUsage.rss());
}, 5);
const pdfTimes: number[] = [];
for (let i = 0; i < 10; i++) pdfTimes.push(await timeOne(pdfMail));
pdfTimes.shift(); // the first run warms up
clearInterval(pdfTimer);
pdfTimes.sort((a, b) => a - b);
console.log(
  `${(pdf.length / 1048576).toFixed(1)} MB PDF in a ${(pdfMail.length / 1048576).toFixed(1)} MB message: median ${fmt(quantile(pdfTimes, 0.5))} ms, ` +
    `peak RSS growth ${((Math.max(pdfPeak, process.memoryUsage.rss()) - pdfBase) / 1048576).toFixed(1)} MB`,
);
console.log(
  `${(office.bytes / 1048576).toFixed(1)} MB message with a docx carrying photos, an embedded workbook and a packaged PDF: ` +
    `median ${office.medianMs.toFixed(1)} ms, decision ${office.decision}, peak RSS growth ${office.peakMb.toFixed(1)} MB`,
);
