/**
 * Helpers for the parse tests: parse options from the real policy schema, and raw messages
 * built as bytes (CRLF line ends) so every test sees exactly what a relay would hand over.
 */
import { Readable } from 'node:stream';
import { policySchema } from '../../src/config/policy-schema.js';
import { parseMessage } from '../../src/message/parse.js';
import type { InspectedMessage } from '../../src/message/model.js';
import type { ParseOptions } from '../../src/message/parse-options.js';

export const LEVELS = [
  { name: 'NOT PROTECTIVELY MARKED', rank: 0 },
  { name: 'UNCLASSIFIED', rank: 0 },
  { name: 'OFFICIAL', rank: 1 },
  { name: 'PROTECT', rank: 2 },
  { name: 'RESTRICTED', rank: 3 },
  { name: 'OFFICIAL-SENSITIVE', rank: 3 },
  { name: 'CONFIDENTIAL', rank: 4 },
  { name: 'SECRET', rank: 5 },
  { name: 'TOP SECRET', rank: 6 },
];

type InspectionInput = NonNullable<Parameters<typeof policySchema.parse>[0]> extends infer P
  ? P extends { inspection?: infer I }
    ? I
    : never
  : never;

/** Parse options as the service builds them, with optional inspection overrides. */
export function parseOptions(inspection: InspectionInput = {}, signal?: AbortSignal): ParseOptions {
  const policy = policySchema.parse({ domains: {}, markings: { levels: LEVELS }, inspection });
  return signal ? { inspection: policy.inspection, markings: policy.markings, signal } : { inspection: policy.inspection, markings: policy.markings };
}

/** Joins lines with CRLF (and ends with one). */
export function crlf(...lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

/** The bytes as a Node stream cut into chunks of `chunkSize` (boundaries fall anywhere). */
export function streamOf(data: Buffer | string, chunkSize = 16 * 1024): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  return Readable.from(chunks(), { objectMode: false });
}

export function parse(data: Buffer | string, inspection: InspectionInput = {}, chunkSize?: number): Promise<InspectedMessage> {
  return parseMessage(streamOf(data, chunkSize), parseOptions(inspection));
}

/** Base64 with 76-character lines, as mailers write it. */
export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export interface PartSpec {
  readonly headers: readonly string[];
  readonly body: string;
}

/** A multipart body with the given parts, closed unless `open` is set. */
export function multipart(boundary: string, parts: readonly PartSpec[], open = false): string {
  let out = '';
  for (const part of parts) out += `--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n${part.body}\r\n`;
  return open ? out : `${out}--${boundary}--\r\n`;
}
