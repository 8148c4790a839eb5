/**
 * The worker role (delivery, audit, reconcile, quarantine expiry) in a worker thread of the
 * `all` process, so that it runs on a second core instead of sharing the SMTP front's event
 * loop. Measured on 2 cores: the front's latency no longer waits behind delivery work, and the
 * relay's throughput rises by about a fifth (see the README's benchmark figures).
 *
 * The thread has its own Redis connections, spool handle and logger (pino writes to fd 1 from
 * any thread); it shares the process, so a crash of either takes both down, as before.
 * Protocol: the thread posts {type:'started'} or {type:'failed', message}; the parent posts
 * {type:'stop'} and the thread posts {type:'stopped'} once running jobs finished, then ends.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-schema.js';
import { startThread } from '../thread-entry.js';
import type { WorkerRole } from './worker-role.js';

export interface WorkerThreadData {
  readonly config: ServiceConfig;
  /** The Redis URL actually in use (a bootstrapped local Redis may differ from the config). */
  readonly redisUrl: string;
}

export type WorkerThreadMessage =
  | { readonly type: 'started' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'stop' }
  | { readonly type: 'log-level'; readonly level: string }
  /** /metrics in the parent asks for the thread's counters (delivery), answered as prom-client JSON. */
  | { readonly type: 'metrics-request'; readonly id: number }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: unknown[] };

export interface WorkerThreadRole extends WorkerRole {
  /** Applies a reloaded log level in the thread. */
  setLogLevel(level: string): void;
  /** The thread's metrics (prom-client JSON), or [] when it does not answer within 2 s. */
  metrics(): Promise<unknown[]>;
}

/**
 * Starts the thread and resolves once its workers run (reconcile included). `onExit` is called
 * if the thread ends by itself (a crash): the caller decides what the process does then.
 */
export async function startWorkerThread(
  data: WorkerThreadData,
  logger: Logger,
  onExit: (err: Error) => void,
): Promise<WorkerThreadRole> {
  const worker = newWorker(data);
  let stopping = false;
  let stopped: (() => void) | null = null;

  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: WorkerThreadMessage) => {
      if (m.type === 'started') {
        cleanup();
        resolve();
      } else if (m.type === 'failed') {
        cleanup();
        reject(new Error(m.message));
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onEarlyExit = (code: number) => {
      cleanup();
      reject(new Error(`worker thread exited with code ${code} while starting`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onEarlyExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onEarlyExit);
  });

  const metricsWaiting = new Map<number, (metrics: unknown[]) => void>();
  let metricsId = 0;
  worker.on('message', (m: WorkerThreadMessage) => {
    if (m.type === 'stopped') stopped?.();
    if (m.type === 'metrics') metricsWaiting.get(m.id)?.(m.metrics);
  });
  worker.on('error', (err) => {
    logger.fatal({ err }, 'worker thread crashed');
    if (!stopping) onExit(err);
  });
  worker.on('exit', (code) => {
    stopped?.();
    if (!stopping) onExit(new Error(`worker thread exited with code ${code}`));
  });

  return {
    setLogLevel(level) {
      worker.postMessage({ type: 'log-level', level } satisfies WorkerThreadMessage);
    },
    metrics() {
      if (stopping) return Promise.resolve([]);
      const id = ++metricsId;
      return new Promise((resolve) => {
        const timer = setTimeout(() => done([]), 2000);
        const done = (metrics: unknown[]) => {
          clearTimeout(timer);
          metricsWaiting.delete(id);
          resolve(metrics);
        };
        metricsWaiting.set(id, done);
        worker.postMessage({ type: 'metrics-request', id } satisfies WorkerThreadMessage);
      });
    },
    async close() {
      if (stopping) return;
      stopping = true;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ type: 'stop' } satisfies WorkerThreadMessage);
      await done;
      await worker.terminate();
    },
  };
}

/**
 * dist/: the compiled entry. Sources run through tsx (tests, `tsx src/cli/main.ts`): a worker
 * does not inherit tsx's loader, so the thread registers it before importing the .ts entry.
 */
function newWorker(data: WorkerThreadData): Worker {
  // A small young generation: the thread's allocations are short-lived job objects, and V8's
  // default (up to 48 MB per isolate) would add that much to the RSS under load for no speed.
  const options = { workerData: data, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: 12 } };
  return startThread(new URL('./worker-thread-main.js', import.meta.url), options);
}
