/** Depth of each queue by job state and the age of its oldest waiting job (overview and metrics). */
import type { Queue } from 'bullmq';
import type { Dispatcher } from '../queue/dispatch.js';

export interface QueueState {
  readonly name: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Age in ms of the oldest job waiting or delayed; 0 when none waits. */
  readonly oldestWaitingMs: number;
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

async function oldest(queue: Queue, now: number): Promise<number> {
  let first = Number.POSITIVE_INFINITY;
  for (const type of ['waiting', 'delayed', 'prioritized'] as const) {
    const [job] = await queue.getJobs([type], 0, 0, true);
    if (job?.timestamp) first = Math.min(first, job.timestamp);
  }
  return Number.isFinite(first) ? Math.max(0, now - first) : 0;
}

export async function queueStates(dispatcher: Dispatcher, now = Date.now()): Promise<QueueState[]> {
  const queues: Queue[] = [dispatcher.deliverQueue, dispatcher.quarantineQueue, dispatcher.auditQueue];
  return Promise.all(
    queues.map(async (q) => {
      const counts = await q.getJobCounts(...STATES);
      // The quarantine queue is a list of held mail, never consumed: its "waiting" is not a backlog.
      const oldestWaitingMs = q === dispatcher.quarantineQueue ? 0 : await oldest(q, now);
      return { name: q.name, counts, oldestWaitingMs };
    }),
  );
}
