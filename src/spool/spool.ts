/**
 * The durable message store: the source of truth for every message we said 250 to.
 *
 * Layout:
 *   <dir>/msg/<id>.eml    message bytes (written while DATA streams in, or at commit when small)
 *   <dir>/msg/<id>.json   its sidecar: JSON lines, one whole sidecar per line, the last complete
 *                         line is the current one (updates append; see below)
 *   <dir>/done/           both files of a finished message, moved there by the update that made
 *                         it done: what start-up and reconcile read (msg/) does not grow with the
 *                         messages kept after delivery (spool.keepDoneDays)
 *   <dir>/tmp/            sidecar rewrites in progress (compaction), and leftovers of older layouts
 *
 * The move to done/ is two renames without a directory fsync: the sidecar's content (state done,
 * fdatasynced first) is what counts, the directory only an index. A move a crash loses leaves a
 * done sidecar in msg/, and reconcile finishes the move (`fileDone`); a data file whose sidecar is
 * already in done/ is moved after it by sweepTemp. Spools of the older one-directory layout are
 * moved over the same way at their first reconcile.
 *
 * Durability: commit() makes the data file durable (fdatasync) BEFORE it creates the sidecar, then
 * fdatasyncs the sidecar and fsyncs msg/ once; concurrent commits share that directory fsync (see
 * DirSync). So a sidecar that survives a crash always has its bytes beside it, and before commit
 * resolves (before any 250) both files and their names are on disk. Only sidecars are listed: a
 * data file without a sidecar is a DATA in progress or a crash leftover (sweepTemp removes it).
 *
 * Updates append a complete new line and fdatasync it: no new file, no rename, no directory fsync.
 * File creation dominates a spool's cost on ext4, so a delivered message costs two files in its
 * life and no more. A crash mid-append leaves a torn last line that readers skip (the previous
 * line stands, as it would with a rename that never happened); the next append starts a new line.
 * A sidecar grown past COMPACT_BYTES is rewritten whole (temp + fsync + rename + dir fsync).
 *
 * Several processes may share one spool directory (fronts and workers on shared storage):
 * readers skip a line still being appended, and sweepTemp() only removes files nobody touched
 * lately. Two processes updating one sidecar at once lose one update, as with renames: each
 * message has one owner at a time (the queue job that holds it).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fdatasync, openSync, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { access, mkdir, open, opendir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DirSync, fsyncDir } from './dir-sync.js';
import { createDurableFile, writeAllAt, writeAllSync } from './durable-file.js';
import { SpoolIoThread, type DurableFileSpec } from './io-thread.js';
import { isSpoolId, newSpoolId } from './spool-id.js';
import { FileSpoolWriter, type SpoolWriter } from './spool-writer.js';
import type { Sidecar, SpoolState } from './types.js';

export type { SpoolWriter } from './spool-writer.js';

export interface WriterOptions {
  /** fdatasync a large message's file when its last byte is written (default), or only at commit(). */
  readonly syncAtEnd?: boolean;
  /** Hash the bytes (default); false when the caller hashes the same bytes elsewhere (done() gives sha256 null). */
  readonly hash?: boolean;
}

export interface SpoolOpenOptions {
  /** Remove abandoned temp files at open (see sweepTemp). Default true. */
  readonly sweep?: boolean;
  /**
   * Read sidecars and small messages and append sidecar lines with blocking calls (only the
   * fdatasync goes to the thread pool). Each async file call costs a thread-pool round trip
   * (some 40-100 us of CPU and two context switches) against 5-20 us for a blocking call on a
   * small file in the page cache. For the worker thread, where nobody waits on the event loop;
   * never for the SMTP front. Default false.
   */
  readonly blockingIo?: boolean;
  /**
   * Create the files of a commit (message, sidecar, the msg/ fsync) in a thread of their own, one
   * round trip per commit instead of eleven pool hops (see io-thread.ts). For the fronts; close()
   * ends the thread. Default false.
   */
  readonly ioThread?: boolean;
}

export interface SweepOptions {
  /**
   * Only remove files not modified for this long, so that a DATA in progress in another process
   * sharing the spool is left alone (every write bumps the mtime). Default 15 minutes.
   */
  readonly olderThanMs?: number;
}

