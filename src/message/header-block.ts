/**
 * The top header block of a stored message, read from its stream without reading the rest: what
 * a DSN quotes and what quarantine review shows.
 */
import type { Readable } from 'node:stream';

/** The most of a header block read (a DSN's text/rfc822-headers part, a review page). */
export const MAX_HEADER_BLOCK = 64 * 1024;

/**
 * Reads the message's top header block, at most `maxBytes` (cut at a line end), then stops
 * reading. Never throws on a short or header-only message.
 */
export async function readHeaderBlock(source: Readable, maxBytes = MAX_HEADER_BLOCK): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      parts.push(chunk);
      size += chunk.length;
      const sofar = Buffer.concat(parts);
      const end = sofar.indexOf('\r\n\r\n');
      if (end >= 0 && end < maxBytes) return sofar.subarray(0, end + 2);
      if (size >= maxBytes) return cutAtLineEnd(sofar.subarray(0, maxBytes));
      parts.length = 0;
      parts.push(sofar);
    }
  } finally {
    source.destroy();
  }
  const all = Buffer.concat(parts);
  return all.length === 0 ? all : cutAtLineEnd(all.subarray(0, maxBytes), true);
}

function cutAtLineEnd(buf: Buffer, whole = false): Buffer {
  const last = buf.lastIndexOf('\r\n');
  if (last >= 0) return buf.subarray(0, last + 2);
  return whole ? Buffer.concat([buf, Buffer.from('\r\n')]) : Buffer.alloc(0);
}
