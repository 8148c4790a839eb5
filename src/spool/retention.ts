/**
 * Spool retention: a finished message (delivered, bounced, discarded, expired) is kept for a
 * while, so an operator can still look at what left, then removed. The audit trail keeps its
 * record (sha256, envelope, findings) for good; only the bytes go.
 *
 * Under disk pressure (less free space than `spool.minFreeBytes`) the oldest finished messages go
 * early, before the front has to refuse new mail for want of space.
 */
import { statfs } from 'node:fs/promises';
import { spoolIdTime } from './spool-id.js';
import type { Spool } from './spool.js';
import type { Sidecar } from './types.js';

const DAY_MS = 24 * 3600 * 1000;

/** When the message last changed: its last outcome or review, or its arrival. */
export function lastActivity(s: Sidecar): number {
  const times = [s.receivedAt, s.review?.at, ...s.outcomes.map((o) => o.at)]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t));
  return times.length > 0 ? Math.max(...times) : 0;
}

/**
 * Removes finished messages last changed more than `keepDays` ago; returns their ids. Walks the
 * names in done/ and reads the sidecars of messages that arrived before the cutoff only (a message
 * finishes after it arrives, and its id says when it arrived), never the whole spool.
 */
export async function purgeDone(spool: Spool, keepDays: number, now = Date.now()): Promise<string[]> {
  const cutoff = now - keepDays * DAY_MS;
  const removed: string[] = [];
  for await (const id of spool.doneIds()) {
    const arrived = spoolIdTime(id);
    if (arrived !== null && arrived > cutoff) continue;
    let sidecar: Sidecar;
    try {
      sidecar = await spool.readSidecar(id);
    } catch {
      continue; // removed meanwhile
    }
    if (sidecar.state !== 'done' || lastActivity(sidecar) > cutoff) continue;
    await spool.remove(id);
    removed.push(id);
  }
  return removed;
}

/** Bytes free for an unprivileged writer on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/**
 * Removes finished messages, oldest first, while the spool's file system has less than
 * `minFreeBytes` free; messages not yet finished are never touched. Returns the ids removed.
 */
export async function purgeForSpace(spool: Spool, minFreeBytes: number, free: (dir: string) => Promise<number> = freeBytes): Promise<string[]> {
  const removed: string[] = [];
  if ((await free(spool.dir)) >= minFreeBytes) return removed;
  // Only under pressure: every name, sorted, so that the oldest go first (ids sort by arrival).
  const ids: string[] = [];
  for await (const id of spool.doneIds()) ids.push(id);
  for (const id of ids.sort()) {
    await spool.remove(id);
    removed.push(id);
    if ((await free(spool.dir)) >= minFreeBytes) break;
  }
  return removed;
}
