/**
 * Quarantine review: the list (filters, sorting, paging off the held-mail index), one message's
 * page (findings with their clauses, headers, the body as plain text, attachments and members),
 * release and discard with a reason, and bulk actions over a filtered selection. Release and
 * discard go through quarantine/review.ts, which writes the sidecar, the jobs and the audit
 * record with the reviewer's name.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import libmime from 'libmime';
import { RULE_IDS } from '../../policy/rules.js';
import { HELD_QUERY_MAX, type HeldQuery, type HeldSort } from '../../queue/held-index.js';
import { QuarantineError } from '../../quarantine/errors.js';
import { readSidecarOrThrow } from '../../quarantine/held.js';
import { discardHeld, releaseHeld } from '../../quarantine/review.js';
import type { Sidecar } from '../../spool/types.js';
import { readHeaderBlock } from '../../message/header-block.js';
import type { DashboardContext } from '../context.js';
import { formatAge, formatBytes, html, query, type Html } from '../html.js';
import { page } from '../layout.js';
import type { SessionUser } from '../sessions.js';

const SORTS: readonly HeldSort[] = ['time', 'sender', 'recipient', 'subject', 'rule', 'size'];
/** Most messages one bulk action touches. */
export const BULK_MAX = 5000;

interface ListParams {
  readonly rule: string;
  readonly sender: string;
  readonly recipient: string;
  readonly from: string;
  readonly to: string;
  readonly sort: HeldSort;
  readonly order: 'asc' | 'desc';
  readonly page: number;
}

function str(v: unknown, max = 200): string {
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}

function readParams(q: Record<string, unknown>): ListParams {
  const sort = SORTS.includes(q.sort as HeldSort) ? (q.sort as HeldSort) : 'time';
  return {
    rule: str(q.rule, 64),
    sender: str(q.sender),
    recipient: str(q.recipient),
    from: /^\d{4}-\d{2}-\d{2}$/.test(str(q.from)) ? str(q.from) : '',
    to: /^\d{4}-\d{2}-\d{2}$/.test(str(q.to)) ? str(q.to) : '',
    sort,
    order: q.order === 'asc' || q.order === 'desc' ? q.order : sort === 'time' ? 'desc' : 'asc',
    page: Math.max(0, Math.min(1_000_000, Number.parseInt(str(q.page), 10) || 0)),
  };
}

export function heldQuery(p: ListParams, pageSize = 50): HeldQuery {
  const day = 24 * 3600_000;
  return {
    ...(p.rule ? { rule: p.rule } : {}),
    ...(p.sender ? { sender: p.sender } : {}),
    ...(p.recipient ? { recipient: p.recipient } : {}),
    ...(p.from ? { from: Date.parse(`${p.from}T00:00:00Z`) } : {}),
    ...(p.to ? { to: Date.parse(`${p.to}T00:00:00Z`) + day } : {}),
    sort: p.sort,
    order: p.order,
    page: p.page,
    pageSize,
  };
}

const filterFields = (p: ListParams) => ({ rule: p.rule, sender: p.sender, recipient: p.recipient, from: p.from, to: p.to });

