/**
 * Prometheus metrics (prom-client), one registry per thread. The SMTP front and the delivery
 * worker count here; whoever serves /metrics adds the queue gauges and, in role `all`, the
 * worker thread's counters (asked for over its message port and summed in: see
 * service/worker-thread.ts). Labels are decisions, rules, reply codes and outcomes only:
 * never an address, a subject or an id.
 */
import { AggregatorRegistry, Counter, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export const registry = new Registry();

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const messagesTotal = new Counter({
  name: 'mailwarden_messages_total',
  help: 'Messages by the decision that stood (accept, quarantine, reject) after inspection.',
  labelNames: ['decision'] as const,
  registers: [registry],
});

export const ruleFindingsTotal = new Counter({
  name: 'mailwarden_rule_findings_total',
  help: 'Messages in which a rule found something (whatever its action: reject, quarantine or monitor), by rule.',
  labelNames: ['rule'] as const,
  registers: [registry],
});

export const smtpRepliesTotal = new Counter({
  name: 'mailwarden_smtp_replies_total',
  help: 'Replies mailwarden gives, by SMTP code: the reply to DATA, and its refusals at connect, AUTH and RCPT and when it closes a session (smtp-server\'s own syntax replies are not counted).',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const deliveriesTotal = new Counter({
  name: 'mailwarden_deliveries_total',
  help: 'Delivery outcomes per recipient: delivered, deferred (retried later) or failed (bounced).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const inspectionSeconds = new Histogram({
  name: 'mailwarden_inspection_seconds',
  help: 'From the end of DATA to the verdict (inspection streams while DATA arrives; this is what the client waits for).',
  buckets: SECONDS,
  registers: [registry],
});

export const spoolCommitSeconds = new Histogram({
  name: 'mailwarden_spool_commit_seconds',
  help: 'Committing a message to the spool (file, sidecar, directory fsync) before the 250.',
  buckets: SECONDS,
  registers: [registry],
});

export const deliverySeconds = new Histogram({
  name: 'mailwarden_delivery_seconds',
  help: 'One delivery attempt to the upstream, all pending recipients.',
  buckets: SECONDS,
  registers: [registry],
});

let defaults = false;
/** Process metrics (CPU, memory, event loop lag, handles): once, in the main thread only. */
export function collectProcessMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ register: registry, prefix: 'mailwarden_' });
}

/** What the SMTP front saw for one transaction (see fronts/smtp/transaction.ts). */
/** Counts one reply mailwarden gives outside DATA (refusals at connect, AUTH, RCPT; closing 421s). */
export function countReply(code: number): void {
  smtpRepliesTotal.inc({ code: String(code) });
}

export function observeTransaction(code: number, outcome: { decision?: unknown; rules?: unknown }, steps: Readonly<Record<string, number>>): void {
  smtpRepliesTotal.inc({ code: String(code) });
  if (code === 250 || (code === 550 && outcome.decision === 'reject')) observeDecision(outcome, steps);
}

/** A message decided (by either front): the decision, its rules, and inspection and spool times. */
export function observeDecision(outcome: { decision?: unknown; rules?: unknown }, steps: Readonly<Record<string, number>>): void {
  if (typeof outcome.decision === 'string') {
    messagesTotal.inc({ decision: outcome.decision });
    const rules = Array.isArray(outcome.rules) ? outcome.rules : [];
    for (const rule of new Set(rules.filter((r): r is string => typeof r === 'string'))) ruleFindingsTotal.inc({ rule });
  }
  if (steps.verdict !== undefined && steps.data !== undefined) inspectionSeconds.observe((steps.verdict - steps.data) / 1000);
  if (steps.spooled !== undefined && steps.verdict !== undefined) spoolCommitSeconds.observe((steps.spooled - steps.verdict) / 1000);
}

/** This thread's metrics as JSON (for the thread that serves /metrics). */
export function metricsJson(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
  return registry.getMetricsAsJSON();
}

/** Prometheus text of this thread's registry summed with other threads' JSON. */
export async function exposition(others: readonly unknown[][] = []): Promise<{ contentType: string; body: string }> {
  if (others.length === 0) return { contentType: registry.contentType, body: await registry.metrics() };
  const merged = AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), ...(others as MetricObjectWithValues<MetricValue<string>>[][])]);
  return { contentType: registry.contentType, body: await merged.metrics() };
}
