/**
 * tar (tar-stream): regular file entries go to the sink as they stream past; links, devices and directories
 * carry no content of their own and are skipped.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { PartBlob } from './blob.js';
import type { MemberSink } from './members.js';

export async function expandTar(blob: PartBlob, sink: MemberSink): Promise<void> {
  const input = blob.buffer ? Readable.from([blob.buffer]) : blob.path ? createReadStream(blob.path) : null;
  if (!input) throw new Error('content not available');
  const extract = tar.extract();
  input.on('error', (err: Error) => extract.destroy(err));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const type = entry.header.type ?? 'file';
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      const path = entry.header.name.replace(/^(?:\.\/)+/, '');
      const size = entry.header.size;
      const verdict = await sink({ path, source: entry as AsyncIterable<Buffer>, ...(size !== undefined ? { declaredSize: size } : {}) });
      if (verdict === 'stop') return;
      // The sink may have stopped reading early (an unreadable member): drain what is left of this entry.
      entry.resume();
    }
  } finally {
    input.destroy();
    extract.destroy();
  }
}