export function registerQuarantineRoutes(app: FastifyInstance, ctx: DashboardContext): void {
  const index = ctx.dispatcher.heldIndex;

  app.get('/quarantine', async (request, reply) => {
    const p = readParams(request.query as Record<string, unknown>);
    const result = await index.list(heldQuery(p));
    const q = request.query as Record<string, unknown>;
    return ctx.sendPage(
      reply,
      200,
      page({
        title: 'Quarantine',
        user: request.user,
        active: 'quarantine',
        notice: str(q.notice, 300) || undefined,
        error: str(q.error, 300) || undefined,
        body: listBody(p, result, request.user!, Date.now()),
      }),
    );
  });

  app.get('/quarantine/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    let sidecar: Sidecar;
    try {
      sidecar = await readSidecarOrThrow(ctx.spool, id);
    } catch (err) {
      if (err instanceof QuarantineError) return ctx.sendPage(reply, 404, page({ title: 'Not found', user: request.user, active: 'quarantine', body: html`<h1>No such message</h1><p>${err.message}</p>` }));
      throw err;
    }
    let headers: { name: string; value: string }[] = [];
    try {
      headers = allHeaders(await readHeaderBlock(ctx.spool.readMessage(id), 64 * 1024));
    } catch {
      // a missing data file still shows the sidecar
    }
    const q = request.query as Record<string, unknown>;
    return ctx.sendPage(
      reply,
      200,
      page({
        title: `Held message ${id}`,
        user: request.user,
        active: 'quarantine',
        notice: str(q.notice, 300) || undefined,
        error: str(q.error, 300) || undefined,
        body: detailBody(sidecar, headers, request.user!),
      }),
    );
  });

  const act = async (request: FastifyRequest, reply: FastifyReply, action: 'release' | 'discard') => {
    if (ctx.refuseUnless(request, reply, 'reviewer')) return reply;
    const id = (request.params as { id: string }).id;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const reason = str(body.reason, 1000);
    const back = (k: 'notice' | 'error', text: string) => reply.redirect(`/quarantine/${encodeURIComponent(id)}${query({ [k]: text })}`, 303);
    if (!reason) return back('error', `Say why you ${action} this message: the reason goes into the audit trail.`);
    try {
      const review = { by: request.user!.name, reason };
      if (action === 'release') await releaseHeld(ctx.spool, ctx.dispatcher, id, review);
      else await discardHeld(ctx.spool, ctx.dispatcher, id, review);
    } catch (err) {
      if (!(err instanceof QuarantineError)) throw err;
      if (err.code === 'not-held') await index.remove(id); // a stale index entry: drop it
      return back('error', err.message);
    }
    return back('notice', action === 'release' ? 'Released: queued for delivery.' : 'Discarded: it will not be delivered.');
  };
  app.post('/quarantine/:id/release', (request, reply) => act(request, reply, 'release'));
  app.post('/quarantine/:id/discard', (request, reply) => act(request, reply, 'discard'));

  app.post('/quarantine/bulk', async (request, reply) => {
    if (ctx.refuseUnless(request, reply, 'reviewer')) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const p = readParams(body);
    const action = body.action === 'release' || body.action === 'discard' ? body.action : null;
    const reason = str(body.reason, 1000);
    const backTo = (k: 'notice' | 'error', text: string) => reply.redirect(`/quarantine${query({ ...filterFields(p), [k]: text })}`, 303);
    if (!action) return backTo('error', 'Choose release or discard.');
    if (!reason) return backTo('error', `Say why you ${action} these messages: the reason goes into the audit trail.`);
    const picked = ([] as unknown[]).concat(body.ids ?? []).filter((v): v is string => typeof v === 'string');
    let ids: string[];
    if (body.scope === 'filter') {
      ids = (await index.matching(heldQuery(p))).map((e) => e.id);
    } else {
      ids = picked;
    }
    if (ids.length === 0) return backTo('error', 'No messages selected.');
    if (ids.length > BULK_MAX) return backTo('error', `That selection holds ${ids.length} messages; narrow it to ${BULK_MAX} or fewer.`);
    let done = 0;
    const problems: string[] = [];
    const review = { by: request.user!.name, reason };
    for (const id of ids) {
      try {
        if (action === 'release') await releaseHeld(ctx.spool, ctx.dispatcher, id, review);
        else await discardHeld(ctx.spool, ctx.dispatcher, id, review);
        done++;
      } catch (err) {
        if (!(err instanceof QuarantineError)) throw err;
        if (err.code === 'not-held') await index.remove(id);
        problems.push(id);
      }
    }
    const verb = action === 'release' ? 'Released' : 'Discarded';
    const text = `${verb} ${done} message(s)${problems.length ? `; ${problems.length} were no longer held or not found` : ''}.`;
    return backTo(problems.length && !done ? 'error' : 'notice', text);
  });
}

function sortLink(p: ListParams, key: HeldSort, label: string): Html {
  const order = p.sort === key ? (p.order === 'asc' ? 'desc' : 'asc') : key === 'time' ? 'desc' : 'asc';
  const mark = p.sort === key ? (p.order === 'asc' ? ' ▲' : ' ▼') : '';
  return html`<a href="/quarantine${query({ ...filterFields(p), sort: key, order })}">${label}${mark}</a>`;
}

