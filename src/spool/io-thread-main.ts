/**
 * The spool's I/O thread (see io-thread.ts): creates files durably with blocking calls, where
 * blocking costs nobody anything, and answers each request once.
 *
 * Requests that arrive while a batch runs form the next batch, and a batch fsyncs each directory
 * once, after every file of the batch was created: a group commit, as DirSync does on the pool.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, unlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { writeAllSync } from './durable-file.js';
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
      for (const file of request.files) createDurableSync(file.path, file.data);
    } catch (err) {
      failed.set(request.id, err as Error);
    }
  }
  const dirs = new Set(batch.filter((r) => r.dir !== null && !failed.has(r.id)).map((r) => r.dir!));
  for (const dir of dirs) {
    try {
      fsyncDirSync(dir);
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

/** open (it must not exist), write, fdatasync, close; on failure the file is removed again. */
function createDurableSync(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'wx');
  try {
    writeAllSync(fd, [data as Buffer], 0);
    fdatasyncSync(fd);
  } catch (err) {
    try {
      closeSync(fd);
      unlinkSync(path);
    } catch {
      // the first error is the one to report
    }
    throw err;
  }
  closeSync(fd);
}

function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