const DEFAULT_SWEEP_AGE_MS = 15 * 60_000;
/** A sidecar file past this size is rewritten with only its current line at the next update. */
const COMPACT_BYTES = 64 * 1024;

export class Spool {
  private readonly writers = new Map<string, FileSpoolWriter>();
  /** Tail of the in-process update chain per id: updates to one sidecar never interleave. */
  private readonly updates = new Map<string, Promise<unknown>>();
  private readonly msgSync: DirSync;
  readonly tmpDir: string;
  readonly msgDir: string;
  readonly doneDir: string;

  /** The fronts' I/O thread for commits, when asked for (SpoolOpenOptions.ioThread). */
  private readonly io: SpoolIoThread | null;

  private constructor(
    readonly dir: string,
    private readonly blockingIo = false,
    ioThread = false,
  ) {
    this.io = ioThread ? new SpoolIoThread() : null;
    this.tmpDir = join(dir, 'tmp');
    this.msgDir = join(dir, 'msg');
    this.doneDir = join(dir, 'done');
    this.msgSync = new DirSync(this.msgDir, blockingIo);
  }

  static async open(dir: string, options: SpoolOpenOptions = {}): Promise<Spool> {
    const spool = new Spool(dir, options.blockingIo ?? false, options.ioThread ?? false);
    spool.io?.prestart(); // the first message should not wait for the thread to start
    await mkdir(spool.tmpDir, { recursive: true });
    await mkdir(spool.msgDir, { recursive: true });
    await mkdir(spool.doneDir, { recursive: true });
    if (options.sweep !== false) await spool.sweepTemp();
    return spool;
  }

  /** Ends the I/O thread, if any, once the commits in flight are done. */
  async close(): Promise<void> {
    await this.io?.close();
  }

  newId(): string {
    return newSpoolId();
  }

  messagePath(id: string): string {
    return join(this.msgDir, `${checkId(id)}.eml`);
  }

  sidecarPath(id: string): string {
    return join(this.msgDir, `${checkId(id)}.json`);
  }

  /**
   * A writer for the message bytes; nothing is visible to list() or readMessage() until commit().
   * `syncAtEnd: false` for a front that commits few of its messages (the milter: Postfix keeps the
   * mail it accepts): a large message's file is then fdatasynced by commit() only.
   */
  createWriter(id: string, options?: WriterOptions & { readonly hash?: true }): SpoolWriter;
  createWriter(id: string, options: WriterOptions & { readonly hash: false }): SpoolWriter<null>;
  createWriter(id: string, options: WriterOptions = {}): SpoolWriter<string | null> {
    checkId(id);
    if (this.writers.has(id)) throw new Error(`spool: a writer for ${id} is already open`);
    const writer = new FileSpoolWriter(this.messagePath(id), { blocking: this.blockingIo, syncAtEnd: options.syncAtEnd ?? true, hash: options.hash ?? true });
    this.writers.set(id, writer);
    return writer;
  }

  /**
   * Makes the message and its sidecar durable: waits for the writer this spool created (its
   * done()), makes the data durable, then creates and fdatasyncs the sidecar, then fsyncs msg/.
   */
  async commit(id: string, sidecar: Sidecar): Promise<void> {
    checkId(id);
    if (sidecar.id !== id) throw new Error(`spool: sidecar id ${sidecar.id} does not match ${id}`);
    const writer = this.writers.get(id);
    const files: DurableFileSpec[] = [];
    if (writer) {
      await writer.done();
      // A small message is still in memory: its file is created in the same request as the sidecar.
      const buffered = this.io ? writer.takeBuffered() : null;
      if (buffered) files.push({ path: this.messagePath(id), buffers: buffered });
      else await writer.persist();
    } else {
      await access(this.messagePath(id)); // bytes written by some other means: they must be there
    }
    // 'wx': a sidecar already there means the id was reused, a bug, not something to overwrite.
    files.push({ path: this.sidecarPath(id), buffers: [sidecarLine(sidecar)] });
    if (this.io) {
      await this.io.createFiles(files, this.msgDir);
    } else {
      for (const f of files) await createDurableFile(f.path, f.buffers, this.blockingIo);
      await this.msgSync.sync();
    }
    this.writers.delete(id);
    if (sidecar.state === 'done') await this.fileDone(id);
  }

