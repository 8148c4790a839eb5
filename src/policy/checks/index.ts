/**
 * Every check mailwarden runs, in one explicit list. Adding a rule: see README.md in this folder.
 * The order is the order findings are reported in when their actions are equal.
 */
import type { Check } from '../check.js';
import { autoForwardOutside } from './auto-forward-outside.js';
import { businessToHomeAddress } from './business-to-home-address.js';
import { businessToWebmail } from './business-to-webmail.js';
import { executableContent } from './executable-content.js';
import { macroDocuments } from './macro-documents.js';
import { malformed } from './malformed.js';
import { markedTooHigh } from './marked-too-high.js';
import { markedUnencrypted } from './marked-unencrypted.js';
import { markingUnclear } from './marking-unclear.js';
import { massMail } from './mass-mail.js';
import { messageSize } from './message-size.js';
import { personalAttachmentType } from './personal-attachment-type.js';
import { personalBrevity } from './personal-brevity.js';
import { personalEncrypted } from './personal-encrypted.js';
import { personalMarked } from './personal-marked.js';
import { personalMarkedLow } from './personal-marked-low.js';
import { personalMedia } from './personal-media.js';
import { personalRecipients } from './personal-recipients.js';
import { personalSize } from './personal-size.js';
import { unscannable } from './unscannable.js';

export const CHECKS: readonly Check[] = Object.freeze([
  personalAttachmentType,
  personalMedia,
  personalBrevity,
  personalSize,
  personalRecipients,
  personalMarked,
  personalMarkedLow,
  personalEncrypted,
  executableContent,
  macroDocuments,
  unscannable,
  messageSize,
  autoForwardOutside,
  businessToHomeAddress,
  businessToWebmail,
  markedUnencrypted,
  markedTooHigh,
  markingUnclear,
  massMail,
  malformed,
]);
