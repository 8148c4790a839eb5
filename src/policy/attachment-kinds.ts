/**
 * Which items in the flat attachment list are files a person attached, and which are the
 * message's own body or cryptographic wrapping. Judged by detected content, so a disguised
 * file is never waved through as "body".
 */
import type { Attachment } from '../message/model.js';

/** An unnamed text part that is not an attachment: a body (plain, HTML, alternative). */
export function isBodyPart(a: Attachment): boolean {
  return (
    a.origin === 'part' &&
    a.name === null &&
    a.disposition !== 'attachment' &&
    a.declaredType.startsWith('text/') &&
    (a.detected.family === 'text' || a.detected.family === 'unknown')
  );
}

const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature']);
const ENCRYPTION_TYPES = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime', 'application/pgp-encrypted', 'application/octet-stream']);

/** A detached signature of a signed message: proof of origin, not content. */
export function isSignaturePart(a: Attachment): boolean {
  return a.origin === 'part' && SIGNATURE_TYPES.has(a.declaredType) && ['encrypted', 'unknown', 'text'].includes(a.detected.family);
}

/**
 * The wrapping of an encrypted message (the S/MIME or PGP payload and PGP/MIME's version part).
 * Only meaningful when the message itself is encrypted: the rules for encrypted mail judge it.
 */
export function isEncryptionWrapping(a: Attachment): boolean {
  return (
    a.origin === 'part' &&
    a.depth === 0 &&
    (a.detected.family === 'encrypted' || (ENCRYPTION_TYPES.has(a.declaredType) && ['unknown', 'text'].includes(a.detected.family)))
  );
}

export function isMedia(a: Attachment): boolean {
  return a.detected.family === 'image' || a.detected.family === 'audio' || a.detected.family === 'video';
}

/** Files a person attached (or that sit inside them), as opposed to body, signature and wrapping. */
export function attachedFiles(attachments: readonly Attachment[], messageEncrypted: boolean): Attachment[] {
  return attachments.filter((a) => !isBodyPart(a) && !isSignaturePart(a) && !(messageEncrypted && isEncryptionWrapping(a)));
}
