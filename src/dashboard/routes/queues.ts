/**
 * The queues (deliver, quarantine, audit) in bull-board, twice: at /queues read-only for every
 * role (bull-board's per-queue readOnlyMode, enforced by its API on the server: an action
 * there answers 405), and at /queues/manage with retry, clean and promote for admins only
 * (others get 403 before bull-board sees the request). Job data goes through a formatter that
 * keeps only references and metadata: never a body, a subject or a finding's evidence.
 * Every action taken at /queues/manage is written to the audit trail.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { accessEvent } from '../access-audit.js';
import type { DashboardContext } from '../context.js';

/** What a queue page may show of a job's data. */
export function formatJobData(data: unknown): Record<string, unknown> {
  if (!data || typeof data !== 'object') return {};
  const d = data as Record<string, unknown>;
  const env = (d.envelope ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['spoolId', 'ref', 'type', 'at', 'decision', 'actor', 'eventId']) if (typeof d[k] === 'string') out[k] = d[k];
  if (typeof env.mailFrom === 'string') out.mailFrom = env.mailFrom;
  if (Array.isArray(env.rcptTo)) out.recipients = env.rcptTo.length;
  if (Array.isArray(d.pending)) out.pending = d.pending.length;
  const verdict = d.verdict as { decision?: unknown; rules?: unknown } | undefined;
  if (verdict && typeof verdict.decision === 'string') out.decision = verdict.decision;
  const rules = Array.isArray(d.rules) ? d.rules : Array.isArray(verdict?.rules) ? verdict.rules : Array.isArray(d.findings) ? (d.findings as { rule?: unknown }[]).map((f) => f.rule) : [];
  if (rules.length) out.rules = rules.filter((r) => typeof r === 'string');
  return out;
}

function adapters(queues: readonly Queue[], readOnlyMode: boolean): BullMQAdapter[] {
  return queues.map((q) => {
    const a = new BullMQAdapter(q, { readOnlyMode, allowRetries: !readOnlyMode });
    a.setFormatter('data', formatJobData);
    a.setFormatter('returnValue', () => ({}));
    return a;
  });
}

export async function registerQueueRoutes(app: FastifyInstance, ctx: DashboardContext): Promise<void> {
  const queues = [ctx.dispatcher.deliverQueue, ctx.dispatcher.quarantineQueue, ctx.dispatcher.auditQueue] as unknown as Queue[];

  const view = new FastifyAdapter();
  view.setBasePath('/queues');
  createBullBoard({ queues: adapters(queues, true), serverAdapter: view, options: { uiConfig: { boardTitle: 'mailwarden queues (read-only)' } } });
  await app.register(view.registerPlugin() as never, { prefix: '/queues' });

  const manage = new FastifyAdapter();
  manage.setBasePath('/queues/manage');
  createBullBoard({ queues: adapters(queues, false), serverAdapter: manage, options: { uiConfig: { boardTitle: 'mailwarden queues (admin)' } } });
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        if (ctx.refuseUnless(request, reply, 'admin')) return reply;
      });
      scope.addHook('onResponse', async (request, reply) => {
        if (request.method === 'GET' || request.method === 'HEAD' || !request.user) return;
        const path = request.url.split('?')[0] ?? '';
        await ctx.dispatcher
          .audit(accessEvent('queue-action', request.user.name, `${request.method} ${path.replace('/queues/manage/api/', '')} answered ${reply.statusCode}`))
          .catch((err: unknown) => ctx.logger.error({ err }, 'could not audit a queue action'));
      });
      await scope.register(manage.registerPlugin() as never, { prefix: '/queues/manage' });
    },
  );
}
