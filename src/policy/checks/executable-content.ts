/**
 * MPS Personal Use SOP 4.3: forbidden to "open, execute, store or install onto any MPS
 * information systems, transmit or solicit from others any software or executable files"; its
 * last paragraph: "It is also forbidden to engage in any of these activities for MPS business
 * use". MPS Information Code of Conduct: "must not ... transmit ... any software or executable
 * files", nor "any malicious code (e.g. a computer virus or worm)".
 *
 * Any mail, business or personal, with executable or script content anywhere: by true type
 * (programs, scripts by name, script-bearing HTML/SVG, shortcuts, installers, disk images), in
 * archives and attached messages, names disguised with a double extension, and names with an
 * executable extension (Outlook's Level-1 list plus rules.executable-content.extraExtensions).
 */
import { isExecutableName } from '../../message/content/executable-names.js';
import { extensionOf } from '../../message/content/file-name.js';
import type { Attachment } from '../../message/model.js';
import type { Check } from '../check.js';
import { describeItem, itemEvidence, listForReason, trickLabel } from '../describe.js';
import { finding } from '../finding.js';

export const executableContent: Check = {
  id: 'executable-content',
  policyRef: 'MPS Personal Use SOP 4.3; MPS Information Code of Conduct',
  run(ctx) {
    const extra = ctx.policy.rules['executable-content'].extraExtensions;
    const hits: { a: Attachment; note?: string }[] = [];
    for (const a of ctx.message.attachments) {
      const doubled = a.nameTricks.includes('double-extension');
      if (a.detected.family === 'executable') hits.push(doubled ? { a, note: trickLabel('double-extension') } : { a });
      else if (doubled) hits.push({ a, note: `${trickLabel('double-extension')}, a disguise used for programs` });
      // By name too: Windows runs a file by its extension, whatever its bytes look like.
      else if (a.name !== null && isExecutableName(a.name, extra)) hits.push({ a, note: `.${extensionOf(a.name)} files are executable by name` });
    }
    if (hits.length === 0) return [];
    return [
      finding(
        executableContent,
        `Email carries ${listForReason(hits.map((h) => describeItem(h.a, h.note)))}: software, executable files and scripts may not be sent`,
        hits.map((h) => itemEvidence(h.a)),
      ),
    ];
  },
};
