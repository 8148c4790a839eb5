/** Splits a received message into its MIME parts (content type, headers, body) with mailsplit. */
import { Readable } from 'node:stream';
import { Splitter, type SplitterChunk } from '@zone-eu/mailsplit';

export interface Part {
  readonly contentType: string;
  readonly headers: string;
  body: string;
}

export async function mimeParts(raw: Buffer): Promise<Part[]> {
  const parts: Part[] = [];
  let current: Part | null = null;
  const splitter = Readable.from([raw]).pipe(new Splitter());
  for await (const chunk of splitter as AsyncIterable<SplitterChunk>) {
    if (chunk.type === 'node') {
      current = { contentType: String(chunk.contentType || ''), headers: chunk.getHeaders().toString(), body: '' };
      parts.push(current);
    } else if (chunk.type === 'body' && current) {
      current.body += chunk.value.toString();
    }
  }
  return parts;
}
