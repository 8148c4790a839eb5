/**
 * The durable message store: the source of truth for every message we said 250 to.
 *
 * Layout:
 *   <dir>/tmp/<id>.eml              message bytes while DATA streams in (invisible to list())
 *   <dir>/tmp/<id>.<rand>.json      a sidecar being written
 *   <dir>/msg/<id>.eml, <id>.json   committed message and its sidecar
 *
 * Durability: the data file is fsynced by its writer; commit() writes and fsyncs the sidecar,
 * renames the data file and then the sidecar into msg/, and fsyncs msg/ once. Both renames land
 * in the same directory, so that one fsync makes both durable; concurrent commits share it
 * (see DirSync). Per message that is 2 file fsyncs + a shared directory fsync.
 * The sidecar is renamed last, so a sidecar in msg/ always has its data beside it
 * (ext4/xfs journal renames in order); list() only ever looks at sidecars.
 *
 * Several processes may share one spool directory (fronts and workers on shared storage):
 * temp names are unique per writer, and sweepTemp() only removes files nobody touched lately.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DirSync } from './dir-sync.js';
import { isSpoolId, newSpoolId } from './spool-id.js';
import { FileSpoolWriter, type SpoolWriter } from './spool-writer.js';
import type { Sidecar, SpoolState } from './types.js';

export type { SpoolWriter } from './spool-writer.js';

export interface SpoolOpenOptions {
  /** Remove abandoned temp files at open (see sweepTemp). Default true. */
  readonly sweep?: boolean;
}

export interface SweepOptions {
  /**
   * Only remove files not modified for this long, so that a DATA in progress in another process
   * sharing the spool is left alone (every write bumps the mtime). Default 15 minutes.
   */
  readonly olderThanMs?: number;
}

const DEFAULT_SWEEP_AGE_MS = 15 * 60_000;

export class Spool {
  private readonly writers = new Map<string, FileSpoolWriter>();
  /** Tail of the in-process update chain per id: updates to one sidecar never interleave. */
  private readonly updates = new Map<string, Promise<unknown>>();
  private readonly msgSync: DirSync;
  readonly tmpDir: string;
  readonly msgDir: string;

  private constructor(readonly dir: string) {
    this.tmpDir = join(dir, 'tmp');
    this.msgDir = join(dir, 'msg');
    this.msgSync = new DirSync(this.msgDir);
  }

