/**
 * The members of a plain zip (not an Office document): each file entry goes to the sink, streamed out of
 * yauzl. Encrypted entries and compression methods yauzl cannot inflate are reported unreadable.
 */
import type { Readable } from 'node:stream';
import type { MemberSink } from './members.js';
import type { ZipEntryInfo, ZipHandle } from './zip-file.js';

const STORED = 0;
const DEFLATED = 8;

async function* entryBytes(zip: ZipHandle, entry: ZipEntryInfo): AsyncGenerator<Buffer> {
  const stream: Readable = await zip.stream(entry);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } finally {
    stream.destroy();
  }
}

export async function expandZip(zip: ZipHandle, sink: MemberSink): Promise<void> {
  for (const entry of zip.entries) {
    if (entry.isDirectory) continue;
    const common = { path: entry.name, declaredSize: entry.declaredSize, compressedSize: entry.compressedSize };
    let verdict: 'continue' | 'stop';
    if (entry.unreadable) {
      verdict = await sink({ ...common, unreadable: entry.unreadable });
    } else if (entry.encrypted) {
      verdict = await sink({ ...common, encrypted: true, unreadable: 'encrypted zip member' });
    } else if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      verdict = await sink({ ...common, unreadable: `zip compression method ${entry.compressionMethod} not supported` });
    } else {
      verdict = await sink({ ...common, source: entryBytes(zip, entry) });
    }
    if (verdict === 'stop') return;
  }
}
