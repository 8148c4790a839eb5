/**
 * Gauges read at scrape time from Redis: jobs per queue and state, the oldest waiting job's
 * age, held messages. In their own registry per server (several servers in one test process
 * must not clash in the global one); exposition() sums them in.
 */
import { Gauge, Registry } from 'prom-client';
import { queueStates, type QueueState } from '../dashboard/queue-state.js';
import type { Dispatcher } from '../queue/dispatch.js';
import { exposition, registry } from './metrics.js';

export function queueGaugeRegistry(dispatcher: Dispatcher): Registry {
  const reg = new Registry();
  let pending: Promise<QueueState[]> | null = null;
  // One Redis read per scrape, shared by the gauges (prom-client collects them concurrently).
  const states = () => (pending ??= queueStates(dispatcher).finally(() => (pending = null)));
  new Gauge({
    name: 'mailwarden_queue_jobs',
    help: 'Jobs in each queue by state (the quarantine queue lists held mail: nothing consumes it).',
    labelNames: ['queue', 'state'] as const,
    registers: [reg],
    async collect() {
      this.reset();
      for (const q of await states()) for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.name, state }, n);
    },
  });
  new Gauge({
    name: 'mailwarden_queue_oldest_job_age_seconds',
    help: 'Age of the oldest job waiting or delayed in each queue (0 when none waits).',
    labelNames: ['queue'] as const,
    registers: [reg],
    async collect() {
      this.reset();
      for (const q of await states()) if (q.name !== 'quarantine') this.set({ queue: q.name }, q.oldestWaitingMs / 1000);
    },
  });
  new Gauge({
    name: 'mailwarden_held_messages',
    help: 'Messages held in quarantine waiting for a reviewer.',
    registers: [reg],
    async collect() {
      this.set(await dispatcher.heldIndex.count());
    },
  });
  return reg;
}

/** The /metrics body: this thread, the gauges, and other threads' JSON. */
export async function scrape(gauges: Registry | null, others: () => Promise<unknown[][]>): Promise<{ contentType: string; body: string }> {
  const extra = [...(gauges ? [await gauges.getMetricsAsJSON()] : []), ...(await others())];
  return extra.length ? exposition(extra) : { contentType: registry.contentType, body: await registry.metrics() };
}
