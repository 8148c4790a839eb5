/**
 * MPS Information Code of Conduct: "You must not ... Create, adapt, store, view or transmit any
 * malicious code (e.g. a computer virus or worm)". Office macros are the commonest carrier.
 *
 * Business mail with macro-enabled Office files (VBA or XLM macros) or PDFs with JavaScript, anywhere
 * in the message.
 * Personal mail with macros is already refused by personal-attachment-type.
 */
import type { Check } from '../check.js';
import { describeItem, itemEvidence, listForReason } from '../describe.js';
import { finding } from '../finding.js';

export const macroDocuments: Check = {
  id: 'macro-documents',
  policyRef: 'MPS Information Code of Conduct (malicious code)',
  run(ctx) {
    if (ctx.facts.personal) return [];
    const macros = ctx.message.attachments.filter((a) => a.detected.macros);
    if (macros.length === 0) return [];
    // A PDF's "macros" are its JavaScript (pdf-item.ts): name what the reviewer will find.
    const pdfOnly = macros.every((a) => a.detected.ext === 'pdf');
    const what = pdfOnly ? 'script in a PDF' : macros.some((a) => a.detected.ext === 'pdf') ? 'Office macros and PDF script' : 'Office macros';
    return [
      finding(
        macroDocuments,
        `Email carries ${listForReason(macros.map((a) => describeItem(a)))}: ${what} can carry malicious code, so a person must look before it is sent`,
        macros.map(itemEvidence),
      ),
    ];
  },
};
