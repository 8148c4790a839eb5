/**
 * The worker role: delivery, the audit writer, reconcile at start (and after every Redis
 * reconnect, since a restarted Redis may have lost the last second of acknowledged jobs), and
 * the quarantine expiry timer. Any number of worker processes may run against one Redis and one
 * shared spool (see the README, "Running on several machines").
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { readFile } from 'node:fs/promises';
import { AuditWriter } from '../audit/audit-writer.js';
import { auditKeyFrom } from '../audit/record.js';
import { ServiceConfigError } from '../config/load-service.js';
import { formatHostPort, type ServiceConfig } from '../config/service-schema.js';
import { expireHeld } from '../quarantine/expire.js';
import { purgeDone, purgeForSpace } from '../spool/retention.js';
import type { Dispatcher } from '../queue/dispatch.js';
import { reconcile } from '../custody/reconcile.js';
import type { Spool } from '../spool/spool.js';
import { startAuditWorker } from '../workers/audit.js';
import { doublingSchedule } from '../workers/backoff.js';
import { startDeliverWorker } from '../workers/deliver.js';
import { fastDataStream } from '../workers/fast-data-stream.js';
import type { UpstreamOptions } from '../workers/upstream.js';

/** How often the spool's free space is checked (one statfs). */
const DISK_CHECK_INTERVAL_MS = 10_000;

export interface WorkerRoleOptions {
  readonly config: ServiceConfig;
  /** A worker connection (createRedis(url, 'worker')); the caller quits it. */
  readonly connection: Redis;
  /** Producer connection of `dispatcher`, watched for reconnects. */
  readonly producer: Redis;
  readonly dispatcher: Dispatcher;
  readonly spool: Spool;
  readonly logger: Logger;
}

export interface WorkerRole {
  /** Lets running jobs finish, then stops taking new ones. */
  close(): Promise<void>;
}

/** The audit HMAC key, or a config error that says what is wrong with its file. */
export async function readAuditKey(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ServiceConfigError(`audit.hmacKeyFile: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return auditKeyFrom(bytes, file);
  } catch (err) {
    throw new ServiceConfigError(`audit.hmacKeyFile: ${(err as Error).message}`);
  }
}

export function upstreamOptions(config: ServiceConfig): UpstreamOptions {
  const u = config.upstream;
  return {
    host: u.address.host,
    port: u.address.port,
    secure: u.secure,
    requireTLS: u.requireTLS,
    tls: { rejectUnauthorized: u.rejectUnauthorized, ...(u.servername ? { servername: u.servername } : {}) },
    ...(u.auth ? { auth: u.auth } : {}),
    name: config.hostname,
  };
}

export async function startWorkerRole(opts: WorkerRoleOptions): Promise<WorkerRole> {
  const { config, connection, dispatcher, spool, logger } = opts;
  const prefix = config.redis.queuePrefix;
  const dsnRelay = config.dsn.relay ? { ...upstreamOptions(config), host: config.dsn.relay.host, port: config.dsn.relay.port } : undefined;
  const deliver = startDeliverWorker({
    connection,
    prefix,
    spool,
    dispatcher,
    upstream: upstreamOptions(config),
    // Released mail that a milter front held goes back to Postfix's reinjection listener: plain SMTP on loopback.
    reinject: { host: config.milter.reinject.host, port: config.milter.reinject.port, secure: false, requireTLS: false, tls: { rejectUnauthorized: false }, name: config.hostname },
    dsn: { hostname: config.hostname, ...(config.dsn.from ? { from: config.dsn.from } : {}), ...(dsnRelay ? { relay: dsnRelay } : {}) },
    retry: { scheduleMs: doublingSchedule(config.retry.firstDelayMs, config.retry.maxDelayMs), maxAgeMs: config.retry.giveUpAfterMs },
    concurrency: config.upstream.concurrency,
    logger,
  });
  const hmacKey = config.audit.hmacKeyFile ? await readAuditKey(config.audit.hmacKeyFile) : null;
  const writer = new AuditWriter({ dir: config.audit.dir, redis: connection, prefix, logger, hmacKey });
  const audit = startAuditWorker({ connection, prefix, writer, logger });

  const runReconcile = async (why: string) => {
    try {
      await reconcile(spool, dispatcher, { logger: logger.child({ reconcile: why }) }); // it logs its own report
    } catch (err) {
      logger.error({ err, why }, 'reconcile failed; it runs again at the next Redis reconnect or start');
    }
  };
  // In the background: the SMTP front can take new mail while reconcile re-creates the jobs of
  // mail spooled before the restart (it reads msg/ only, never the finished messages in done/).
  // A job it makes for mail arriving meanwhile has that message's id: BullMQ keeps one.
  void runReconcile('start');
  let ready = 0;
  const onReady = () => {
    if (++ready > 1) void runReconcile('redis reconnected');
  };
  if (opts.producer.status === 'ready') ready = 1;
  opts.producer.on('ready', onReady);

  const expire = async () => {
    try {
      const ids = await expireHeld(spool, dispatcher, config.quarantine.retentionDays);
      if (ids.length > 0) logger.info({ expired: ids }, 'quarantine retention: held messages expired');
      const purged = await purgeDone(spool, config.spool.keepDoneDays);
      if (purged.length > 0) logger.info({ removed: purged.length }, 'spool retention: finished messages removed');
    } catch (err) {
      logger.error({ err }, 'quarantine expiry failed; retried at the next interval');
    }
  };
  void expire();
  const expiryTimer = setInterval(() => void expire(), config.quarantine.expiryCheckIntervalMs);
  expiryTimer.unref();
  const makeRoom = async () => {
    try {
      const removed = await purgeForSpace(spool, config.spool.minFreeBytes);
      if (removed.length > 0) {
        logger.warn({ removed: removed.length, minFreeBytes: config.spool.minFreeBytes }, 'spool disk pressure: finished messages removed early (their audit records stay)');
      }
    } catch (err) {
      logger.error({ err }, 'spool disk pressure check failed; retried at the next interval');
    }
  };
  void makeRoom();
  const spaceTimer = setInterval(() => void makeRoom(), DISK_CHECK_INTERVAL_MS);
  spaceTimer.unref();

  logger.info(
    { upstream: formatHostPort(config.upstream.address), concurrency: config.upstream.concurrency, audit: config.audit.dir, auditKeyed: hmacKey !== null, fastDataStream: fastDataStream.installed },
    'workers started',
  );
  if (!fastDataStream.installed) logger.warn({ reason: fastDataStream.reason }, "delivery uses nodemailer's own DataStream (slower for big mail)");
  return {
    async close() {
      clearInterval(expiryTimer);
      clearInterval(spaceTimer);
      opts.producer.off('ready', onReady);
      await Promise.allSettled([deliver.close(), audit.close()]);
      await writer.close();
    },
  };
}
