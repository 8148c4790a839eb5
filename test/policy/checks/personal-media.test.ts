import { describe, expect, it } from 'vitest';
import { personalMedia } from '../../../src/policy/checks/personal-media.js';
import { context, envelope, member, message, part, SENDER } from '../builder.js';

const env = envelope(SENDER, ['sam@example.org']);
const run = (attachments: ReturnType<typeof part>[], subject = '[Personal] hols') =>
  personalMedia.run(context(message({ subject, attachments }), env));

describe('personal-media', () => {
  it('refuses an attached photo with the plain-words reason', () => {
    const [f] = run([part('holiday.jpg', 'jpeg')]);
    expect(f?.reason).toBe(
      "Personal email carries 'holiday.jpg' (JPEG image): personal email may not carry images, sound or video (MPS Personal Use SOP 3.4, 4.3)",
    );
  });

  it('refuses sound and video, and media inside archives', () => {
    const zip = part('x.zip', 'zip');
    const [f] = run([part('song.mp3', 'mp3'), part('clip.mp4', 'mp4'), zip, member(zip, 'p.png', 'png')]);
    expect(f?.evidence).toEqual(['song.mp3: mp3', 'clip.mp4: mp4', 'x.zip/p.png: png']);
  });

  it('exempts a small inline logo with a Content-ID', () => {
    expect(run([part('logo.png', 'png', { disposition: 'inline', contentId: 'logo@x', size: 5_000 })])).toEqual([]);
    expect(run([part(null, 'png', { disposition: null, contentId: 'logo@x', size: 20 * 1024 })])).toEqual([]);
  });

  it('does not exempt a large inline image, an inline image without Content-ID, or an attached one with it', () => {
    expect(run([part('big.jpg', 'jpeg', { disposition: 'inline', contentId: 'a@x', size: 20 * 1024 + 1 })])).toHaveLength(1);
    expect(run([part('nocid.png', 'png', { disposition: 'inline', size: 100 })])).toHaveLength(1);
    expect(run([part('att.png', 'png', { disposition: 'attachment', contentId: 'a@x', size: 100 })])).toHaveLength(1);
  });

  it('judges true type: an image named .docx is media', () => {
    expect(run([part('cv.docx', 'jpeg')])).toHaveLength(1);
  });

  it('does not apply to business mail', () => {
    expect(run([part('scene.jpg', 'jpeg')], 'Scene photos')).toEqual([]);
  });
});
