/**
 * The inspection time limit (inspection.timeoutMs) counts only the time inspection keeps the
 * sender waiting: while the parser holds back the data (its input is full) and from the end of
 * the data to the verdict. A slow client sending 25 MB over a slow link spends its own time,
 * not inspection's; a parser that stalls mid-stream is caught as surely as one that stalls at
 * the end, which matters for `check` where the file is read as fast as the parser takes it.
 */
export class InspectionClock {
  private used = 0;
  private since: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly limitMs: number,
    private readonly onExpired: () => void,
  ) {}

  /** Inspection is now the slow side. */
  run(): void {
    if (this.stopped || this.since !== null) return;
    this.since = Date.now();
    this.timer = setTimeout(() => this.expire(), Math.max(0, this.limitMs - this.used));
  }

  /** The sender is the slow side again. */
  pause(): void {
    if (this.since === null) return;
    this.used += Date.now() - this.since;
    this.since = null;
    clearTimeout(this.timer);
  }

  /** A verdict (or another end): the clock never fires after this. */
  stop(): void {
    this.pause();
    this.stopped = true;
  }

  private expire(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.onExpired();
  }
}
