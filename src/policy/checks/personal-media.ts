/**
 * MPS Personal Use SOP 3.4: "The sending of images, sounds, or video files is prohibited";
 * SOP 4.3: forbidden to "create, adapt, store, view, display or transmit any image, sound (e.g.
 * MP3) or video file".
 *
 * Any image, sound or video in personal mail, inline or attached, inside archives too. A small
 * inline image with a Content-ID (a signature logo, up to rules.personal-media.logoMaxBytes) is
 * part of the layout, not something sent.
 */
import type { Attachment } from '../../message/model.js';
import type { Check } from '../check.js';
import { attachedFiles, isMedia } from '../attachment-kinds.js';
import { describeItem, itemEvidence, listForReason } from '../describe.js';
import { finding } from '../finding.js';

function isSignatureLogo(a: Attachment, logoMaxBytes: number): boolean {
  return (
    a.detected.family === 'image' &&
    a.origin === 'part' &&
    a.contentId !== null &&
    a.disposition !== 'attachment' &&
    a.size <= logoMaxBytes
  );
}

export const personalMedia: Check = {
  id: 'personal-media',
  policyRef: 'MPS Personal Use SOP 3.4, 4.3',
  run(ctx) {
    if (!ctx.facts.personal) return [];
    const { logoMaxBytes } = ctx.policy.rules['personal-media'];
    const media = attachedFiles(ctx.message.attachments, ctx.facts.encrypted).filter(
      (a) => isMedia(a) && !isSignatureLogo(a, logoMaxBytes),
    );
    if (media.length === 0) return [];
    return [
      finding(
        personalMedia,
        `Personal email carries ${listForReason(media.map((a) => describeItem(a)))}: personal email may not carry images, sound or video`,
        media.map(itemEvidence),
      ),
    ];
  },
};
