/**
 * Opening a PDF (see pdf-scan.ts): a launch action makes it executable content; JavaScript beyond
 * Acrobat's own form formatting, or XFA script, is a macro (code that runs when the document opens, the
 * same question for a reviewer as an Office macro); embedded files are members, analysed like an archive's.
 * The decision and its reasons: docs/decisions/pdf-active-content.md.
 */
import { inflateSync } from 'node:zlib';
import type { ContentInput } from './analysis-work.js';
import { messageOf, type Env, type Work } from './analysis-work.js';
import { ArchiveLimitError, RATIO_FLOOR_BYTES } from './archive-limits.js';
import { CONTAINER_READ_LIMIT, wholeContent } from './containers.js';
import { memberSink } from './member-sink.js';
import { scanPdf, type Inflater, type PdfScan } from './pdf-scan.js';

/** Inflate an embedded file within what is left of the archive budget (the member sink counts it). */
function budgetInflater(env: Env): Inflater {
  return (data) => {
    const left = Math.max(0, env.budget.maxExpandedBytes - env.budget.expanded);
    // Stop inflating at a bomb's ratio too, not only at the total: the member sink would refuse it anyway.
    const bombAt = Math.max(RATIO_FLOOR_BYTES, data.length * env.budget.maxRatio);
    const cap = Math.min(left, bombAt) + 1;
    try {
      return inflateSync(data, { maxOutputLength: cap });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ArchiveLimitError(
          cap <= left
            ? `compression bomb: a file embedded in the PDF expands more than ${env.budget.maxRatio} times`
            : `expanded size exceeds the limit of ${env.budget.maxExpandedBytes} bytes`,
        );
      }
      // A truncated stream: what a reader would still show.
      return inflateSync(data, { maxOutputLength: cap, finishFlush: 2 });
    }
  };
}

export async function openPdfItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  const whole = await wholeContent(input.blob, env);
  if (!whole) {
    work.reasons.push(`PDF over ${CONTAINER_READ_LIMIT} bytes not inspected for actions and embedded files`);
    return;
  }
  try {
    let scan: PdfScan;
    try {
      scan = scanPdf(whole.bytes, budgetInflater(env));
    } catch (err) {
      work.reasons.push(err instanceof ArchiveLimitError ? err.reason : `cannot read PDF: ${messageOf(err)}`);
      return;
    }
    if (scan.launches.length) work.family = 'executable';
    if (scan.scripts > 0 || scan.xfaScript) work.macros = true;
    work.reasons.push(...scan.problems);
    if (!scan.embedded.length) return;
    if (input.depth + 1 > env.budget.maxDepth) {
      work.reasons.push(`nested too deep: containers more than ${env.budget.maxDepth} levels down are not opened`);
      return;
    }
    const sink = memberSink(input, env, work);
    for (const file of scan.embedded) {
      const verdict = await sink(
        file.bytes
          ? { path: file.name, source: [file.bytes], compressedSize: file.compressedSize }
          : { path: file.name, unreadable: file.unreadable ?? 'embedded file unreadable' },
      );
      if (verdict === 'stop') return;
    }
  } finally {
    whole.release();
  }
}
