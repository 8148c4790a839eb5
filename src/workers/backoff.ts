/**
 * Delivery retry timing. BullMQ counts attempts, not time, so the schedule lives in a custom
 * backoffStrategy and the give-up rule compares the message's age with maxAge.
 */
import type { BackoffStrategy } from 'bullmq';

export interface RetryOptions {
  /**
   * Delay before each retry, in ms: retry n waits schedule[n-1]; past the end, the last entry
   * repeats. Default: 1 min, 2, 5, 10, 20, 30 min, then every hour.
   */
  readonly scheduleMs?: readonly number[];
  /** Give up (bounce what is left) once the message is this old. Default 2 days. */
  readonly maxAgeMs?: number;
}

const MIN = 60_000;
export const DEFAULT_SCHEDULE_MS: readonly number[] = [1 * MIN, 2 * MIN, 5 * MIN, 10 * MIN, 20 * MIN, 30 * MIN, 60 * MIN];
export const DEFAULT_MAX_AGE_MS = 2 * 24 * 3600 * 1000;

export function retryDelay(attemptsMade: number, schedule: readonly number[] = DEFAULT_SCHEDULE_MS): number {
  if (schedule.length === 0) return MIN;
  const index = Math.min(Math.max(attemptsMade, 1), schedule.length) - 1;
  return schedule[index] ?? MIN;
}

export function deliveryBackoff(schedule: readonly number[] = DEFAULT_SCHEDULE_MS): BackoffStrategy {
  return (attemptsMade) => retryDelay(attemptsMade, schedule);
}

/**
 * Whether a failed attempt should be the last. The clock starts at the earlier of the job's
 * creation and the message's arrival: a job re-created by reconcile keeps the message's age.
 */
export function pastMaxAge(jobTimestamp: number, receivedAt: string, now: number, maxAgeMs = DEFAULT_MAX_AGE_MS): boolean {
  const arrived = Date.parse(receivedAt);
  const start = Number.isFinite(arrived) ? Math.min(arrived, jobTimestamp) : jobTimestamp;
  return now - start >= maxAgeMs;
}

/** A schedule that starts at `firstMs` and doubles up to `maxMs` (the service config's shape). */
export function doublingSchedule(firstMs: number, maxMs: number): number[] {
  const schedule: number[] = [];
  for (let d = Math.max(1, firstMs); d < maxMs && schedule.length < 32; d *= 2) schedule.push(d);
  schedule.push(maxMs);
  return schedule;
}
