import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceSchema } from '../../src/config/service-schema.js';
import type { AuditEvent } from '../../src/audit/events.js';
import { cookieHeader, cookiesOf, dashboardRig, form, hiddenValue, holdMessage, HOSTILE, login, type DashboardRig, type Session } from './support.js';

async function auditJobs(rig: DashboardRig): Promise<AuditEvent[]> {
  const jobs = await rig.dispatcher.auditQueue.getJobs(['waiting', 'delayed', 'active', 'completed']);
  return jobs.map((j) => j.data);
}

describe('dashboard routes (in-process, real Redis)', () => {
  let rig: DashboardRig;
  let viewer: Session;
  let reviewer: Session;
  let admin: Session;

  beforeAll(async () => {
    rig = await dashboardRig();
    [viewer, reviewer, admin] = await Promise.all([login(rig.app, 'vera'), login(rig.app, 'rita'), login(rig.app, 'adam')]);
  }, 30_000);
  afterAll(() => rig.close());

  it('serves nothing but /healthz, /readyz, /metrics, /login and the assets without a session', async () => {
    for (const url of ['/', '/quarantine', '/quarantine/abc', '/audit', '/audit/export', '/audit/message/x', '/queues', '/queues/api/queues', '/queues/manage']) {
      const res = await rig.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toMatch(/^\/login\?next=/);
    }
    for (const url of ['/quarantine/abc/release', '/quarantine/abc/discard', '/quarantine/bulk', '/logout', '/queues/manage/api/queues/deliver/retry/failed']) {
      const res = await rig.app.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode, url).toBe(401);
    }
    expect((await rig.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await rig.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ok: true, parts: { redis: true } });
    expect((await rig.app.inject({ url: '/login' })).statusCode).toBe(200);
  });

  it('sends a CSP with no inline script and frame-ancestors none, and the other security headers', async () => {
    const res = await rig.app.inject({ url: '/login' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toMatch(/<script>(?!<)/); // no inline script element in our pages
  });

  it('sets the session cookie signed, HttpOnly and SameSite=Strict; logs logins and failures to the audit', async () => {
    const formPage = await rig.app.inject({ url: '/login' });
    const jar = cookiesOf(formPage);
    const token = hiddenValue(formPage.body, '_csrf');
    const ok = await rig.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${token}&username=rita&password=a-long-test-password`,
    });
    const setCookie = ([] as string[]).concat(ok.headers['set-cookie'] as string[]).find((c) => c.startsWith('mw_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/^mw_session=[^.;]+\.[^;]+;/); // value.signature
    // A forged (unsigned) cookie is no session.
    const forged = await rig.app.inject({ url: '/', headers: { cookie: `mw_session=${setCookie.split(/[=.]/)[1]}` } });
    expect(forged.statusCode).toBe(303);

    const bad = await rig.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${token}&username=rita&password=wrong`,
    });
    expect(bad.statusCode).toBe(401);
    const events = await auditJobs(rig);
    expect(events.some((e) => e.type === 'login' && e.actor === 'rita')).toBe(true);
    expect(events.some((e) => e.type === 'login-failed' && e.actor === 'rita' && /wrong user name or password/.test(e.reason ?? ''))).toBe(true);

    const noToken = await rig.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=rita&password=a-long-test-password`,
    });
    expect(noToken.statusCode).toBe(403);
  });

  it('rate-limits failed logins per user name, before checking the password', async () => {
    const attempt = async (password: string) => {
      const f = await rig.app.inject({ url: '/login' });
      const jar = cookiesOf(f);
      return rig.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '10.9.9.9',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${hiddenValue(f.body, '_csrf')}&username=vera&password=${password}`,
      });
    };
    for (let i = 0; i < 5; i++) expect((await attempt('nope')).statusCode).toBe(401);
    const blocked = await attempt('a-long-test-password');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain('Too many failed logins');
    expect((await auditJobs(rig)).some((e) => e.type === 'login-failed' && /too many/.test(e.reason ?? ''))).toBe(true);
  });

  it('escapes hostile subjects, names, headers and bodies on the list and the detail page', async () => {
    const s = await holdMessage(rig, { subject: `Invoice ${HOSTILE}`, sender: `x${HOSTILE}@evil.example` });
    const list = await rig.app.inject({ url: '/quarantine', headers: { cookie: viewer.cookie } });
    expect(list.statusCode).toBe(200);
    const detail = await rig.app.inject({ url: `/quarantine/${s.id}`, headers: { cookie: viewer.cookie } });
    expect(detail.statusCode).toBe(200);
    for (const body of [list.body, detail.body]) {
      expect(body).not.toContain('<script>alert');
      expect(body).not.toContain('<img src=x');
      expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    }
    expect(detail.body).not.toContain('<b>bold</b>');
    expect(detail.body).toContain('vbaProject.bin');
    expect(detail.body).toContain('application/vnd.ms-word.document.macroEnabled.12 (.docm)');
    expect(detail.body).toContain('Information Code of Conduct');
    expect(detail.body).toContain('X-Hostile');
  });

  it('a viewer sees no release button and a forged release is refused; a missing CSRF token is refused', async () => {
    const s = await holdMessage(rig);
    const page = await rig.app.inject({ url: `/quarantine/${s.id}`, headers: { cookie: viewer.cookie } });
    expect(page.body).not.toContain('/release"');
    const forged = await rig.app.inject({ method: 'POST', url: `/quarantine/${s.id}/release`, ...form(viewer, { reason: 'forged' }) });
    expect(forged.statusCode).toBe(403);
    const noCsrf = await rig.app.inject({
      method: 'POST',
      url: `/quarantine/${s.id}/release`,
      headers: { cookie: reviewer.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'reason=no+token',
    });
    expect(noCsrf.statusCode).toBe(403);
    const wrongCsrf = await rig.app.inject({ method: 'POST', url: `/quarantine/${s.id}/release`, ...form({ ...reviewer, csrf: viewer.csrf }, { reason: 'other token' }) });
    expect(wrongCsrf.statusCode).toBe(403);
    expect((await rig.spool.readSidecar(s.id)).state).toBe('held');
  });

  it('a reviewer releases with a reason: sidecar, deliver job, index and audit all say so, with the name', async () => {
    const s = await holdMessage(rig);
    const noReason = await rig.app.inject({ method: 'POST', url: `/quarantine/${s.id}/release`, ...form(reviewer, { reason: ' ' }) });
    expect(noReason.statusCode).toBe(303);
    expect(decodeURIComponent(String(noReason.headers.location))).toMatch(/Say why/);
    const res = await rig.app.inject({ method: 'POST', url: `/quarantine/${s.id}/release`, ...form(reviewer, { reason: 'approved by line manager' }) });
    expect(res.statusCode).toBe(303);
    const after = await rig.spool.readSidecar(s.id);
    expect(after.state).toBe('queued');
    expect(after.review).toMatchObject({ action: 'release', by: 'rita', reason: 'approved by line manager' });
    expect(await rig.dispatcher.deliverQueue.getJob(`deliver-${s.id}`)).toBeTruthy();
    expect(await rig.dispatcher.heldIndex.get(s.id)).toBeNull();
    expect((await auditJobs(rig)).find((e) => e.type === 'released' && e.ref === s.id)).toMatchObject({ actor: 'rita', reason: 'approved by line manager' });
    const page = await rig.app.inject({ url: String(res.headers.location), headers: { cookie: reviewer.cookie } });
    expect(page.body).toContain('Released by rita');
    expect(page.body).not.toContain('/release"');
    // Twice is refused with a clear answer, nothing changes.
    const again = await rig.app.inject({ method: 'POST', url: `/quarantine/${s.id}/release`, ...form(reviewer, { reason: 'again' }) });
    expect(decodeURIComponent(String(again.headers.location))).toMatch(/is not held/);
  });

  it('pages and filters many held messages; bulk-discards a filtered selection with one reason', async () => {
    const base = Date.parse('2026-03-01T08:00:00Z');
    for (let i = 0; i < 120; i++) {
      await holdMessage(rig, { sender: i % 3 === 0 ? `bulk${i}@spam.example` : `staff${i}@example.gov.uk`, rule: i % 2 ? 'mass-mail' : 'unscannable', receivedAt: new Date(base + i * 60_000).toISOString(), subject: `Bulk ${i}` });
    }
    const first = await rig.app.inject({ url: '/quarantine?from=2026-03-01&to=2026-03-01', headers: { cookie: viewer.cookie } });
    expect(first.body).toContain('120 held, page 1 of 3');
    expect(first.body).toContain('Bulk 119');
    expect(first.body).not.toContain('Bulk 69<');
    const third = await rig.app.inject({ url: '/quarantine?from=2026-03-01&to=2026-03-01&page=2', headers: { cookie: viewer.cookie } });
    expect(third.body).toContain('Bulk 0<');
    const filtered = await rig.app.inject({ url: '/quarantine?sender=spam.example&rule=mass-mail', headers: { cookie: viewer.cookie } });
    expect(filtered.body).toContain('20 held'); // i % 3 == 0 and odd: 20 of 120
    const bySize = await rig.app.inject({ url: '/quarantine?sender=spam.example&sort=sender&order=asc', headers: { cookie: viewer.cookie } });
    expect(bySize.body.indexOf('bulk0@')).toBeLessThan(bySize.body.indexOf('bulk99@'));

    const bulk = await rig.app.inject({ method: 'POST', url: '/quarantine/bulk', ...form(reviewer, { scope: 'filter', sender: 'spam.example', rule: 'mass-mail', action: 'discard', reason: 'spam run' }) });
    expect(bulk.statusCode).toBe(303);
    expect(decodeURIComponent(String(bulk.headers.location))).toContain('Discarded 20 message(s)');
    const left = await rig.app.inject({ url: '/quarantine?sender=spam.example', headers: { cookie: viewer.cookie } });
    expect(left.body).toContain('20 held'); // the unscannable ones stay
    const discarded = (await auditJobs(rig)).filter((e) => e.type === 'discarded' && e.reason === 'spam run');
    expect(discarded).toHaveLength(20);
    expect(new Set(discarded.map((e) => e.actor))).toEqual(new Set(['rita']));
    const viewerBulk = await rig.app.inject({ method: 'POST', url: '/quarantine/bulk', ...form(viewer, { scope: 'filter', action: 'release', reason: 'x' }) });
    expect(viewerBulk.statusCode).toBe(403);
  });

  it('queues: read-only for everyone at /queues (enforced by the API), actions only for admins at /queues/manage', async () => {
    const ro = await rig.app.inject({ url: '/queues/api/queues?activeQueue=deliver', headers: { cookie: viewer.cookie } });
    expect(ro.statusCode).toBe(200);
    const roJson = ro.json() as { queues: { name: string; readOnlyMode: boolean; jobs: { data: unknown }[] }[] };
    expect(roJson.queues.every((q) => q.readOnlyMode)).toBe(true);
    const roAction = await rig.app.inject({ method: 'PUT', url: '/queues/api/queues/deliver/retry/failed', headers: { cookie: admin.cookie, origin: 'http://localhost:8025', host: 'localhost:8025' } });
    expect(roAction.statusCode).toBe(405);
    const reviewerManage = await rig.app.inject({ url: '/queues/manage/api/queues', headers: { cookie: reviewer.cookie } });
    expect(reviewerManage.statusCode).toBe(403);
    const reviewerClean = await rig.app.inject({ method: 'PUT', url: '/queues/manage/api/queues/deliver/clean/completed', headers: { cookie: reviewer.cookie, 'x-csrf-token': reviewer.csrf } });
    expect(reviewerClean.statusCode).toBe(403);
    const crossSite = await rig.app.inject({ method: 'PUT', url: '/queues/manage/api/queues/deliver/clean/completed', headers: { cookie: admin.cookie, origin: 'https://evil.example', host: 'localhost:8025' } });
    expect(crossSite.statusCode).toBe(403);
    const adminClean = await rig.app.inject({ method: 'PUT', url: '/queues/manage/api/queues/deliver/clean/completed', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf } });
    expect(adminClean.statusCode).toBe(200);
    expect((await auditJobs(rig)).some((e) => e.type === 'queue-action' && e.actor === 'adam' && /clean\/completed answered 200/.test(e.reason ?? ''))).toBe(true);
    const ui = await rig.app.inject({ url: '/queues', headers: { cookie: viewer.cookie } });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('static/js/main');
  });

  it('job data on the queue pages never carries a body, subject or evidence', async () => {
    const res = await rig.app.inject({ url: '/queues/api/queues?activeQueue=audit&status=latest', headers: { cookie: admin.cookie } });
    const audit = (res.json() as { queues: { name: string; jobs: { data: Record<string, unknown> }[] }[] }).queues.find((q) => q.name === 'audit')!;
    expect(audit.jobs.length).toBeGreaterThan(0);
    const text = JSON.stringify(audit.jobs.map((j) => j.data));
    expect(text).not.toContain('subject');
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('evidence');
  });

  it('logout ends the session everywhere', async () => {
    const s = await login(rig.app, 'rita');
    const out = await rig.app.inject({ method: 'POST', url: '/logout', ...form(s, {}) });
    expect(out.statusCode).toBe(303);
    expect((await rig.app.inject({ url: '/', headers: { cookie: s.cookie } })).statusCode).toBe(303);
  });
});

