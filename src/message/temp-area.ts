/**
 * Bounded scratch space for one inspection: parts too large to hold in memory and
 * archive members that must be extracted to be opened go here, under a byte quota.
 * Everything is removed by `dispose()`, whatever happened.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TempQuotaExceeded extends Error {
  constructor(readonly quota: number) {
    super(`temporary space quota of ${quota} bytes exceeded`);
    this.name = 'TempQuotaExceeded';
  }
}

export class TempArea {
  /** Created on first use; a promise so that concurrent callers share one directory. */
  private dir: Promise<string> | null = null;
  private used = 0;
  private seq = 0;

  constructor(
    private readonly baseDir: string,
    readonly quotaBytes: number,
  ) {}

  get bytesUsed(): number {
    return this.used;
  }

  /** Reserve `n` more bytes; throws TempQuotaExceeded past the quota. */
  reserve(n: number): void {
    if (this.used + n > this.quotaBytes) throw new TempQuotaExceeded(this.quotaBytes);
    this.used += n;
  }

  /** Give back bytes of a file that was deleted early. */
  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  /** A fresh file path inside the area (the file is not created). */
  async newPath(hint = 'part'): Promise<string> {
    this.dir ??= mkdtemp(join(this.baseDir || tmpdir(), 'mailwarden-'));
    this.seq += 1;
    const seq = this.seq;
    return join(await this.dir, `${seq}-${hint.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}`);
  }

  async dispose(): Promise<void> {
    const dir = this.dir;
    this.dir = null;
    this.used = 0;
    if (dir) await rm(await dir.catch(() => ''), { recursive: true, force: true }).catch(() => undefined);
  }
}
