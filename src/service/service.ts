/**
 * The mailwarden service: config -> Redis (bootstrapped if need be) -> spool -> the parts of the
 * chosen role. `stop()` takes them down in the order that loses nothing:
 *   1. the SMTP front: stops listening, open sessions get 421 at their next command, a DATA in
 *      progress finishes and gets its real reply (see fronts/smtp/server.ts);
 *   2. the workers: running deliveries and audit writes finish, no new job is taken;
 *   3. the queues and Redis connections; 4. the child redis-server, if we started one.
 * `reload()` (SIGHUP) re-reads the config and policy; an invalid file is refused, the old kept.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadServiceConfig, type LoadServiceOptions } from '../config/load-service.js';
import { formatHostPort, roleParts, type ServiceConfig } from '../config/service-schema.js';
import { milterHandler } from '../fronts/milter/handler.js';
import { MILTER_ACTIONS, MILTER_MACROS, milterProtocolFor } from '../fronts/milter/negotiation.js';
import { listenMilter, type MilterServer } from '../fronts/milter/server.js';
import type { FrontSettings } from '../fronts/smtp/front-context.js';
import { createSmtpFront, type SmtpFront } from '../fronts/smtp/server.js';
import { startDashboard, startMetricsServer, type RunningHttp } from '../dashboard/server.js';
import { collectProcessMetrics } from '../metrics/metrics.js';
import { Dispatcher } from '../queue/dispatch.js';
import { createRedis, quitRedis, whenReady } from '../queue/redis.js';
import { Spool } from '../spool/spool.js';
import { checkEvictionPolicy } from './eviction-check.js';
import { createLogger } from './logger.js';
import { ensureRedis, type RedisHandle } from './redis-bootstrap.js';
import { loadSettings } from './settings.js';
import { readAuditKey, startWorkerRole, type WorkerRole } from './worker-role.js';
import { startWorkerThread, type WorkerThreadRole } from './worker-thread.js';
import { isFullyQualified } from '../config/machine-name.js';

export interface ServiceOptions extends LoadServiceOptions {
  /** Tests pass their own; otherwise one is made from `log.level`. */
  readonly logger?: Logger;
  /**
   * Role `all`: run the workers in a worker thread (a second core) instead of on the front's
   * event loop. `mailwarden serve` turns it on; tests that pass their own logger leave it off
   * (the thread logs with its own pino instance).
   */
  readonly workerThread?: boolean;
}