  /** Drops a message that was never committed (client gone mid-DATA, 451, reject). Never throws. */
  async abort(id: string): Promise<void> {
    try {
      const writer = this.writers.get(id);
      this.writers.delete(id);
      if (writer && !writer.closed) {
        const closed = new Promise<void>((resolve) => writer.once('close', () => resolve()));
        writer.destroy();
        await closed;
      }
      // A small message never reached the disk: nothing to remove.
      if (writer && !writer.touchedDisk) return;
      if (isSpoolId(id)) {
        await unlinkQuietly(this.messagePath(id));
        await unlinkQuietly(this.tmpDataPath(id)); // left by an older layout
      }
    } catch {
      // abort runs on error paths: it must not add an error of its own
    }
  }

  readMessage(id: string): Readable {
    const path = this.messagePath(id);
    const donePath = this.donePath(id, '.eml');
    // A finished message lives in done/ (one stat: streaming is for large messages only).
    if (this.blockingIo) return createReadStream(existsSync(path) ? path : donePath, { highWaterMark: READ_CHUNK });
    return Readable.from(readEither(path, donePath), { objectMode: false });
  }

  async readSidecar(id: string): Promise<Sidecar> {
    return parseSidecar(await this.readEither(this.sidecarPath(id), this.donePath(id, '.json')), id);
  }

  /**
   * The whole message as one buffer, for small messages (a delivery sends it in one write);
   * use readMessage() for anything that may be large.
   */
  async readMessageBytes(id: string): Promise<Buffer> {
    return this.readEither(this.messagePath(id), this.donePath(id, '.eml'));
  }

  /** A file of msg/, or else its place in done/. */
  private async readEither(path: string, donePath: string): Promise<Buffer> {
    try {
      return this.blockingIo ? readFileSync(path) : await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return this.blockingIo ? readFileSync(donePath) : readFile(donePath);
    }
  }

  private donePath(id: string, ext: '.eml' | '.json'): string {
    return join(this.doneDir, `${checkId(id)}${ext}`);
  }

