/**
 * MPS Personal Use SOP 4.3: it is strictly forbidden, for personal purposes, to "create, adapt,
 * store, view, display or transmit any file or attachment (including a virus or worm etc.) other
 * than a Microsoft Word, or Excel document".
 *
 * Personal mail may carry only macro-free Word or Excel files, by true type (rules.personal-
 * attachment-type.allowedTypes). Archives are not allowed, and their members are judged too.
 * Images, sound and video are left to personal-media; password-protected Office files to
 * unscannable (their type is allowed, their content cannot be seen).
 */
import type { Check } from '../check.js';
import { attachedFiles, isMedia } from '../attachment-kinds.js';
import { describeItem, itemEvidence, listForReason } from '../describe.js';
import { finding } from '../finding.js';

export const personalAttachmentType: Check = {
  id: 'personal-attachment-type',
  policyRef: 'MPS Personal Use SOP 4.3',
  run(ctx) {
    if (!ctx.facts.personal) return [];
    const allowed = new Set(ctx.policy.rules['personal-attachment-type'].allowedTypes.map((t) => t.toLowerCase()));
    const offending = attachedFiles(ctx.message.attachments, ctx.facts.encrypted).filter((a) => {
      if (isMedia(a)) return false;
      if (a.detected.macros) return true;
      return !allowed.has(a.detected.ext.toLowerCase());
    });
    if (offending.length === 0) return [];
    const allowedWords = [...allowed].join(', ');
    return [
      finding(
        personalAttachmentType,
        `Personal email carries ${listForReason(offending.map((a) => describeItem(a)))}: personal email may carry only Word or Excel files without macros (${allowedWords})`,
        offending.map(itemEvidence),
      ),
    ];
  },
};
