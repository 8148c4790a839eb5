/**
 * Group commit for directory fsyncs. A new file's name (or a rename) is durable only once its
 * directory is fsynced; under load many commits create files in the same directory at once, and
 * one fsync that starts after all their creations covers every one of them. So callers that arrive while an fsync is
 * already queued (not yet started) share it; callers that arrive while one is running get the
 * next one, which starts after it. Each caller's promise resolves only after an fsync that
 * began after the caller asked.
 */
import { fsyncDirectory } from './durable-file.js';

export class DirSync {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly blocking = false,
  ) {}

  sync(): Promise<void> {
    if (this.queued) return this.queued;
    const before = this.running ? this.running.catch(() => undefined) : Promise.resolve();
    const next: Promise<void> = before
      .then(() => {
        this.queued = null;
        this.running = next;
        return fsyncDir(this.dir, this.blocking);
      })
      .finally(() => {
        if (this.running === next) this.running = null;
      });
    this.queued = next;
    return next;
  }
}

export async function fsyncDir(dir: string, blocking = false): Promise<void> {
  await fsyncDirectory(dir, blocking);
}
