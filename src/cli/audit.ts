/**
 * `mailwarden audit verify [DIR] [--redis URL] [--prefix PREFIX] [--config FILE] [--files-only] [--json]`
 * Exit 0 when the chain verifies, 1 when a record is broken (or Redis cannot be read), 2 for usage.
 * The chain head stored in Redis is part of the check by default: without it, records deleted
 * from the end of the last file leave a chain that still verifies.
 */
import { readFile, stat } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { loadServiceConfig } from '../config/load-service.js';
import { readAuditHead } from '../audit/redis-chain.js';
import { auditKeyFrom, type ChainHead } from '../audit/record.js';
import { verifyAuditDir, type VerifyResult } from '../audit/verify.js';
import { QUEUE_NAMES, QUEUE_PREFIX } from '../queue/jobs.js';
import { readArgs, UsageError } from './args.js';

const HELP = `usage: mailwarden audit verify [DIR] [--redis URL] [--prefix PREFIX] [--key-file FILE] [--config FILE] [--files-only] [--json]

Checks the audit trail in DIR (default: audit.dir of the service config, var/audit): every
record's hash, its link to the record before it, gap-free sequence numbers across the day files,
and the last record against the chain head stored in Redis (which catches records deleted from
the end); names the first broken record. With Redis it also says when records may still be on
their way: audit jobs not yet written, and deliveries in progress (after a crash BullMQ gives a dead
worker's jobs to another one only when their lock expires, about 60 s: their records follow then).
  --redis URL        Redis holding the chain head (default: redis.url of the service config, or REDIS_URL)
  --prefix PREFIX    key prefix of the stored head (default: redis.queuePrefix, ${QUEUE_PREFIX})
  --key-file FILE    the audit HMAC key, for keyed records (default: audit.hmacKeyFile of the
                     service config); with a key, unkeyed records after keyed ones fail
  --config FILE      service config (default config/mailwarden.yaml)
  --files-only       do not ask Redis: check the files alone (a deleted tail goes unnoticed)
  --json             print the result as one JSON object`;

export async function run(argv: string[]): Promise<number> {
  const args = argv[0] === 'audit' ? argv.slice(1) : argv;
  const { values, positionals } = readArgs(args, {
    redis: { type: 'string' },
    prefix: { type: 'string' },
    config: { type: 'string' },
    'key-file': { type: 'string' },
    'files-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [sub, dirArg, ...extra] = positionals;
  if (sub !== 'verify') throw new UsageError(sub ? `unknown subcommand '${sub}'\n${HELP}` : HELP);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (values['files-only'] && values.redis) throw new UsageError('--files-only and --redis exclude each other');

  const config = await loadServiceConfig({
    ...(values.config ? { file: values.config } : {}),
    ...(values.redis ? { flags: { redis: values.redis } } : {}),
  });
  const dir = dirArg ?? config.audit.dir;
  const prefix = values.prefix ?? config.redis.queuePrefix;

  if (!(await isDirectory(dir))) {
    process.stderr.write(`mailwarden audit: '${dir}' is not a directory (give the audit directory; the service config's audit.dir is ${config.audit.dir})\n`);
    return 1;
  }
  let expectedHead: ChainHead | null = null;
  let pending: PendingWork | null = null;
  let note = ' (files checked alone: records deleted from the end are caught only against the head in Redis)';
  if (!values['files-only']) {
    const url = config.redis.url;
    try {
      ({ head: expectedHead, pending } = await redisState(url, prefix));
    } catch (err) {
      process.stderr.write(
        `mailwarden audit: cannot read the chain head from Redis at ${url}: ${(err as Error).message}\n` +
          `  give --redis URL, or --files-only to check the files alone (records deleted from the end would go unnoticed)\n`,
      );
      return 1;
    }
    note = expectedHead ? `, matches the stored head` : ` (no chain head stored under ${prefix} in Redis: files checked alone)`;
  }

  const keyFile = values['key-file'] ?? config.audit.hmacKeyFile;
  let key: Buffer | null = null;
  if (keyFile) {
    try {
      key = auditKeyFrom(await readFile(keyFile), keyFile);
    } catch (err) {
      process.stderr.write(`mailwarden audit: cannot use the audit key: ${(err as Error).message}\n`);
      return 1;
    }
  }

  const result = await verifyAuditDir(dir, { expectedHead, key });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ dir, expectedHead, ...result, ...(pending ? { pending } : {}) })}\n`);
  } else {
    process.stdout.write(`${describe(result, note)}\n${pending ? describePending(pending) : ''}`);
  }
  return result.ok ? 0 : 1;
}

function describe(r: VerifyResult, note: string): string {
  if (r.firstBroken) {
    const b = r.firstBroken;
    return `audit chain BROKEN at ${b.file}:${b.line} (seq ${b.seq}): ${b.problem}\n${r.records} records verified before it, last good seq ${r.head.seq}`;
  }
  if (r.files.length === 0) return `audit chain OK: 0 records, head seq 0 (no audit files found)${note}`;
  const ahead = r.aheadOfStoredHead
    ? ` (${r.aheadOfStoredHead} records past the stored head: a writer stopped before updating Redis; the next append repairs it)`
    : note;
  const keyed = r.keyed === 0 ? '' : r.keyed === r.records ? ', all keyed (HMAC)' : `, ${r.keyed} keyed (HMAC) after ${r.records - r.keyed} unkeyed`;
  return `audit chain OK: ${r.records} records, head seq ${r.head.seq}${keyed}${ahead}`;
}

/** Work in Redis whose audit records are not in the files yet. */
interface PendingWork {
  /** Audit jobs waiting, delayed (retrying) or being written. */
  readonly auditRecords: number;
  /** Deliveries taken by a worker (alive, or dead with its lock not yet expired). */
  readonly deliveriesInProgress: number;
}

function describePending(p: PendingWork): string {
  if (p.auditRecords === 0 && p.deliveriesInProgress === 0) return '';
  return (
    `records may still be pending: ${p.auditRecords} audit record(s) queued, ${p.deliveriesInProgress} delivery(ies) in progress ` +
    `(after a crash their decision and delivery records appear once BullMQ hands the stalled jobs to a live worker, about 60 s)\n`
  );
}

async function redisState(url: string, prefix: string): Promise<{ head: ChainHead | null; pending: PendingWork }> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const key = (queue: string, list: string) => `${prefix}:${queue}:${list}`;
    const [head, wait, active, delayed, prioritized, paused, delivering] = await Promise.all([
      readAuditHead(redis, prefix),
      redis.llen(key(QUEUE_NAMES.audit, 'wait')),
      redis.llen(key(QUEUE_NAMES.audit, 'active')),
      redis.zcard(key(QUEUE_NAMES.audit, 'delayed')),
      redis.zcard(key(QUEUE_NAMES.audit, 'prioritized')),
      redis.llen(key(QUEUE_NAMES.audit, 'paused')),
      redis.llen(key(QUEUE_NAMES.deliver, 'active')),
    ]);
    return { head, pending: { auditRecords: wait + active + delayed + prioritized + paused, deliveriesInProgress: delivering } };
  } finally {
    redis.disconnect();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