describe('dashboard sessions and binding', () => {
  it('a session idle longer than the timeout ends; a request before it renews it', async () => {
    const rig = await dashboardRig({}, { dashboard: { sessionIdleMinutes: 0.02 } }); // 1.2 s
    try {
      const s = await login(rig.app, 'rita');
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 600));
        expect((await rig.app.inject({ url: '/quarantine', headers: { cookie: s.cookie } })).statusCode).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 1500));
      expect((await rig.app.inject({ url: '/quarantine', headers: { cookie: s.cookie } })).statusCode).toBe(303);
    } finally {
      await rig.close();
    }
  });

  it('refuses a dashboard on a non-loopback address without TLS or behindTlsProxy', () => {
    const bad = serviceSchema.safeParse({ dashboard: { listen: '0.0.0.0:8025' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/not a loopback address.*dashboard.tls.cert.*behindTlsProxy/);
    expect(serviceSchema.safeParse({ dashboard: { listen: '0.0.0.0:8025', behindTlsProxy: true } }).success).toBe(true);
    expect(serviceSchema.safeParse({ dashboard: { listen: '[::1]:8025' } }).success).toBe(true);
    expect(serviceSchema.parse({}).dashboard.listen).toEqual({ host: '127.0.0.1', port: 8025 });
  });
});
