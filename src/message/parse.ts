/**
 * Streaming parse of one message into the read-only InspectedMessage.
 *
 * The raw bytes are hashed and counted as they arrive and fed to a MessageWalker (mailsplit
 * underneath). Bad input never throws: limits, broken MIME and undecodable parts become
 * anomalies or unscannable attachments. When a limit stops the walk, the rest of the input is
 * still read (and hashed) so the caller's stream completes.
 */
import { createHash } from 'node:crypto';
import { attachedSource, messageLabel } from './attached-messages.js';
import type { AttachedMessageSummary, Attachment, InspectedMessage, MarkingHit } from './model.js';
import { MessageWalker } from './mime-walk.js';
import { ParseContext } from './parse-context.js';
import type { ParseOptions } from './parse-options.js';
import { TempArea } from './temp-area.js';
import type { WalkedMessage } from './walked-message.js';

const OUTER_SCOPE = { idPrefix: '', mimeDepth: 0, attachmentDepth: 0, location: [] } as const;

/**
 * Parses a message read from `source`.
 *
 * - Resolves with the model whatever the input holds (hostile input included).
 * - Rejects with `options.signal.reason` when the signal aborts; the source is then still
 *   drained in the background, and temp files are removed once in-flight content analysis ends.
 * - Rejects with the source's own error when reading the source fails (the message is incomplete).
 */
export async function parseMessage(
  source: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  options: ParseOptions,
): Promise<InspectedMessage> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const temp = new TempArea(options.inspection.tempDir, options.inspection.tempQuotaBytes);
  const ctx = new ParseContext(options, temp);
  const walker = new MessageWalker(ctx, OUTER_SCOPE);
  // Every temp file belongs to a part whose analysis ends before the walk does.
  const cleaned = walker.done.then(
    () => temp.dispose(),
    () => temp.dispose(),
  );

  const hash = createHash('sha256');
  let size = 0;
  let first = true;
  const work = (async (): Promise<InspectedMessage> => {
    try {
      for await (const chunk of source as AsyncIterable<Buffer | string | Uint8Array>) {
        const bytes = toBuffer(chunk);
        hash.update(bytes);
        size += bytes.length;
        // A byte order mark (an .eml saved by a Windows tool) would spoil the first header name.
        const body = first && hasBom(bytes) ? bytes.subarray(3) : bytes;
        first = false;
        if (!ctx.stopped) {
          const wait = walker.write(body);
          if (wait) await wait;
        }
      }
    } catch (err) {
      ctx.stop(null, 'reading the message failed');
      await cleaned;
      throw err;
    }
    const walked = await walker.end();
    await cleaned;
    return assemble(walked, ctx, size, hash.digest('hex'));
  })();

  if (!signal) return work;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      ctx.stop(null, 'aborted');
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    work.catch(() => undefined); // settled later in the background after an abort
    cleaned.catch(() => undefined);
  }
}

function hasBom(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

function toBuffer(chunk: Buffer | string | Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Flattens the walk of the outer message and every attached message into the model. */
function assemble(outer: WalkedMessage, ctx: ParseContext, size: number, sha256: string): InspectedMessage {
  const attachments: Attachment[] = [];
  const attachedMessages: AttachedMessageSummary[] = [];
  const nestedMarkings: MarkingHit[] = [];
  const collect = (walked: WalkedMessage, prefix: (source: string) => string): void => {
    if (walked !== outer) for (const hit of walked.markings) nestedMarkings.push({ ...hit, source: prefix(hit.source) });
    for (const entry of walked.entries) {
      attachments.push(entry.attachment, ...entry.members);
      if (entry.opened) {
        attachedMessages.push(Object.freeze({ id: entry.attachment.id, subject: entry.opened.subject, from: entry.opened.from, encryption: null }));
      }
      const child = entry.child;
      if (!child) continue;
      const id = entry.attachment.id;
      attachedMessages.push(Object.freeze({ id, subject: child.subject, from: child.from, encryption: child.encryption }));
      collect(child, (source) => prefix(attachedSource(messageLabel(entry.attachment.name, child.subject, id), source)));
    }
  };
  collect(outer, (source) => source);

  const seen = new Set<MarkingHit>();
  const markings: MarkingHit[] = [...outer.markings];
  for (const item of attachments) {
    for (const hit of item.markings) {
      if (!seen.has(hit)) {
        seen.add(hit);
        markings.push(hit);
      }
    }
  }
  markings.push(...nestedMarkings);

  return Object.freeze({
    headers: outer.headers,
    subject: outer.subject,
    messageId: outer.messageId,
    from: outer.from,
    to: outer.to,
    cc: outer.cc,
    bcc: outer.bcc,
    size,
    sha256,
    bodyText: outer.bodyText,
    attachments: Object.freeze(attachments),
    encryption: outer.encryption,
    markings: Object.freeze(markings),
    anomalies: Object.freeze(ctx.finalAnomalies()),
    attachedMessages: Object.freeze(attachedMessages),
  });
}