  static async open(dir: string, options: SpoolOpenOptions = {}): Promise<Spool> {
    const spool = new Spool(dir);
    await mkdir(spool.tmpDir, { recursive: true });
    await mkdir(spool.msgDir, { recursive: true });
    if (options.sweep !== false) await spool.sweepTemp();
    return spool;
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

  /** A writer for the message bytes; nothing is visible to list() or readMessage() until commit(). */
  createWriter(id: string): SpoolWriter {
    checkId(id);
    if (this.writers.has(id)) throw new Error(`spool: a writer for ${id} is already open`);
    const writer = new FileSpoolWriter(this.tmpDataPath(id));
    this.writers.set(id, writer);
    return writer;
  }

  /**
   * Makes the message and its sidecar durable. Waits for the writer's done() if this spool
   * created it (so the data is fsynced), then sidecar temp + fsync, two renames, one dir fsync.
   */
  async commit(id: string, sidecar: Sidecar): Promise<void> {
    checkId(id);
    if (sidecar.id !== id) throw new Error(`spool: sidecar id ${sidecar.id} does not match ${id}`);
    const writer = this.writers.get(id);
    if (writer) await writer.done();
    const sidecarTmp = await this.writeSidecarTemp(id, sidecar);
    try {
      await rename(this.tmpDataPath(id), this.messagePath(id));
      await rename(sidecarTmp, this.sidecarPath(id));
    } catch (err) {
      await unlinkQuietly(sidecarTmp);
      throw err;
    }
    await this.msgSync.sync();
    this.writers.delete(id);
  }

  /** Drops a message that was never committed (client gone mid-DATA, 451). Never throws. */
  async abort(id: string): Promise<void> {
    try {
      const writer = this.writers.get(id);
      this.writers.delete(id);
      if (writer && !writer.closed) {
        const closed = new Promise<void>((resolve) => writer.once('close', () => resolve()));
        writer.destroy();
        await closed;
      }
      if (isSpoolId(id)) await unlinkQuietly(this.tmpDataPath(id));
    } catch {
      // abort runs on error paths: it must not add an error of its own
    }
  }

  readMessage(id: string): Readable {
    return createReadStream(this.messagePath(id), { highWaterMark: 256 * 1024 });
  }

  async readSidecar(id: string): Promise<Sidecar> {
    return parseSidecar(await readFile(this.sidecarPath(id), 'utf8'), id);
  }

  /**
   * Read-change-write of one sidecar, serialised per id within this process, written
   * atomically (temp + fsync + rename + dir fsync). Other processes are not serialised
   * against: give each message one owner at a time (the queue job that holds it).
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

  /** Committed sidecars in id (arrival) order; sidecars that cannot be read are skipped. */
  async *list(filter: { state?: SpoolState } = {}): AsyncIterable<Sidecar> {
    const names = (await readdir(this.msgDir)).filter((n) => n.endsWith('.json')).sort();
    for (const name of names) {
      const id = name.slice(0, -'.json'.length);
      if (!isSpoolId(id)) continue;
      let sidecar: Sidecar;
      try {
        sidecar = parseSidecar(await readFile(join(this.msgDir, name), 'utf8'), id);
      } catch {
        continue; // removed meanwhile, or not ours: list() is for the living
      }
      if (filter.state && sidecar.state !== filter.state) continue;
      yield sidecar;
    }
  }

  /** Removes a message and its sidecar (sidecar first, so list() never sees a message without bytes). */
  async remove(id: string): Promise<void> {
    await unlinkQuietly(this.sidecarPath(id));
    await unlinkQuietly(this.messagePath(id));
    await this.msgSync.sync();
  }

  /**
   * Removes what a crash leaves behind: temp files in tmp/, and a data file in msg/ whose
   * sidecar never arrived (crash between the two renames of commit). Neither was ever
   * acknowledged to a client. Returns how many files were removed.
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
    for (const name of committed) {
      if (name.endsWith('.eml') && !sidecars.has(name.slice(0, -4))) await removeIfOld(join(this.msgDir, name));
    }
    return removed;
  }

  private tmpDataPath(id: string): string {
    return join(this.tmpDir, `${id}.eml`);
  }

  private async applyUpdate(id: string, change: (s: Sidecar) => Sidecar): Promise<Sidecar> {
    const next = change(await this.readSidecar(id));
    if (next.id !== id) throw new Error(`spool: an update may not change the id of ${id}`);
    const tmp = await this.writeSidecarTemp(id, next);
    try {
      await rename(tmp, this.sidecarPath(id));
    } catch (err) {
      await unlinkQuietly(tmp);
      throw err;
    }
    await this.msgSync.sync();
    return next;
  }

  /** Writes the sidecar to a fresh temp file and fsyncs it; returns its path. */
  private async writeSidecarTemp(id: string, sidecar: Sidecar): Promise<string> {
    const path = join(this.tmpDir, `${id}.${randomBytes(6).toString('hex')}.json`);
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(JSON.stringify(sidecar));
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlinkQuietly(path);
      throw err;
    }
    await fh.close();
    return path;
  }
}

function checkId(id: string): string {
  if (!isSpoolId(id)) throw new Error(`spool: invalid id ${JSON.stringify(id)}`);
  return id;
}

function parseSidecar(text: string, id: string): Sidecar {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error(`spool: sidecar ${id} is not an object`);
  const s = value as Partial<Sidecar>;
  if (s.id !== id || typeof s.state !== 'string' || !s.envelope) throw new Error(`spool: sidecar ${id} is incomplete`);
  return value as Sidecar;
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