  /**
   * Moves a finished message into done/: data file first, so that msg/ never holds a data file
   * whose sidecar left it (sweepTemp would take it for a leftover). No fsync: see the layout notes.
   */
  async fileDone(id: string): Promise<void> {
    for (const ext of ['.eml', '.json'] as const) {
      try {
        await rename(join(this.msgDir, `${checkId(id)}${ext}`), this.donePath(id, ext));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  /**
   * Ids of the finished messages in done/, in directory order, by name only (no file is read, no
   * list of a million names is built or sorted on the event loop): for retention and disk
   * pressure, which must not read every sidecar to find the old ones.
   */
  async *doneIds(): AsyncIterable<string> {
    for await (const entry of await opendir(this.doneDir, { bufferSize: 1024 })) {
      const id = entry.name.endsWith('.json') ? entry.name.slice(0, -'.json'.length) : '';
      if (isSpoolId(id)) yield id;
    }
  }

  /**
   * Read-change-write of one sidecar, serialised per id within this process: the new sidecar is
   * appended as a complete line and fdatasynced (atomic for readers: a torn line is skipped).
   * Other processes are not serialised against: give each message one owner at a time (the
   * queue job that holds it).
   */
  updateSidecar(id: string, change: (s: Sidecar) => Sidecar): Promise<Sidecar> {
    checkId(id);
    const previous = this.updates.get(id) ?? Promise.resolve();
    const run = previous.then(() => this.applyUpdate(id, change));
    const tail = run.catch(() => undefined);
    this.updates.set(id, tail);
    void tail.then(() => {
      if (this.updates.get(id) === tail) this.updates.delete(id);
    });
    return run;
  }

  /**
   * Committed sidecars in id (arrival) order; sidecars that cannot be read are skipped.
   * `pendingOnly`: msg/ alone, the messages not finished (plus any whose move to done/ a crash
   * lost): what reconcile needs, read without touching the finished ones.
   */
  async *list(filter: { state?: SpoolState; pendingOnly?: boolean } = {}): AsyncIterable<Sidecar> {
    const dirs = filter.pendingOnly ? [this.msgDir] : filter.state === 'done' ? [this.doneDir, this.msgDir] : [this.msgDir, this.doneDir];
    const named: { id: string; path: string }[] = [];
    for (const dir of dirs) {
      if (dir === this.doneDir && filter.state && filter.state !== 'done') continue;
      for (const n of await readdir(dir)) {
        if (n.endsWith('.json') && isSpoolId(n.slice(0, -5))) named.push({ id: n.slice(0, -5), path: join(dir, n) });
      }
    }
    named.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const { id, path } of named) {
      let sidecar: Sidecar;
      try {
        sidecar = parseSidecar(await readFile(path), id);
      } catch {
        continue; // removed or moved meanwhile, or not ours: list() is for the living
      }
      if (filter.state && sidecar.state !== filter.state) continue;
      yield sidecar;
    }
  }

  /** Removes a message and its sidecar (sidecar first, so list() never sees a message without bytes). */
  async remove(id: string): Promise<void> {
    await unlinkQuietly(this.sidecarPath(id));
    await unlinkQuietly(this.messagePath(id));
    await unlinkQuietly(this.donePath(id, '.json'));
    await unlinkQuietly(this.donePath(id, '.eml'));
    await this.msgSync.sync();
  }

  /**
   * Removes what a crash leaves behind: temp files in tmp/, a data file in msg/ whose sidecar
   * never arrived (crash during DATA or before the sidecar), and a sidecar torn before its first
   * line was complete, with its data. None of them was ever acknowledged to a client. Returns how
   * many files were removed.
   */
  async sweepTemp(options: SweepOptions = {}): Promise<number> {
    const cutoff = Date.now() - (options.olderThanMs ?? DEFAULT_SWEEP_AGE_MS);
    let removed = 0;
    const removeIfOld = async (path: string): Promise<void> => {
      try {
        if ((await stat(path)).mtimeMs <= cutoff && (await unlinkQuietly(path))) removed++;
      } catch {
        // gone already
      }
    };
    for (const name of await readdir(this.tmpDir)) {
      if (!this.writers.has(name.split('.')[0] ?? '')) await removeIfOld(join(this.tmpDir, name));
    }
    const committed = await readdir(this.msgDir);
    const sidecars = new Set(committed.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)));
    for (const id of sidecars) {
      if (!isSpoolId(id)) continue;
      try {
        parseSidecar(await readFile(this.sidecarPath(id)), id);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        // No complete sidecar line: the commit never finished (and never answered 250).
        const path = this.sidecarPath(id);
        const before = removed;
        await removeIfOld(path);
        if (removed > before) sidecars.delete(id);
      }
    }
    for (const name of committed) {
      const id = name.slice(0, -4);
      if (!name.endsWith('.eml') || sidecars.has(id) || this.writers.has(id)) continue;
      // Its sidecar went to done/ and a crash lost the data file's move: finish it, never delete it.
      if (isSpoolId(id) && (await exists(this.donePath(id, '.json')))) await this.fileDone(id).catch(() => undefined);
      else await removeIfOld(join(this.msgDir, name));
    }
    return removed;
  }

  private tmpDataPath(id: string): string {
    return join(this.tmpDir, `${id}.eml`);
  }

  private async applyUpdate(id: string, change: (s: Sidecar) => Sidecar): Promise<Sidecar> {
    const { next, path } = this.blockingIo ? await this.appendBlocking(id, change) : await this.append(id, change);
    // The line saying done is durable: now the message may leave msg/ (see the layout notes).
    if (next.state === 'done' && path === this.sidecarPath(id)) await this.fileDone(id);
    return next;
  }

