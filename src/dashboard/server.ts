/**
 * The dashboard as a part of the service: built, listening on dashboard.listen, closed on stop.
 * Also the metrics-only listener for roles without a dashboard (metrics.listen).
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { UsersStore } from '../auth/users-file.js';
import { formatHostPort, type HostPort, type ServiceConfig } from '../config/service-schema.js';
import { queueGaugeRegistry, scrape } from '../metrics/queue-gauges.js';
import type { Dispatcher } from '../queue/dispatch.js';
import type { Spool } from '../spool/spool.js';
import { buildDashboard } from './app.js';
import { tokenMatches } from './sessions.js';

export interface DashboardPartOptions {
  readonly config: ServiceConfig;
  readonly redis: Redis;
  readonly dispatcher: Dispatcher;
  readonly spool: Spool;
  readonly logger: Logger;
  readonly auditKey: Buffer | null;
  /** Other threads' metrics (the worker thread in role `all`). */
  readonly otherMetrics?: () => Promise<unknown[][]>;
  readonly readiness?: () => Record<string, boolean>;
}

export interface RunningHttp {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

async function metricsToken(config: ServiceConfig): Promise<string | null> {
  return config.metrics.tokenFile ? (await readFile(config.metrics.tokenFile, 'utf8')).trim() : null;
}

export async function startDashboard(opts: DashboardPartOptions): Promise<RunningHttp> {
  const { config, logger } = opts;
  const users = new UsersStore(config.dashboard.usersFile);
  const count = await users.count();
  if (count === 0) logger.warn({ usersFile: config.dashboard.usersFile }, 'dashboard: no users yet; add one with: mailwarden user add NAME --role admin');
  const gauges = queueGaugeRegistry(opts.dispatcher);
  const metrics = () => scrape(gauges, opts.otherMetrics ?? (async () => []));
  // With its own metrics address, /metrics is served there and not on the dashboard's port.
  const ownMetrics = config.metrics.listen !== null;
  const app = await buildDashboard({
    config,
    redis: opts.redis,
    dispatcher: opts.dispatcher,
    spool: opts.spool,
    users,
    logger,
    auditKey: opts.auditKey,
    ...(ownMetrics ? {} : { metrics, metricsToken: await metricsToken(config) }),
    ...(opts.readiness ? { readiness: opts.readiness } : {}),
  });
  const address = await listen(app, config.dashboard.listen);
  const scheme = config.dashboard.tls.cert ? 'https' : 'http';
  logger.info({ listen: `${scheme}://${formatHostPort({ host: address.address, port: address.port })}`, users: count }, 'dashboard listening');
  const metricsServer = ownMetrics ? await startMetricsServer({ ...opts, gaugesFor: opts.dispatcher }) : null;
  return {
    address,
    async close() {
      await metricsServer?.close();
      await app.close();
    },
  };
}

/** /metrics, /healthz and /readyz alone, for roles without the dashboard or with metrics.listen set. */
export async function startMetricsServer(opts: Omit<DashboardPartOptions, 'spool' | 'auditKey'> & { gaugesFor: Dispatcher | null }): Promise<RunningHttp> {
  const { config, logger } = opts;
  const at = config.metrics.listen ?? { host: '127.0.0.1', port: 9464 };
  const token = await metricsToken(config);
  const gauges = opts.gaugesFor ? queueGaugeRegistry(opts.gaugesFor) : null;
  const app = Fastify({ logger: false });
  app.get('/metrics', async (request, reply) => {
    if (token && !tokenMatches(`Bearer ${token}`, request.headers.authorization)) return reply.code(401).send('metrics need the bearer token');
    const m = await scrape(gauges, opts.otherMetrics ?? (async () => []));
    return reply.type(m.contentType).send(m.body);
  });
  app.get('/healthz', (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', async (_req, reply) => {
    const parts: Record<string, boolean> = { ...(opts.readiness?.() ?? {}) };
    parts.redis = await opts.redis.ping().then((r) => r === 'PONG', () => false);
    const ok = Object.values(parts).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ok, parts });
  });
  const address = await listen(app, at);
  logger.info({ listen: formatHostPort({ host: address.address, port: address.port }) }, 'metrics listening');
  return { address, close: () => app.close() };
}

async function listen(app: { listen(o: { host: string; port: number }): Promise<string>; server: { address(): unknown } }, at: HostPort): Promise<AddressInfo> {
  await app.listen({ host: at.host, port: at.port });
  return app.server.address() as AddressInfo;
}
