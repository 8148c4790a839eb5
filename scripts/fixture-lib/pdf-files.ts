/**
 * PDFs with active content and their innocent look-alikes, built object by object: launch actions,
 * JavaScript (plain, #xx-obfuscated, in compressed object streams), embedded files (a file specification
 * with /EF), a fillable form with Acrobat's formatting script, and a plain letter. Deterministic bytes.
 */
import { deflateSync } from 'node:zlib';

/** An object body: a dictionary or other value, or a stream with its dictionary entries and data. */
export type PdfObject = string | { readonly dict: string; readonly data: Buffer };

export interface PdfOptions {
  /** Write an xref table that points nowhere (readers rebuild it; so must we). */
  readonly brokenXref?: boolean;
  /** Text before the %PDF header (readers accept it within the first KB). */
  readonly prefix?: string;
}

/** A PDF whose object 1 is the catalog; `objects[i]` is object i + 1. */
export function pdfDocument(objects: readonly PdfObject[], opts: PdfOptions = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(`${opts.prefix ?? ''}%PDF-1.7\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  let size = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(size);
    const chunk =
      typeof body === 'string'
        ? Buffer.from(`${i + 1} 0 obj\n${body}\nendobj\n`, 'latin1')
        : Buffer.concat([
            Buffer.from(`${i + 1} 0 obj\n<< ${body.dict} /Length ${body.data.length} >>\nstream\n`, 'latin1'),
            body.data,
            Buffer.from('\nendstream\nendobj\n', 'latin1'),
          ]);
    parts.push(chunk);
    size += chunk.length;
  });
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) xref += `${String(opts.brokenXref ? off + 7919 : off).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${opts.brokenXref ? size + 100 : size}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)');

/** Catalog, pages and one page of text; `catalogExtra` goes into the catalog, `more` are objects 5.. */
function onePage(lines: readonly string[], catalogExtra: string, more: readonly PdfObject[], opts?: PdfOptions): Buffer {
  const content = `BT /F1 11 Tf 72 770 Td 14 TL ${lines.map((l) => `(${esc(l)}) '`).join(' ')} ET\n`;
  return pdfDocument(
    [
      `<< /Type /Catalog /Pages 2 0 R ${catalogExtra} >>`,
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>',
      { dict: '/Filter /FlateDecode', data: deflateSync(Buffer.from(content, 'latin1')) },
      ...more,
    ],
    opts,
  );
}

/** A plain business letter (compressed content stream). */
export function pdfLetter(lines: readonly string[]): Buffer {
  return onePage(lines, '', []);
}

/** Opens by launching a program (cmd.exe with arguments, as in the classic /Launch attack). */
export function pdfWithLaunch(lines: readonly string[], file = 'cmd.exe', args = '/c start invoice.exe'): Buffer {
  return onePage(lines, '/OpenAction 5 0 R', [`<< /Type /Action /S /Launch /Win << /F (${esc(file)}) /P (${esc(args)}) >> >>`]);
}

/** JavaScript run on open; `obfuscate` writes the names with #xx escapes (/J#61vaScript, /J#53). */
export function pdfWithJavaScript(lines: readonly string[], code: string, obfuscate = false): Buffer {
  const action = obfuscate ? `<< /Type /Action /S /J#61vaScript /J#53 (${esc(code)}) >>` : `<< /Type /Action /S /JavaScript /JS (${esc(code)}) >>`;
  return onePage(lines, '/OpenAction 5 0 R', [action]);
}

/** JavaScript whose action sits in a compressed object stream, the xref broken as well. */
export function pdfWithHiddenJavaScript(lines: readonly string[], code: string): Buffer {
  const inner = `<< /Type /Action /S /JavaScript /JS (${esc(code)}) >>`;
  const header = '6 0 ';
  const body = Buffer.from(`${header}${inner}`, 'latin1');
  return onePage(
    lines,
    '/OpenAction 6 0 R',
    [{ dict: `/Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode`, data: deflateSync(body) }],
    { brokenXref: true },
  );
}

/** A file attached to the document (/EmbeddedFiles name tree, file specification with /EF). */
export function pdfWithAttachment(lines: readonly string[], name: string, data: Buffer): Buffer {
  return onePage(lines, '/Names << /EmbeddedFiles << /Names [(' + esc(name) + ') 5 0 R] >> >>', [
    `<< /Type /Filespec /F (${esc(name)}) /UF (${esc(name)}) /EF << /F 6 0 R >> >>`,
    { dict: '/Type /EmbeddedFile /Filter /FlateDecode', data: deflateSync(data) },
  ]);
}

/** A fillable form: two fields, one formatted by Acrobat's own AFNumber_Format (not a program). */
export function pdfForm(lines: readonly string[]): Buffer {
  return onePage(lines, '/AcroForm << /Fields [5 0 R 6 0 R] /NeedAppearances true >>', [
    '<< /FT /Tx /T (Name) /Rect [72 600 300 620] /Subtype /Widget /P 3 0 R >>',
    '<< /FT /Tx /T (Amount) /Rect [72 560 300 580] /Subtype /Widget /P 3 0 R /AA << /F << /S /JavaScript /JS (AFNumber_Format\\(2, 0, 0, 0, "", true\\);) >> /K << /S /JavaScript /JS (AFNumber_Keystroke\\(2, 0, 0, 0, "", true\\);) >> >> >>',
  ]);
}
