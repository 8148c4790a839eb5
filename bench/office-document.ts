/**
 * A business message with a 5 MB docx that is a container: three photographs (incompressible,
 * stored), an embedded xlsx, a packaged 1 MB PDF and a long report body. What bench:inspect
 * times for "a 5 MB docx with embedded objects" (issue 8).
 */
import { reportParagraphs } from '../scripts/fixture-lib/cases/common.js';
import { pdf } from '../scripts/fixture-lib/media.js';
import { base64Lines } from '../scripts/fixture-lib/mime.js';
import { packagerObjectBin } from '../scripts/fixture-lib/office-objects.js';
import { docx, xlsx } from '../scripts/fixture-lib/ooxml.js';

/** A JPEG's first bytes, then noise: what a camera photo looks like to a compressor. */
function photo(seed: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let s = seed;
  for (let i = 0; i < bytes; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out[i] = s >>> 16;
  }
  Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex').copy(out, 0);
  return out;
}

export async function officeDocumentMessage(): Promise<Buffer> {
  const workbook = await xlsx({ sheetName: 'Figures', rows: Array.from({ length: 400 }, (_, i) => [`Line ${i + 1}`, i * 17]) });
  const document = await docx({
    title: 'Quarterly performance report',
    paragraphs: reportParagraphs(600, 'performance'),
    parts: [
      { path: 'media/image1.jpeg', data: photo(1, 1_650_000), kind: 'image', store: true },
      { path: 'media/image2.jpeg', data: photo(2, 1_650_000), kind: 'image', store: true },
      { path: 'media/image3.jpeg', data: photo(3, 1_650_000), kind: 'image', store: true },
      { path: 'embeddings/Microsoft_Excel_Worksheet.xlsx', data: workbook, kind: 'package' },
      {
        path: 'embeddings/oleObject1.bin',
        data: packagerObjectBin({ label: 'Appendix A.pdf', sourcePath: 'C:\\Reports\\Appendix A.pdf', data: pdf('Appendix A', ['Figures'], 1_000_000) }),
        kind: 'oleObject',
      },
    ],
  });
  const head = [
    'From: Alex Turner <alex.turner@met.police.uk>',
    'To: Sam Jones <sam.jones@met.police.uk>',
    'Subject: Quarterly performance report',
    'Message-ID: <bench-office@met.police.uk>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b3"',
    '',
    '--b3',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The quarterly report is attached.',
    '--b3',
    'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="Quarterly report.docx"',
    'Content-Disposition: attachment; filename="Quarterly report.docx"',
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head), Buffer.from(base64Lines(document)), Buffer.from('\r\n--b3--\r\n')]);
}

/** Run as a script: peak RSS growth while inspecting the message once, in this fresh process, as JSON. */
async function measure(): Promise<void> {
  const { Readable } = await import('node:stream');
  const { defaultPolicyPath, loadPolicy } = await import('../src/config/load-policy.js');
  const { inspect } = await import('../src/inspect.js');
  const policy = await loadPolicy(defaultPolicyPath());
  const envelope = { mailFrom: 'alex.turner@met.police.uk', rcptTo: ['sam.jones@met.police.uk'] };
  const message = await officeDocumentMessage();
  await inspect(envelope, Readable.from([Buffer.from('Subject: warm-up\r\n\r\nx\r\n')]), policy);
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const { verdict } = await inspect(envelope, Readable.from([message]), policy);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  console.log(JSON.stringify({ peakMb: (peak - base) / 1048576, decision: verdict.decision }));
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await measure();
