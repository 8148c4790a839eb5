/**
 * The audit pages: search (reference, message-id, sender, recipient, rule, decision, event type,
 * date range) with the chain's verification state, export of a search as CSV or JSON Lines,
 * and one message's timeline.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditRecord } from '../../audit/record.js';
import { RULE_IDS } from '../../policy/rules.js';
import type { DashboardContext } from '../context.js';
import { csvHeader, csvRow, messageTimeline, searchAudit, spoolIdTime, type AuditQuery } from '../audit-search.js';
import { html, query, type Html } from '../html.js';
import { page } from '../layout.js';

const TYPES = ['decision', 'delivered', 'deferred', 'bounced', 'dsn-sent', 'released', 'discarded', 'expired', 'login', 'login-failed', 'logout', 'queue-action'];
const DECISIONS = ['accept', 'quarantine', 'reject'];
const FIELDS = ['ref', 'messageId', 'sender', 'recipient', 'rule', 'decision', 'type', 'actor', 'from', 'to'] as const;
type Params = Record<(typeof FIELDS)[number], string>;

function readParams(q: Record<string, unknown>): Params {
  const out = {} as Params;
  for (const f of FIELDS) out[f] = typeof q[f] === 'string' ? (q[f] as string).trim().slice(0, 200) : '';
  for (const f of ['from', 'to'] as const) if (!/^\d{4}-\d{2}-\d{2}$/.test(out[f])) out[f] = '';
  return out;
}

function toQuery(p: Params): AuditQuery {
  const day = 24 * 3600_000;
  const q: Record<string, unknown> = {};
  for (const f of ['ref', 'messageId', 'sender', 'recipient', 'rule', 'decision', 'type', 'actor'] as const) if (p[f]) q[f] = p[f];
  if (p.from) q.from = Date.parse(`${p.from}T00:00:00Z`);
  if (p.to) q.to = Date.parse(`${p.to}T00:00:00Z`) + day;
  return q as AuditQuery;
}

export function registerAuditRoutes(app: FastifyInstance, ctx: DashboardContext): void {
  const opts = { redis: ctx.redis, prefix: ctx.prefix, dir: ctx.config.audit.dir };

  app.get('/audit', async (request, reply) => {
    const p = readParams(request.query as Record<string, unknown>);
    const [result, chain] = await Promise.all([searchAudit(toQuery(p), { ...opts, limit: 200 }), ctx.chain.get()]);
    const chainLine = chain.ok
      ? html`<p class="notice" id="chain">Hash chain verified: ${chain.records} records, checked ${chain.checkedAt}.</p>`
      : html`<p class="error" id="chain">Hash chain BROKEN: ${chain.problem ?? 'see mailwarden audit verify'}.</p>`;
    const body = html`<h1>Audit trail</h1>
${chainLine}
<form class="filters" method="get" action="/audit">
  <label>Reference <input type="text" name="ref" value="${p.ref}"></label>
  <label>Message-ID <input type="text" name="messageId" value="${p.messageId}"></label>
  <label>Sender <input type="text" name="sender" value="${p.sender}"></label>
  <label>Recipient <input type="text" name="recipient" value="${p.recipient}"></label>
  <label>Rule <select name="rule"><option value="">any</option>${RULE_IDS.map((r) => html`<option${p.rule === r ? html` selected` : ''}>${r}</option>`)}</select></label>
  <label>Decision <select name="decision"><option value="">any</option>${DECISIONS.map((r) => html`<option${p.decision === r ? html` selected` : ''}>${r}</option>`)}</select></label>
  <label>Event <select name="type"><option value="">any</option>${TYPES.map((r) => html`<option${p.type === r ? html` selected` : ''}>${r}</option>`)}</select></label>
  <label>Who <input type="text" name="actor" value="${p.actor}"></label>
  <label>From <input type="date" name="from" value="${p.from}"></label>
  <label>To <input type="date" name="to" value="${p.to}"></label>
  <button type="submit">Search</button> <a href="/audit">clear</a>
</form>
<p>${result.records.length}${result.more ? '+' : ''} record(s), newest first. Export this search:
  <a href="/audit/export${query({ ...p, format: 'csv' })}">CSV</a> · <a href="/audit/export${query({ ...p, format: 'jsonl' })}">JSON Lines</a></p>
${recordsTable(result.records)}`;
    return ctx.sendPage(reply, 200, page({ title: 'Audit', user: request.user, active: 'audit', body }));
  });

  app.get('/audit/export', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const p = readParams(q);
    const format = q.format === 'jsonl' ? 'jsonl' : 'csv';
    const result = await searchAudit(toQuery(p), { ...opts, limit: 100_000 });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    reply.header('Content-Disposition', `attachment; filename="mailwarden-audit-${stamp}.${format}"`);
    if (format === 'jsonl') {
      return reply.type('application/x-ndjson; charset=utf-8').send(result.records.map((r) => JSON.stringify(r) + '\n').join(''));
    }
    return reply.type('text/csv; charset=utf-8').send(csvHeader() + result.records.map(csvRow).join(''));
  });

  app.get('/audit/message/:ref', async (request, reply) => {
    const ref = (request.params as { ref: string }).ref.slice(0, 100);
    const records = await messageTimeline(ref, opts, spoolIdTime(ref));
    const body = html`<h1>Timeline of <span class="mono">${ref}</span></h1>
<p><a href="/quarantine/${encodeURIComponent(ref)}">the message's page</a></p>
${records.length ? timeline(records) : html`<p class="muted">No audit records for this reference.</p>`}`;
    return ctx.sendPage(reply, 200, page({ title: `Timeline ${ref}`, user: request.user, active: 'audit', body }));
  });
}

function summary(r: AuditRecord): Html {
  const rules = [...new Set((r.findings ?? []).map((f) => f.rule))];
  const outcome = (r.recipients ?? []).map((x) => `${x.rcpt} ${x.code}`).join(', ');
  return html`${r.decision ? html`<span class="badge">${r.decision}</span>` : ''}${rules.map((x) => html`<span class="badge">${x}</span>`)} ${outcome}${r.reason ? html` <span class="reason">${r.reason}</span>` : ''}`;
}

function recordsTable(records: readonly AuditRecord[]): Html {
  if (!records.length) return html`<p class="muted">No records match.</p>`;
  return html`<table class="audit"><thead><tr><th>#</th><th>Time</th><th>Event</th><th>Reference</th><th>Sender</th><th>Recipients</th><th>Subject</th><th>Who</th><th>Details</th></tr></thead><tbody>
${records.map(
  (r) => html`<tr><td class="num">${r.seq}</td><td class="mono">${r.at.slice(0, 19).replace('T', ' ')}</td><td>${r.type}</td>
<td class="mono">${r.ref === 'dashboard' ? 'dashboard' : html`<a href="/audit/message/${encodeURIComponent(r.ref)}">${r.ref}</a>`}</td>
<td>${r.envelope?.mailFrom ?? ''}</td><td>${(r.envelope?.rcptTo ?? []).join(', ')}</td><td>${r.subject ?? ''}</td><td>${r.actor ?? ''}</td><td>${summary(r)}</td></tr>`,
)}</tbody></table>`;
}

function timeline(records: readonly AuditRecord[]): Html {
  return html`<table class="timeline"><thead><tr><th>#</th><th>Time</th><th>Event</th><th>Who</th><th>Details</th></tr></thead><tbody>
${records.map((r) => html`<tr class="event-${r.type}"><td class="num">${r.seq}</td><td class="mono">${r.at}</td><td>${r.type}</td><td>${r.actor ?? ''}</td><td>${summary(r)}</td></tr>`)}
</tbody></table>`;
}