function listBody(p: ListParams, result: Awaited<ReturnType<DashboardContext['dispatcher']['heldIndex']['list']>>, user: SessionUser, now: number): Html {
  const canAct = user.role !== 'viewer';
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const pageLink = (n: number, label: string) => html`<a href="/quarantine${query({ ...filterFields(p), sort: p.sort, order: p.order, page: n })}">${label}</a>`;
  const hidden = Object.entries(filterFields(p)).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  const rows = result.entries.map(
    (e) => html`<tr>
  ${canAct ? html`<td><input type="checkbox" name="ids" value="${e.id}" form="bulk" aria-label="select ${e.id}"></td>` : ''}
  <td class="mono"><a href="/quarantine/${encodeURIComponent(e.id)}">${e.receivedAt.slice(0, 19).replace('T', ' ')}</a></td>
  <td>${e.sender}</td>
  <td>${e.recipients.slice(0, 3).join(', ')}${e.recipients.length > 3 ? html` <span class="muted">+${e.recipients.length - 3}</span>` : ''}</td>
  <td><a href="/quarantine/${encodeURIComponent(e.id)}" class="subject">${e.subject || '(no subject)'}</a></td>
  <td>${e.rules.map((r) => html`<span class="badge">${r}</span>`)}</td>
  <td>${e.reason}</td>
  <td class="num">${formatAge(now - Date.parse(e.receivedAt))}</td>
</tr>`,
  );
  return html`<h1>Quarantine <span class="muted">(${result.total} held${result.total ? html`, page ${result.page + 1} of ${pages}` : ''})</span></h1>
<form class="filters" method="get" action="/quarantine">
  <label>Rule <select name="rule"><option value="">any</option>${RULE_IDS.map((r) => html`<option value="${r}"${p.rule === r ? html` selected` : ''}>${r}</option>`)}</select></label>
  <label>Sender <input type="text" name="sender" value="${p.sender}"></label>
  <label>Recipient <input type="text" name="recipient" value="${p.recipient}"></label>
  <label>From <input type="date" name="from" value="${p.from}"></label>
  <label>To <input type="date" name="to" value="${p.to}"></label>
  <input type="hidden" name="sort" value="${p.sort}"><input type="hidden" name="order" value="${p.order}">
  <button type="submit">Filter</button> <a href="/quarantine">clear</a>
</form>
<table class="held">
<thead><tr>${canAct ? html`<th><input type="checkbox" data-select-all aria-label="select all on this page"></th>` : ''}<th>${sortLink(p, 'time', 'Received')}</th><th>${sortLink(p, 'sender', 'Sender')}</th><th>${sortLink(p, 'recipient', 'Recipients')}</th><th>${sortLink(p, 'subject', 'Subject')}</th><th>${sortLink(p, 'rule', 'Rule')}</th><th>Reason</th><th>${sortLink(p, 'time', 'Age')}</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="8" class="muted">No held messages match.</td></tr>`}</tbody>
</table>
<div class="pager">${p.page > 0 ? pageLink(p.page - 1, '← newer') : ''} ${p.page + 1 < pages ? pageLink(p.page + 1, 'older →') : ''}</div>
${canAct && result.total > 0
    ? html`<form id="bulk" class="actions" method="post" action="/quarantine/bulk" data-confirm="Apply this action to the selected messages?">
  <input type="hidden" name="_csrf" value="${user.csrf}">${hidden}
  <fieldset><legend>Bulk action</legend>
  <label><input type="radio" name="scope" value="selected" checked> the messages ticked above</label><br>
  <label><input type="radio" name="scope" value="filter"> all ${result.total} matching the filter</label><br>
  <select name="action" aria-label="action"><option value="release">Release (deliver)</option><option value="discard">Discard (never deliver)</option></select>
  <input type="text" name="reason" placeholder="reason (required, goes into the audit trail)" size="50" maxlength="1000" required>
  <button type="submit">Apply</button></fieldset>
</form>`
    : ''}`;
}

function detailBody(s: Sidecar, headers: readonly { name: string; value: string }[], user: SessionUser): Html {
  const ins = s.inspection;
  const canAct = user.role !== 'viewer' && s.state === 'held';
  const delivered = s.outcomes.filter((o) => o.status === 'delivered');
  const failed = s.outcomes.filter((o) => o.status === 'failed');
  return html`<h1>${s.subject || '(no subject)'}</h1>
<p><a href="/quarantine">← back to the list</a> · <a href="/audit/message/${encodeURIComponent(s.id)}">timeline in the audit trail</a></p>
<dl class="facts">
  <dt>Reference</dt><dd class="mono">${s.id}</dd>
  <dt>State</dt><dd class="state-${s.state}" id="state">${stateText(s)}</dd>
  ${s.review ? html`<dt>Review</dt><dd id="review">${s.review.action === 'release' ? 'Released' : 'Discarded'} by ${s.review.by} at ${s.review.at}: ${s.review.reason}</dd>` : ''}
  ${delivered.length ? html`<dt>Delivered</dt><dd id="delivered">${delivered.map((o) => html`${o.rcpt} at ${o.at} (${o.code}) `)}</dd>` : ''}
  ${failed.length ? html`<dt>Failed</dt><dd>${failed.map((o) => html`${o.rcpt}: ${o.code} ${o.response} `)}</dd>` : ''}
  <dt>Received</dt><dd>${s.receivedAt}</dd>
  <dt>Sender</dt><dd>${s.envelope.mailFrom || '<>'}</dd>
  <dt>Recipients</dt><dd>${s.envelope.rcptTo.join(', ')}</dd>
  <dt>Client</dt><dd>${s.envelope.clientAddress ?? '-'}${s.envelope.helo ? ` (HELO ${s.envelope.helo})` : ''}${s.envelope.authUser ? `, user ${s.envelope.authUser}` : ''}</dd>
  <dt>Size</dt><dd>${formatBytes(s.size)}, sha256 <span class="mono">${s.sha256}</span></dd>
  <dt>Message-ID</dt><dd class="mono">${s.messageId ?? '-'}</dd>
  <dt>Decision</dt><dd>${s.verdict.decision}${s.verdict.personal ? ', personal' : ''}${s.verdict.marking ? `, marked ${s.verdict.marking}` : ''}${s.verdict.encrypted ? ', encrypted' : ''}</dd>
