/**
 * The spool's I/O thread (see io-thread.ts): creates files durably with blocking calls, where
 * blocking costs nobody anything, and answers each request once.
 *
 * Requests that arrive while a batch runs form the next batch, and a batch fsyncs each directory
 * once, after every file of the batch was created: a group commit, as DirSync does on the pool.
 */
import { parentPort } from 'node:worker_threads';
import { createDurableFileSync, fsyncDirectorySync } from './durable-file.js';
import type { IoReply, IoRequest } from './io-thread.js';

const port = parentPort!;
let queue: IoRequest[] = [];
let scheduled = false;

port.on('message', (request: IoRequest) => {
  queue.push(request);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
});

function drain(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  const failed = new Map<number, Error>();
  for (const request of batch) {
    try {
      for (const file of request.files) createDurableFileSync(file.path, [Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength)]);
    } catch (err) {
      failed.set(request.id, err as Error);
    }
  }
  const dirs = new Set(batch.filter((r) => r.dir !== null && !failed.has(r.id)).map((r) => r.dir!));
  for (const dir of dirs) {
    try {
      fsyncDirectorySync(dir);
    } catch (err) {
      for (const r of batch) if (r.dir === dir && !failed.has(r.id)) failed.set(r.id, err as Error);
    }
  }
  for (const request of batch) {
    const err = failed.get(request.id);
    const reply: IoReply = err ? { id: request.id, error: { message: err.message, code: (err as NodeJS.ErrnoException).code } } : { id: request.id };
    port.postMessage(reply);
  }
}
