/**
 * Login and logout. The login form carries a double-submit token (a signed cookie and a form
 * field) since there is no session yet; failures are rate-limited and, like successes and
 * logouts, written to the audit trail.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { accessEvent } from '../access-audit.js';
import { SESSION_COOKIE, type DashboardContext } from '../context.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { tokenMatches } from '../sessions.js';

const LOGIN_COOKIE = 'mw_login';

function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

export function registerLoginRoutes(app: FastifyInstance, ctx: DashboardContext): void {
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: ctx.secureCookies, path: '/', signed: true };

  const form = (next: string, token: string, error?: string) =>
    page({
      title: 'Log in',
      user: null,
      ...(error ? { error } : {}),
      body: html`<form class="login" method="post" action="/login">
  <h1>Log in</h1>
  <input type="hidden" name="_csrf" value="${token}">
  <input type="hidden" name="next" value="${next}">
  <label>User name <input type="text" name="username" autocomplete="username" required autofocus></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>`,
    });

  const freshForm = (reply: import('fastify').FastifyReply, status: number, next: string, error?: string) => {
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(LOGIN_COOKIE, token, cookieOptions);
    return ctx.sendPage(reply, status, form(next, token, error));
  };

  app.get('/login', (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (request.user) return reply.redirect(next, 303);
    // Keep a token the browser already holds: a second tab (or a favicon fetch) must not
    // invalidate the form on the first.
    const held = request.cookies[LOGIN_COOKIE];
    const unsigned = held ? request.unsignCookie(held) : null;
    if (unsigned?.valid && unsigned.value && /^[A-Za-z0-9_-]{32}$/.test(unsigned.value)) return ctx.sendPage(reply, 200, form(next, unsigned.value));
    return freshForm(reply, 200, next);
  });

  app.post('/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const name = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const cookie = request.cookies[LOGIN_COOKIE];
    const unsigned = cookie ? request.unsignCookie(cookie) : null;
    if (!unsigned?.valid || !unsigned.value || !tokenMatches(unsigned.value, body._csrf)) {
      return freshForm(reply, 403, next, 'The login form expired or was not ours: try again.');
    }
    const ip = request.ip;
    if (await ctx.limiter.blocked(ip, name)) {
      await ctx.dispatcher.audit(accessEvent('login-failed', name, `refused: too many failed logins from ${ip} or for this name`));
      return freshForm(reply, 429, next, 'Too many failed logins: wait 15 minutes and try again.');
    }
    const user = name && password ? await ctx.users.verify(name, password) : null;
    if (!user) {
      await ctx.limiter.failed(ip, name);
      await ctx.dispatcher.audit(accessEvent('login-failed', name, `wrong user name or password from ${ip}`));
      return freshForm(reply, 401, next, 'Wrong user name or password.');
    }
    await ctx.limiter.succeeded(ip, name);
    const session = await ctx.sessions.create(user.name, user.role);
    await ctx.dispatcher.audit(accessEvent('login', user.name, `logged in as ${user.role} from ${ip}`));
    reply.clearCookie(LOGIN_COOKIE, { path: '/' });
    reply.setCookie(SESSION_COOKIE, session.sid, cookieOptions);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    const user = request.user!;
    await ctx.sessions.destroy(user.sid);
    await ctx.dispatcher.audit(accessEvent('logout', user.name, `logged out from ${request.ip}`));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
