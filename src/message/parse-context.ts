/**
 * State shared by every walker of one parse (the outer message and attached messages):
 * options, the temp area, the anomaly list, the global part count, and the stop switch that
 * ends all walking at once when a limit is hit or the parse is aborted.
 */
import type { ContentInput, OpenedMessage } from './content/analysis-work.js';
import type { Anomaly } from './model.js';
import type { ParseOptions } from './parse-options.js';
import type { TempArea } from './temp-area.js';

/** Beyond this many anomalies only a count is kept (3,000 broken parts must not mean 3,000 records). */
const MAX_ANOMALIES = 50;

export interface Haltable {
  halt(): void;
}

export class ParseContext {
  readonly anomalies: Anomaly[] = [];
  /** MIME nodes seen so far, over the outer and all attached messages. */
  parts = 0;
  /** Why walking stopped, or null while it goes on. */
  stopped: string | null = null;
  private readonly seen = new Set<string>();
  private dropped = 0;
  private readonly walkers = new Set<Haltable>();
  /** Walks a message found inside an attachment or archive member (set by the MIME walk; see content/analyse.ts). */
  openMessage: ((input: ContentInput) => Promise<OpenedMessage>) | null = null;

  constructor(
    readonly options: ParseOptions,
    readonly temp: TempArea,
  ) {}

  anomaly(kind: Anomaly['kind'], detail: string, always = false): void {
    const key = `${kind}:${detail}`;
    if (this.seen.has(key)) return;
    if (this.anomalies.length >= MAX_ANOMALIES && !always) {
      this.dropped++;
      return;
    }
    this.seen.add(key);
    this.anomalies.push({ kind, detail });
  }

  /** Stops all walking; with a kind, the reason is also recorded as an anomaly. */
  stop(kind: Anomaly['kind'] | null, detail: string): void {
    if (this.stopped) return;
    this.stopped = detail;
    if (kind) this.anomaly(kind, detail, true);
    for (const walker of [...this.walkers]) walker.halt();
  }

  register(walker: Haltable): void {
    this.walkers.add(walker);
  }

  unregister(walker: Haltable): void {
    this.walkers.delete(walker);
  }

  /** The anomaly list, with a closing note when some were left out. */
  finalAnomalies(): Anomaly[] {
    if (!this.dropped) return this.anomalies;
    return [...this.anomalies, { kind: 'malformed', detail: `${this.dropped} further anomalies not listed` }];
  }
}
