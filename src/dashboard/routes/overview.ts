/**
 * The overview: decisions per hour by outcome and by rule (24 hours and 7 days), delivery
 * failures and deferrals, queue depths and the oldest waiting job, held mail by age.
 */
import type { FastifyInstance } from 'fastify';
import { HOUR_MS } from '../../queue/event-stats.js';
import type { DashboardContext } from '../context.js';
import { horizontalBars, stackedBars } from '../charts.js';
import { formatAge, html } from '../html.js';
import { page } from '../layout.js';
import { queueStates } from '../queue-state.js';

const COLORS = { accept: '#2e7d32', quarantine: '#b36b00', reject: '#b3261e', deferred: '#8e6bb8', bounced: '#b3261e', delivered: '#2e7d32' };

export function registerOverviewRoutes(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/', async (request, reply) => {
    const now = Date.now();
    const [day, week, queues, heldAges] = await Promise.all([
      ctx.dispatcher.stats.hours(24, now),
      ctx.dispatcher.stats.hours(168, now),
      queueStates(ctx.dispatcher, now),
      heldByAge(ctx, now),
    ]);
    const hourLabel = (h: number) => new Date(h * HOUR_MS).toISOString().slice(11, 13) + 'h';
    const dayLabel = (h: number) => new Date(h * HOUR_MS).toISOString().slice(5, 10);
    const decisions = (rows: typeof day) =>
      (['accept', 'quarantine', 'reject'] as const).map((d) => ({ label: d, color: COLORS[d], values: rows.map((r) => r.counts[`decision:${d}`] ?? 0) }));
    // 7 days: sum the hours into 6-hour bars so the chart stays readable.
    const sixHours = Array.from({ length: 28 }, (_, i) => {
      const slice = week.slice(i * 6, i * 6 + 6);
      const counts: Record<string, number> = {};
      for (const r of slice) for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v;
      return { hour: slice[0]!.hour, counts };
    });
    const ruleTotals = (rows: typeof day) => {
      const totals = new Map<string, number>();
      for (const r of rows) for (const [k, v] of Object.entries(r.counts)) if (k.startsWith('rule:')) totals.set(k.slice(5), (totals.get(k.slice(5)) ?? 0) + v);
      return [...totals].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value }));
    };
    const sum = (rows: typeof day, key: string) => rows.reduce((a, r) => a + (r.counts[key] ?? 0), 0);
    const deliver = queues.find((q) => q.name === 'deliver');
    const body = html`<h1>Overview</h1>
<div class="cards">
  <div class="card"><div class="muted">Decisions, 24 h</div><div class="value">${sum(day, 'type:decision')}</div></div>
  <div class="card"><div class="muted">Held now</div><div class="value"><a href="/quarantine">${heldAges.reduce((a, b) => a + b.value, 0)}</a></div></div>
  <div class="card"><div class="muted">Waiting to deliver</div><div class="value">${(deliver?.counts.waiting ?? 0) + (deliver?.counts.delayed ?? 0)}</div></div>
  <div class="card"><div class="muted">Oldest waiting delivery</div><div class="value">${deliver?.oldestWaitingMs ? formatAge(deliver.oldestWaitingMs) : '-'}</div></div>
  <div class="card"><div class="muted">Deferred, 24 h</div><div class="value">${sum(day, 'type:deferred')}</div></div>
  <div class="card"><div class="muted">Bounced, 24 h</div><div class="value">${sum(day, 'type:bounced')}</div></div>
</div>
<div class="charts">
${stackedBars('Decisions per hour, last 24 hours', day.map((r) => hourLabel(r.hour)), decisions(day))}
${stackedBars('Decisions per 6 hours, last 7 days', sixHours.map((r) => dayLabel(r.hour)), decisions(sixHours))}
${horizontalBars('Findings by rule, last 24 hours', ruleTotals(day))}
${horizontalBars('Findings by rule, last 7 days', ruleTotals(week))}
${stackedBars('Deliveries per hour, last 24 hours', day.map((r) => hourLabel(r.hour)), [
  { label: 'delivered', color: COLORS.delivered, values: day.map((r) => r.counts['type:delivered'] ?? 0) },
  { label: 'deferred', color: COLORS.deferred, values: day.map((r) => r.counts['type:deferred'] ?? 0) },
  { label: 'bounced', color: COLORS.bounced, values: day.map((r) => r.counts['type:bounced'] ?? 0) },
])}
${horizontalBars('Held mail by age', heldAges, '#b36b00')}
</div>
<h2>Queues</h2>
<table><thead><tr><th>Queue</th><th class="num">Waiting</th><th class="num">Active</th><th class="num">Delayed</th><th class="num">Failed</th><th class="num">Completed</th><th>Oldest waiting</th></tr></thead><tbody>
${queues.map(
  (q) => html`<tr><td>${q.name}</td><td class="num">${q.counts.waiting ?? 0}</td><td class="num">${q.counts.active ?? 0}</td><td class="num">${q.counts.delayed ?? 0}</td><td class="num">${q.counts.failed ?? 0}</td><td class="num">${q.counts.completed ?? 0}</td><td>${q.oldestWaitingMs ? formatAge(q.oldestWaitingMs) : '-'}</td></tr>`,
)}
</tbody></table>
<p class="muted">The quarantine queue lists held mail; nothing consumes it. Counts come from the events queued for the audit trail.</p>`;
    return ctx.sendPage(reply, 200, page({ title: 'Overview', user: request.user, active: 'overview', body }));
  });
}

async function heldByAge(ctx: DashboardContext, now: number): Promise<{ label: string; value: number }[]> {
  const idx = ctx.dispatcher.heldIndex;
  const h = HOUR_MS;
  const buckets: [string, number, number][] = [
    ['under 1 hour', now - h, now + h],
    ['1 to 24 hours', now - 24 * h, now - h],
    ['1 to 7 days', now - 168 * h, now - 24 * h],
    ['over 7 days', 0, now - 168 * h],
  ];
  return Promise.all(buckets.map(async ([label, from, to]) => ({ label, value: await idx.countBetween(from, to) })));
}
