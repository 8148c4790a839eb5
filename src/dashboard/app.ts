/**
 * The dashboard's HTTP app, built by a function so tests run it in-process with `inject`.
 *
 * Everything but /healthz, /readyz, /metrics, /login and /assets needs a session. Sessions are
 * in Redis behind a signed, HttpOnly, SameSite=Strict cookie with an idle timeout; every
 * state-changing request carries the session's CSRF token (bull-board's API, which cannot,
 * must come from our own origin); logins are rate-limited per address and per user name;
 * every page has a CSP with no inline script and frame-ancestors 'none'.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { roleAtLeast, type DashboardRole } from '../auth/users-file.js';
import { APP_CSS, APP_JS } from './assets.js';
import { page } from './layout.js';
import { LoginLimiter, SessionStore, tokenMatches, type SessionUser } from './sessions.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerLoginRoutes } from './routes/login.js';
import { registerOverviewRoutes } from './routes/overview.js';
import { registerQuarantineRoutes } from './routes/quarantine.js';
import { registerQueueRoutes } from './routes/queues.js';
import { ChainStatus } from './chain-status.js';
import { SESSION_COOKIE, type DashboardContext, type DashboardDeps } from './context.js';
import { html } from './html.js';
import { whenReady } from '../queue/redis.js';

export type { DashboardContext, DashboardDeps } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
  }
}

const PUBLIC = new Set(['/healthz', '/readyz', '/metrics', '/login', '/assets/app.css', '/assets/app.js', '/favicon.ico']);

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function buildDashboard(deps: DashboardDeps): Promise<FastifyInstance> {
  const d = deps.config.dashboard;
  const prefix = deps.config.redis.queuePrefix;
  const https = d.tls.cert && d.tls.key ? { https: { cert: await readPem(d.tls.cert), key: await readPem(d.tls.key) } } : {};
  const app = Fastify({
    logger: false,
    trustProxy: d.behindTlsProxy,
    bodyLimit: 1024 * 1024,
    ...https,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  const sessions = new SessionStore(deps.redis, prefix, d.sessionIdleMinutes * 60_000);
  const ctx: DashboardContext = {
    ...deps,
    prefix,
    sessions,
    limiter: new LoginLimiter(deps.redis, prefix, d.loginAttempts),
    chain: new ChainStatus({ dir: deps.config.audit.dir, redis: deps.redis, prefix, key: deps.auditKey ?? null }),
    secureCookies: Boolean(d.tls.cert) || d.behindTlsProxy,
    sendPage(reply, status, body) {
      return reply.code(status).type('text/html; charset=utf-8').send(body);
    },
    refuseUnless(request, reply, role) {
      const user = request.user;
      if (user && roleAtLeast(user.role, role)) return false;
      void ctx.sendPage(reply, 403, page({ title: 'Not allowed', user, body: notAllowed(role) }));
      return true;
    },
  };

  await whenReady(deps.redis, 10_000);
  await app.register(fastifyCookie, { secret: await sessions.cookieSecret() });
  await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
  app.decorateRequest('user', null);

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (ctx.secureCookies) reply.header('Strict-Transport-Security', 'max-age=31536000');
    if (!request.url.startsWith('/assets/') && !request.url.includes('/static/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  // Who is asking: every route but the public ones needs a live session.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const signed = request.cookies[SESSION_COOKIE];
    if (signed) {
      const unsigned = request.unsignCookie(signed);
      const session = unsigned.valid && unsigned.value ? await sessions.touch(unsigned.value) : null;
      // The users file decides: a removed user, or one whose role changed, is logged out.
      const current = session ? await deps.users.get(session.name) : null;
      if (session && current && current.role === session.role) request.user = session;
      else if (session) await sessions.destroy(session.sid);
    }
    if (request.user || PUBLIC.has(path)) return;
    if (request.method === 'GET' || request.method === 'HEAD') {
      const next = request.url.startsWith('/') && !request.url.startsWith('//') ? request.url : '/';
      return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
    return reply.code(401).type('text/plain').send('log in first');
  });

  // CSRF: every state-changing request. Our forms carry the session's token; bull-board's
  // own API calls (JSON from its page) must at least come from our origin.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    const path = request.url.split('?')[0] ?? '';
    if (path === '/login') return; // checked by its own double-submit token
    const user = request.user;
    if (!user) return reply.code(401).type('text/plain').send('log in first');
    const body = request.body as Record<string, unknown> | undefined;
    const token = (body && typeof body === 'object' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
    if (tokenMatches(user.csrf, token)) return;
    if (path.startsWith('/queues/') && sameOrigin(request)) return;
    return reply.code(403).type('text/plain').send('refused: missing or wrong CSRF token (reload the page and try again)');
  });

  app.get('/assets/app.css', (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'max-age=3600').send(APP_CSS));
  app.get('/assets/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'max-age=3600').send(APP_JS));

  app.get('/favicon.ico', (_req, reply) => reply.code(204).header('Cache-Control', 'max-age=86400').send());
  app.get('/healthz', (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', async (_req, reply) => {
    const parts: Record<string, boolean> = { redis: false, ...(deps.readiness?.() ?? {}) };
    try {
      parts.redis = (await withTimeout(deps.redis.ping(), 2000)) === 'PONG';
    } catch {
      parts.redis = false;
    }
    const ok = Object.values(parts).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ok, parts });
  });
  app.get('/metrics', async (request, reply) => {
    if (!deps.metrics) return reply.code(404).send('no metrics');
    if (deps.metricsToken && !tokenMatches(`Bearer ${deps.metricsToken}`, request.headers.authorization)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send('metrics need the bearer token');
    }
    const m = await deps.metrics();
    return reply.type(m.contentType).send(m.body);
  });

  registerLoginRoutes(app, ctx);
  registerOverviewRoutes(app, ctx);
  registerQuarantineRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  await registerQueueRoutes(app, ctx);

  app.setNotFoundHandler((request, reply) => ctx.sendPage(reply, 404, page({ title: 'Not found', user: request.user, body: notFound() })));
  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.logger.error({ err, url: request.url }, 'dashboard request failed');
    const message = status === 500 ? 'Something went wrong; the log has the details.' : err.message;
    return ctx.sendPage(reply, status, page({ title: 'Error', user: request.user, body: errorBody(message) }));
  });
  return app;
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (typeof origin === 'string' && host) {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return request.headers['sec-fetch-site'] === 'same-origin';
}

async function readPem(file: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}

const notAllowed = (role: DashboardRole) => html`<h1>Not allowed</h1><p>This needs the ${role} role.</p>`;
const notFound = () => html`<h1>Not found</h1><p><a href="/">Back to the overview</a></p>`;
const errorBody = (message: string) => html`<h1>Error</h1><p>${message}</p>`;