export interface RunningService {
  readonly config: ServiceConfig;
  /** Where the SMTP front listens (null when the role has no smtp part). */
  readonly smtpAddress: AddressInfo | null;
  /** Where the milter front listens: a TCP address or a unix socket path (null without the milter part). */
  readonly milterAddress: AddressInfo | string | null;
  /** Where the dashboard listens (null for roles without it). */
  readonly dashboardAddress: AddressInfo | null;
  readonly logger: Logger;
  /** Re-reads config and policy; false (and the old ones kept) when a file is invalid. */
  reload(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startService(opts: ServiceOptions = {}): Promise<RunningService> {
  const config = await loadServiceConfig(opts);
  const logger = opts.logger ?? createLogger(config.log.level);
  const parts = roleParts(config.role);
  const runsFront = parts.has('smtp');
  const runsMilter = parts.has('milter');
  const runsWorkers = parts.has('worker');
  const runsDashboard = parts.has('dashboard');
  // Loaded before anything starts: a bad policy must stop the start, not the first message.
  let settings: FrontSettings | null = runsFront || runsMilter ? await loadSettings(config, logger) : null;
  // Likewise an unreadable or short audit key (the workers read it again where they run).
  const auditKey = (runsWorkers || runsDashboard) && config.audit.hmacKeyFile ? await readAuditKey(config.audit.hmacKeyFile) : null;
  collectProcessMetrics();

  const cleanups: (() => Promise<void>)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
    }
  };
  try {
    const redis: RedisHandle = await ensureRedis({
      url: config.redis.url,
      autoStart: config.redis.autoStart,
      dataDir: config.redis.dataDir,
      logger,
    });
    cleanups.push(() => redis.stop());

    // The leftovers sweep runs once the port is open (below): it reads every pending sidecar.
    // The fronts commit through the spool's I/O thread (one round trip per message, see io-thread.ts).
    const spool = await Spool.open(config.spool.dir, { sweep: false, ioThread: runsFront || runsMilter });
    cleanups.push(() => spool.close());
    const producer = createRedis(redis.url, 'producer');
    cleanups.push(() => quitRedis(producer));
    await whenReady(producer, 10_000);
    await checkEvictionPolicy(producer, logger);
    const dispatcher = new Dispatcher({ connection: producer, prefix: config.redis.queuePrefix, logger });
    cleanups.push(() => dispatcher.close());

    let workers: WorkerRole | null = null;
    let thread: WorkerThreadRole | null = null;
    if (runsWorkers && (runsFront || runsMilter) && opts.workerThread) {
      // A crashed worker thread stops the service (a supervisor restarts it), as a crash of the
      // single process would: it must not go on answering 250 with nobody delivering.
      thread = await startWorkerThread({ config, redisUrl: redis.url }, logger, () => process.kill(process.pid, 'SIGTERM'));
      workers = thread;
      cleanups.push(() => thread!.close());
    } else if (runsWorkers) {
      const connection = createRedis(redis.url, 'worker');
      cleanups.push(() => quitRedis(connection));
      workers = await startWorkerRole({ config, connection, producer, dispatcher, spool, logger });
      cleanups.push(() => workers!.close());
    }

    let front: SmtpFront | null = null;
    let smtpAddress: AddressInfo | null = null;
    if (runsFront) {
      front = createSmtpFront({ spool, dispatcher, logger, settings: () => settings! });
      smtpAddress = await front.listen(config.listen);
      cleanups.push(() => front!.close());
      logger.info(
        { listen: formatHostPort({ host: smtpAddress.address, port: smtpAddress.port }), size: config.smtp.size, policy: settings?.policy.source },
        'SMTP front listening',
      );
    }
    let milter: MilterServer | null = null;
    let milterAddress: AddressInfo | string | null = null;
    if (runsMilter) {
      const milterCtx = { spool, dispatcher, logger, settings: () => settings! };
      milter = await listenMilter({
        listen: config.milter.listen,
        socketMode: parseInt(config.milter.socketMode, 8),
        socketGroup: config.milter.socketGroup,
        session: { actions: MILTER_ACTIONS, protocol: milterProtocolFor(config.milter.listen), macroLists: MILTER_MACROS },
        handler: () => milterHandler(milterCtx, logger),
        maxConnections: config.milter.maxConnections,
        idleTimeoutMs: config.milter.idleTimeoutMs,
        logger,
      });
      milterAddress = milter.address();
      cleanups.push(() => milter!.close(config.smtp.closeTimeoutMs));
      logger.info(
        { milter: typeof milterAddress === 'string' ? `unix:${milterAddress}` : `inet:${formatHostPort({ host: milterAddress!.address, port: milterAddress!.port })}`, quarantine: config.milter.quarantine },
        'milter front listening',
      );
    }
    // Only files untouched for 15 minutes go, so new mail arriving meanwhile is safe from it.
    void spool.sweepTemp().then(
      (removed) => removed > 0 && logger.info({ removed }, 'spool: leftovers of interrupted transactions removed'),
      (err: unknown) => logger.error({ err }, 'spool sweep failed'),
    );
    if (!isFullyQualified(config.hostname)) {
      logger.warn({ hostname: config.hostname }, 'hostname is not fully qualified (greeting, Received: and DSNs use it): set hostname in the service config');
    }
    // The dashboard (and /metrics) last: its readiness reports the parts started above.
    const readiness = () => ({ ...(runsFront ? { smtp: front !== null } : {}), ...(runsMilter ? { milter: milter !== null } : {}), ...(runsWorkers ? { workers: workers !== null } : {}) });
    const otherMetrics = thread ? async () => [await thread!.metrics()] : async () => [];
    let http: RunningHttp | null = null;
    if (runsDashboard) {
      http = await startDashboard({ config, redis: producer, dispatcher, spool, logger, auditKey, otherMetrics, readiness });
    } else if (config.metrics.listen) {
      http = await startMetricsServer({ config, redis: producer, dispatcher, logger, otherMetrics, readiness, gaugesFor: dispatcher });
    }
    if (http) cleanups.push(() => http!.close());
    logger.info({ role: config.role, config: config.source || '(defaults)', redis: redactUrl(redis.url), spool: spool.dir }, 'mailwarden started');

    let stopping: Promise<void> | null = null;
    return {
      config,
      smtpAddress,
      milterAddress,
      dashboardAddress: runsDashboard ? (http?.address ?? null) : null,
      logger,
      async reload() {
        try {
          const next = await loadServiceConfig(opts);
          const nextSettings = runsFront || runsMilter ? await loadSettings(next, logger) : null;
          const restartNeeded = restartOnlyChanges(config, next);
          if (restartNeeded.length > 0) {
            logger.warn({ keys: restartNeeded }, 'reload: these settings only change on restart');
          }
          if (nextSettings) {
            front?.applySettings(nextSettings);
            // The milter reads the settings per message: the next message sees the new policy.
            settings = nextSettings;
          }
          logger.level = next.log.level;
          thread?.setLogLevel(next.log.level);
          logger.info({ config: next.source || '(defaults)', policyVersion: nextSettings?.policy.version }, 'reloaded config and policy');
          return true;
        } catch (err) {
          logger.error({ err: { message: (err as Error).message } }, 'RELOAD REFUSED: the new config or policy is invalid; still running with the old one');
          return false;
        }
      },
      stop() {
        stopping ??= (async () => {
          logger.info('stopping: no new connections; open sessions get 421, DATA in progress finishes');
          await runCleanups();
          logger.info('mailwarden stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

/** Keys read once at start: a reload reports them instead of pretending to apply them. */
function restartOnlyChanges(a: ServiceConfig, b: ServiceConfig): string[] {
  const keys: [string, unknown, unknown][] = [
    ['role', a.role, b.role],
    ['listen', a.listen, b.listen],
    ['milter', a.milter, b.milter],
    ['dashboard', a.dashboard, b.dashboard],
    ['metrics', a.metrics, b.metrics],
    ['redis', a.redis, b.redis],
    ['spool.dir', a.spool.dir, b.spool.dir],
    ['audit.dir', a.audit.dir, b.audit.dir],
    ['upstream', a.upstream, b.upstream],
    ['dsn', a.dsn, b.dsn],
    ['retry', a.retry, b.retry],
    ['quarantine', a.quarantine, b.quarantine],
  ];
  return keys.filter(([, x, y]) => JSON.stringify(x) !== JSON.stringify(y)).map(([k]) => k);
}



function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