</dl>
${canAct
    ? html`<div class="actions">
  <form method="post" action="/quarantine/${encodeURIComponent(s.id)}/release" data-confirm="Release this message for delivery?">
    <input type="hidden" name="_csrf" value="${user.csrf}">
    <label>Reason for releasing <input type="text" name="reason" size="45" maxlength="1000" required></label>
    <button type="submit" class="release">Release (deliver)</button>
  </form>
  <form method="post" action="/quarantine/${encodeURIComponent(s.id)}/discard" data-confirm="Discard this message? It will never be delivered.">
    <input type="hidden" name="_csrf" value="${user.csrf}">
    <label>Reason for discarding <input type="text" name="reason" size="45" maxlength="1000" required></label>
    <button type="submit" class="discard">Discard</button>
  </form>
</div>`
    : ''}
<h2>Findings</h2>
<table><thead><tr><th>Rule</th><th>Action</th><th>Reason</th><th>Policy clause</th><th>Evidence</th></tr></thead><tbody>
${s.verdict.findings.map(
  (f) => html`<tr><td><span class="badge">${f.rule}</span></td><td>${f.action}${f.excepted ? ' (excepted)' : ''}</td><td>${f.reason}</td><td>${f.policyRef}</td><td>${f.evidence.join('; ')}</td></tr>`,
)}
</tbody></table>
<h2>Attachments</h2>
${!ins
    ? html`<p class="muted">Not recorded for this message (held before the inspection summary was kept).</p>`
    : ins.attachments.length === 0
      ? html`<p class="muted">None.</p>`
      : html`<table><thead><tr><th>Where</th><th>Name</th><th>Declared type</th><th>Detected type</th><th class="num">Size</th><th>sha256</th><th>Note</th></tr></thead><tbody>
${ins.attachments.map(
  (a) => html`<tr><td>${a.origin === 'member' ? 'member of ' : 'part '}${a.location.slice(0, -1).join(' › ') || '(message)'}</td><td class="attachment-name">${a.name ?? '(no name)'}</td><td>${a.declaredType || '-'}</td><td>${a.detectedType}</td><td class="num">${formatBytes(a.size)}</td><td class="mono">${a.sha256}</td><td>${a.unscannable ?? ''}</td></tr>`,
)}</tbody></table>`}
${ins?.anomalies.length ? html`<h2>Parse anomalies</h2><ul>${ins.anomalies.map((a) => html`<li>${a}</li>`)}</ul>` : ''}
<h2>Headers</h2>
<table class="headers"><tbody>${headers.map((h) => html`<tr><th>${h.name}</th><td>${h.value}</td></tr>`)}</tbody></table>
<h2>Body (as plain text)</h2>
${ins ? html`<pre class="body" id="body">${ins.bodyText}</pre>${ins.bodyTruncated ? html`<p class="muted">Cut at 64 KiB.</p>` : ''}` : html`<p class="muted">Not recorded for this message.</p>`}`;
}

function stateText(s: Sidecar): string {
  if (s.state === 'held') return 'held for review';
  if (s.state === 'queued') return s.review?.action === 'release' ? 'released, waiting for delivery' : 'queued for delivery';
  if (s.state === 'done') return s.doneReason === 'delivered' ? 'released and delivered' : (s.doneReason ?? 'done');
  return s.state;
}

/** Every header field, unfolded and decoded (RFC 2047), bounded. */
export function allHeaders(block: Buffer): { name: string; value: string }[] {
  const text = block.toString('utf8').replace(/\r?\n(?=[ \t])/g, '');
  const out: { name: string; value: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (out.length >= 300) break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    let value = line.slice(colon + 1).trim();
    try {
      value = libmime.decodeWords(value);
    } catch {
      // keep the raw value
    }
    out.push({ name: line.slice(0, colon).trim().slice(0, 100), value: value.slice(0, 2000) });
  }
  return out;
}

export { HELD_QUERY_MAX };
