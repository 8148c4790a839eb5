/**
 * Whether the audit hash chain verifies, for the audit page: incremental and cached. The first
 * check reads the whole trail; each later one reads only the records appended since (from the
 * byte offset where the last one stopped), and a result younger than `maxAgeMs` is served as
 * is. A broken chain stays broken until the process restarts: a fix is a matter for
 * `mailwarden audit verify`, not for a page reload.
 */
import type { Redis } from 'ioredis';
import { readAuditHead } from '../audit/redis-chain.js';
import { verifyAuditDir, type VerifyResult } from '../audit/verify.js';

export interface ChainStatusOptions {
  readonly dir: string;
  readonly redis: Redis;
  readonly prefix: string;
  readonly key: Buffer | null;
  readonly maxAgeMs?: number;
}

export interface ChainReport {
  readonly ok: boolean;
  readonly records: number;
  readonly checkedAt: string;
  /** Records read by the check that made this report (0 when served from cache). */
  readonly readThisTime: number;
  readonly problem?: string;
}

export class ChainStatus {
  private last: VerifyResult | null = null;
  private report: ChainReport | null = null;
  private running: Promise<ChainReport> | null = null;

  constructor(private readonly opts: ChainStatusOptions) {}

  async get(now = Date.now()): Promise<ChainReport> {
    const maxAge = this.opts.maxAgeMs ?? 15_000;
    if (this.report && (!this.report.ok || now - Date.parse(this.report.checkedAt) < maxAge)) return { ...this.report, readThisTime: 0 };
    this.running ??= this.check(now).finally(() => (this.running = null));
    return this.running;
  }

  private async check(now: number): Promise<ChainReport> {
    let expectedHead = null;
    try {
      expectedHead = await readAuditHead(this.opts.redis, this.opts.prefix);
    } catch {
      // Redis down: check the files alone
    }
    const before = this.last?.records ?? 0;
    const result = await verifyAuditDir(this.opts.dir, {
      key: this.opts.key,
      expectedHead,
      stopAtTornTail: true,
      ...(this.last?.ok ? { resume: this.last.position } : {}),
    });
    this.last = result;
    const b = result.firstBroken;
    this.report = {
      ok: result.ok,
      records: result.records,
      checkedAt: new Date(now).toISOString(),
      readThisTime: result.records - before,
      ...(b ? { problem: `${b.file} line ${b.line} (seq ${b.seq}): ${b.problem}` } : {}),
    };
    return this.report;
  }
}
