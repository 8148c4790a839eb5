/**
 * Outlook .msg files, read with @kenjiuno/msgreader: subject, body and transport headers (for markings),
 * sender, and the attachments (embedded .msg attachments come back as .msg files of their own).
 */
import msgreaderModule from '@kenjiuno/msgreader';
import type { FieldsData } from '@kenjiuno/msgreader';
import type { Address } from '../model.js';

// A CommonJS package: Node's ESM loader hands us module.exports (the class is on `.default`), while
// bundler-style interop (vitest, tsx in some modes) hands us the class itself.
const loaded: unknown = msgreaderModule;
const MsgReader = (typeof loaded === 'function' ? loaded : msgreaderModule.default) as typeof msgreaderModule.default;

export interface OutlookAttachment {
  readonly name: string;
  /** The bytes, or why they could not be read. */
  readonly content: Uint8Array | null;
  readonly error: string | null;
}

export interface OutlookMessage {
  readonly subject: string;
  readonly body: string;
  readonly from: readonly Address[];
  /** Transport headers as name/value pairs (unfolded), when the message kept them. */
  readonly headers: readonly { name: string; value: string }[];
  readonly attachments: readonly OutlookAttachment[];
}

const MAX_ATTACHMENTS = 1000;
const MAX_BODY_CHARS = 1024 * 1024;

export function parseHeaderBlock(block: string): { name: string; value: string }[] {
  const fields: { name: string; value: string }[] = [];
  for (const line of block.slice(0, 256 * 1024).split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      const last = fields[fields.length - 1]!;
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** Read a .msg; throws when msgreader cannot make sense of it (the caller records why). */
export function readOutlookMessage(bytes: Buffer): OutlookMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new MsgReader(view);
  const data: FieldsData = reader.getFileData();
  if (data.error) throw new Error(data.error);
  const attachments: OutlookAttachment[] = [];
  for (const [i, att] of (data.attachments ?? []).slice(0, MAX_ATTACHMENTS).entries()) {
    const fallback = att.innerMsgContent ? `attachment-${i + 1}.msg` : `attachment-${i + 1}`;
    const name = att.fileName || att.fileNameShort || att.name || fallback;
    try {
      const got = reader.getAttachment(att);
      const withExt = att.innerMsgContent && !/\.msg$/i.test(name) ? `${name}.msg` : name;
      attachments.push({ name: withExt, content: got.content, error: null });
    } catch (err) {
      attachments.push({ name, content: null, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const sender = data.senderSmtpAddress || data.senderEmail || '';
  const at = sender.lastIndexOf('@');
  const address = at > 0 ? `${sender.slice(0, at)}@${sender.slice(at + 1).toLowerCase()}` : '';
  return {
    subject: data.subject ?? '',
    body: (data.body ?? '').slice(0, MAX_BODY_CHARS),
    from: sender || data.senderName ? [{ name: data.senderName ?? '', address }] : [],
    headers: data.headers ? parseHeaderBlock(data.headers) : [],
    attachments,
  };
}
