/**
 * Creating a small file durably: without blocking the event loop (the fronts' threads, where
 * every session waits on the loop), or with as few thread-pool round trips as possible (the
 * worker thread, where nobody does).
 *
 * Each async fs call is a hop to a libuv pool thread and back; when the cores are busy every hop
 * waits to be scheduled and for the event loop's next turn, and a commit made of eleven
 * sequential hops (open, write, fdatasync, close per file) took 40-70 ms even on tmpfs. Here a
 * file costs two hops: the open, which may allocate an inode (slow on some filesystems: ext4
 * without a journal scans past recently deleted inodes, milliseconds each after a mass delete),
 * and the fdatasync, which waits for the disk. The write of a few KB into the page cache and the
 * close are blocking calls of a few microseconds, usually: a write into the page cache can stall
 * when the kernel throttles a writer of dirty pages, so a front's thread never makes them (the
 * issue "Relay speed as mail servers really connect" asks for no blocking file-system call on the
 * SMTP thread). There every step is a pool hop (open, write, fdatasync, close); the service's
 * fronts commit through the spool's I/O thread instead (io-thread.ts: the same calls, in a thread
 * where blocking costs nobody). Large data is never written this way (see spool-writer.ts: big
 * messages stream asynchronously).
 */
import { closeSync, fdatasync, fdatasyncSync, fsync, fsyncSync, open, openSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { open as openAsync, unlink, type FileHandle } from 'node:fs/promises';

/**
 * Creates `path` (it must not exist) holding `buffers`, fdatasynced; removes it again on failure.
 * `blocking`: the small write and the close are blocking calls (see above).
 */
export async function createDurableFile(path: string, buffers: readonly Buffer[], blocking = false): Promise<void> {
  if (!blocking) return createDurableFileAsync(path, buffers);
  const fd = await new Promise<number>((resolve, reject) => open(path, 'wx', (err, fd) => (err ? reject(err) : resolve(fd))));
  try {
    writeAllSync(fd, buffers, 0);
    await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    discardSync(fd, path);
    throw err;
  }
  closeSync(fd);
}

async function createDurableFileAsync(path: string, buffers: readonly Buffer[]): Promise<void> {
  const fh = await openAsync(path, 'wx');
  try {
    await writeAllAt(fh, buffers, 0);
    await fh.datasync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await fh.close();
}

/**
 * createDurableFile with blocking calls only: for the spool's I/O thread (io-thread-main.ts),
 * where blocking keeps no event loop waiting.
 */
export function createDurableFileSync(path: string, buffers: readonly Buffer[]): void {
  const fd = openSync(path, 'wx');
  try {
    writeAllSync(fd, buffers, 0);
    fdatasyncSync(fd);
  } catch (err) {
    discardSync(fd, path);
    throw err;
  }
  closeSync(fd);
}

/** fsyncDirectory with blocking calls only (the spool's I/O thread). */
export function fsyncDirectorySync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync of a directory (makes the names created in it durable); `blocking`: the open and close block. */
export async function fsyncDirectory(dir: string, blocking = false): Promise<void> {
  if (!blocking) {
    const fh = await openAsync(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return;
  }
  const fd = openSync(dir, 'r'); // an existing directory: no allocation, page-cache work
  try {
    await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
  } finally {
    closeSync(fd);
  }
}

/** writeAllSync through the thread pool. */
export async function writeAllAt(fh: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  if (total === 0) return;
  let written = (buffers.length === 1 ? await fh.write(buffers[0]!, 0, total, position) : await fh.writev(buffers as Buffer[], position)).bytesWritten;
  while (written < total) {
    const rest = Buffer.concat(buffers as Buffer[]).subarray(written);
    const n = (await fh.write(rest, 0, rest.length, position + written)).bytesWritten;
    if (n === 0) throw new Error('short write (disk full?)');
    written += n;
  }
}

/** Writes every byte of `buffers` at `position`, finishing short writes or failing loudly. */
export function writeAllSync(fd: number, buffers: readonly Buffer[], position: number): void {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  if (total === 0) return;
  let written = buffers.length === 1 ? writeSync(fd, buffers[0]!, 0, total, position) : writevSync(fd, buffers as Buffer[], position);
  while (written < total) {
    const rest = Buffer.concat(buffers as Buffer[]).subarray(written);
    const n = writeSync(fd, rest, 0, rest.length, position + written);
    if (n === 0) throw new Error('short write (disk full?)');
    written += n;
  }
}

/** After a failed create: the half-written file is closed and removed, quietly (the first error is the one to report). */
function discardSync(fd: number, path: string): void {
  closeQuietly(fd);
  try {
    unlinkSync(path);
  } catch {
    // already gone: nothing to clean
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // closing after a failure: the first error is the one to report
  }
}
