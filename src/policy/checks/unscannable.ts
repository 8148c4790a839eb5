/**
 * MPS Information Code of Conduct: "You must not ... transmit any malicious code". Content that
 * cannot be opened cannot be shown to be free of it.
 *
 * Any attachment or member that could not be fully inspected (password-protected archives and
 * Office files, archive limits exceeded, formats we cannot open such as 7z, rar or disk images)
 * and any part whose encoding could not be decoded. The wrapping of an encrypted message is not
 * counted: encryption is the approved way to send marked mail, and the personal and marking
 * rules judge encrypted mail on what can be seen.
 */
import type { Check } from '../check.js';
import { attachedFiles } from '../attachment-kinds.js';
import { describeItem, itemEvidence, listForReason } from '../describe.js';
import { finding } from '../finding.js';

export const unscannable: Check = {
  id: 'unscannable',
  policyRef: 'MPS Information Code of Conduct',
  run(ctx) {
    const items = attachedFiles(ctx.message.attachments, ctx.facts.encrypted).filter((a) => a.unscannable !== null);
    const undecodable = ctx.message.anomalies.filter((a) => a.kind === 'decode-error');
    if (items.length === 0 && undecodable.length === 0) return [];
    const what = [
      ...items.map((a) => `${describeItem(a)}, ${a.unscannable ?? ''}`),
      ...undecodable.map((a) => `a part that could not be decoded (${a.detail.slice(0, 80)})`),
    ];
    return [
      finding(
        unscannable,
        `Email carries content that could not be checked: ${listForReason(what)}; what cannot be checked could hide malicious code`,
        [...items.map((a) => `${itemEvidence(a)} (${a.unscannable ?? ''})`), ...undecodable.map((a) => `decode-error: ${a.detail}`)],
      ),
    ];
  },
};