  /** Opens a sidecar where it is: msg/, or done/ for a finished message. */
  private async openSidecar(id: string): Promise<{ fh: FileHandle; path: string }> {
    const path = this.sidecarPath(id);
    try {
      // 'r+' (not 'a'): one open serves the read and the append; the end is where we read up to.
      return { fh: await open(path, 'r+'), path };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const done = this.donePath(id, '.json');
      return { fh: await open(done, 'r+'), path: done };
    }
  }

  private async append(id: string, change: (s: Sidecar) => Sidecar): Promise<{ next: Sidecar; path: string }> {
    const { fh, path } = await this.openSidecar(id);
    let next: Sidecar;
    let size: number;
    try {
      const text = await fh.readFile();
      size = text.length;
      next = change(parseSidecar(text, id));
      if (next.id !== id) throw new Error(`spool: an update may not change the id of ${id}`);
      if (size < COMPACT_BYTES) {
        // After a torn line (a crash mid-append) start a fresh line, or the two would merge.
        const line = sidecarLine(next, size > 0 && text[size - 1] !== 0x0a);
        await writeAllAt(fh, [line], size);
        await fh.datasync();
        return { next, path };
      }
    } finally {
      await fh.close();
    }
    await this.rewriteSidecar(id, next, path);
    return { next, path };
  }

  /** append() with blocking open/read/write/close; only the fdatasync waits in the thread pool. */
  private async appendBlocking(id: string, change: (s: Sidecar) => Sidecar): Promise<{ next: Sidecar; path: string }> {
    let path = this.sidecarPath(id);
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      path = this.donePath(id, '.json');
      fd = openSync(path, 'r+');
    }
    let next: Sidecar;
    let size: number;
    try {
      const text = readFileSync(fd);
      size = text.length;
      next = change(parseSidecar(text, id));
      if (next.id !== id) throw new Error(`spool: an update may not change the id of ${id}`);
      if (size < COMPACT_BYTES) {
        writeAllSync(fd, [sidecarLine(next, size > 0 && text[size - 1] !== 0x0a)], size);
        await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
        return { next, path };
      }
    } finally {
      closeSync(fd);
    }
    await this.rewriteSidecar(id, next, path);
    return { next, path };
  }

  /** Replaces a grown sidecar file by one holding only the current line (temp + fsync + rename + dir fsync). */
  private async rewriteSidecar(id: string, sidecar: Sidecar, path: string): Promise<void> {
    const tmp = join(this.tmpDir, `${id}.${randomBytes(6).toString('hex')}.json`);
    await createDurableFile(tmp, [sidecarLine(sidecar)], this.blockingIo);
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlinkQuietly(tmp);
      throw err;
    }
    await (path === this.sidecarPath(id) ? this.msgSync.sync() : fsyncDir(this.doneDir, this.blockingIo));
  }
}

const READ_CHUNK = 256 * 1024;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The chunks of a file of msg/, or else of its place in done/, opened without blocking. */
async function* readEither(path: string, donePath: string): AsyncGenerator<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fh = await open(donePath, 'r');
  }
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) return;
      yield bytesRead === READ_CHUNK ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** One sidecar as one JSON line; `newLine` first ends a torn line left by a crash. */
function sidecarLine(sidecar: Sidecar, newLine = false): Buffer {
  return Buffer.from(`${newLine ? '\n' : ''}${JSON.stringify(sidecar)}\n`, 'utf8');
}

function checkId(id: string): string {
  if (!isSpoolId(id)) throw new Error(`spool: invalid id ${JSON.stringify(id)}`);
  return id;
}

/**
 * The current sidecar: the last complete line that is a whole sidecar. A torn line (a crash
 * mid-write, or an append still being written by another process) is skipped.
 */
export function parseSidecar(bytes: Buffer, id: string): Sidecar {
  let end = bytes.length;
  while (end > 0) {
    const start = bytes.lastIndexOf(0x0a, end - 1) + 1;
    const line = bytes.subarray(start, end);
    end = start - 1;
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const s = value as Partial<Sidecar>;
    if (s.id !== id || typeof s.state !== 'string' || !s.envelope) continue;
    return value as Sidecar;
  }
  throw new Error(`spool: sidecar ${id} has no complete record`);
}

/** True when a file was removed; a missing file is not an error. */
async function unlinkQuietly(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
