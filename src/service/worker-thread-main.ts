/**
 * Entry of the worker thread started by worker-thread.ts: the worker role with its own Redis
 * connections, spool handle and logger. Never imported by anything else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { metricsJson } from '../metrics/metrics.js';
import { Dispatcher } from '../queue/dispatch.js';
import { createRedis, quitRedis, whenReady } from '../queue/redis.js';
import { Spool } from '../spool/spool.js';
import { createLogger, type LogLevel } from './logger.js';
import { startWorkerRole } from './worker-role.js';
import type { WorkerThreadData, WorkerThreadMessage } from './worker-thread.js';

if (!parentPort) throw new Error('worker-thread-main runs only as a worker thread');
const port = parentPort;
const { config, redisUrl } = workerData as WorkerThreadData;
const logger = createLogger(config.log.level, undefined, true).child({ thread: 'workers' });
const post = (m: WorkerThreadMessage) => port.postMessage(m);



async function main(): Promise<void> {
  // The parent swept the spool at open; sweeping again here could race its first DATA. Nobody
  // waits on this thread's event loop: small file reads and appends may block it (cheaper).
  const spool = await Spool.open(config.spool.dir, { sweep: false, blockingIo: true });
  const producer = createRedis(redisUrl, 'producer');
  const connection = createRedis(redisUrl, 'worker');
  await whenReady(producer, 10_000);
  const dispatcher = new Dispatcher({ connection: producer, prefix: config.redis.queuePrefix, logger });
  const role = await startWorkerRole({ config, connection, producer, dispatcher, spool, logger });
  port.on('message', (m: WorkerThreadMessage) => {
    if (m.type === 'log-level') logger.level = m.level as LogLevel;
    if (m.type === 'metrics-request') void metricsJson().then((metrics) => post({ type: 'metrics', id: m.id, metrics }));
    if (m.type !== 'stop') return;
    void (async () => {
      await role.close();
      await dispatcher.close();
      await Promise.all([quitRedis(producer), quitRedis(connection)]);
      post({ type: 'stopped' });
      port.close();
    })();
  });
  post({ type: 'started' });
}

main().catch((err: unknown) => {
  logger.error({ err }, 'worker thread failed to start');
  post({ type: 'failed', message: (err as Error).message });
});
