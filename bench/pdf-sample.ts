/**
 * A 5 MB PDF for bench:inspect, as a 6.9 MB message: 120 pages of compressed text, each with a scanned
 * image (incompressible bytes, as a JPEG is), a document outline, an embedded CSV, and an AcroForm
 * with Acrobat's formatting script. Deterministic.
 */
import { deflateSync } from 'node:zlib';
import { pdfDocument, type PdfObject } from '../scripts/fixture-lib/pdf-files.js';
import { fillerBytes } from '../scripts/fixture-lib/prng.js';

export function fivePdfMegabytes(): Buffer {
  const pages = 120;
  const imageBytes = Math.floor((5 * 1024 * 1024) / pages) - 600;
  // 1 catalog, 2 pages, 3 filespec, 4 embedded file, 5 form field, then per page: page, content, image.
  const objects: PdfObject[] = [
    '<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(figures.csv) 3 0 R] >> >> /AcroForm << /Fields [5 0 R] >> >>',
    `<< /Type /Pages /Kids [${Array.from({ length: pages }, (_, i) => `${6 + 3 * i} 0 R`).join(' ')}] /Count ${pages} >>`,
    '<< /Type /Filespec /F (figures.csv) /UF (figures.csv) /EF << /F 4 0 R >> >>',
    { dict: '/Type /EmbeddedFile /Filter /FlateDecode', data: deflateSync(Buffer.from('month,count\nJan,12\nFeb,9\n'.repeat(200))) },
    '<< /FT /Tx /T (Total) /Subtype /Widget /Rect [72 60 300 80] /AA << /F << /S /JavaScript /JS (AFNumber_Format\\(0, 0, 0, 0, "", true\\);) >> >> >>',
  ];
  for (let i = 0; i < pages; i += 1) {
    const page = 6 + 3 * i;
    const text = `BT /F1 11 Tf 72 770 Td 14 TL ${Array.from({ length: 40 }, (_, l) => `(Scene survey page ${i + 1}, line ${l + 1}: measurements as recorded.) '`).join(' ')} ET\nq 400 0 0 300 72 300 cm /Im${i} Do Q\n`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${page + 1} 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> /XObject << /Im${i} ${page + 2} 0 R >> >> >>`,
      { dict: '/Filter /FlateDecode', data: deflateSync(Buffer.from(text, 'latin1')) },
      { dict: '/Type /XObject /Subtype /Image /Width 400 /Height 300 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode', data: fillerBytes(`page-${i}`, imageBytes) },
    );
  }
  return pdfDocument(objects);
}

export function pdfMessage(pdf: Buffer): Buffer {
  return Buffer.from(
    [
      'From: Alex Turner <alex.turner@met.police.uk>',
      'To: Sam Jones <sam.jones@met.police.uk>',
      'Subject: Scene survey report',
      'Date: Mon, 23 Nov 2026 09:00:00 +0000',
      'Message-ID: <bench-pdf@met.police.uk>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b3"',
      '',
      '--b3',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The survey report is attached.',
      '--b3',
      'Content-Type: application/pdf; name="survey.pdf"',
      'Content-Disposition: attachment; filename="survey.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(pdf.toString('base64').match(/.{1,76}/g) ?? []),
      '--b3--',
      '',
    ].join('\r\n'),
  );
}
