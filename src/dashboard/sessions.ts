/**
 * Dashboard sessions, kept in Redis so several dashboard processes share them and logout ends
 * a session everywhere. The browser holds only a random id in a signed, HttpOnly,
 * SameSite=Strict cookie; the session expires after `idleMs` without a request (each request
 * renews it). The CSRF token is per session; the cookie-signing secret is made once and kept
 * in Redis, so every dashboard process signs alike.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DashboardRole } from '../auth/users-file.js';

export interface SessionUser {
  readonly sid: string;
  readonly name: string;
  readonly role: DashboardRole;
  readonly csrf: string;
}

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly idleMs: number,
  ) {}

  private key(sid: string): string {
    return `${this.prefix}:dashboard:session:${sid}`;
  }

  /** The secret that signs cookies: made by the first dashboard that starts, shared by the rest. */
  async cookieSecret(): Promise<string> {
    const key = `${this.prefix}:dashboard:cookie-secret`;
    await this.redis.set(key, randomBytes(32).toString('hex'), 'NX');
    const secret = await this.redis.get(key);
    if (!secret) throw new Error('dashboard: could not read the cookie secret from Redis');
    return secret;
  }

  async create(name: string, role: DashboardRole): Promise<SessionUser> {
    const user = { sid: randomBytes(24).toString('base64url'), name, role, csrf: randomBytes(24).toString('base64url') };
    await this.redis.set(this.key(user.sid), JSON.stringify({ name, role, csrf: user.csrf, created: Date.now() }), 'PX', this.idleMs);
    return user;
  }

  /** The session and a renewed idle timer; null when it expired or never was. */
  async touch(sid: string): Promise<SessionUser | null> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(sid)) return null;
    const raw = await this.redis.getex(this.key(sid), 'PX', this.idleMs);
    if (!raw) return null;
    const s = JSON.parse(raw) as { name: string; role: DashboardRole; csrf: string };
    return { sid, name: s.name, role: s.role, csrf: s.csrf };
  }

  async destroy(sid: string): Promise<void> {
    await this.redis.del(this.key(sid));
  }
}

/** Constant-time comparison of a submitted token with the session's. */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * Failed logins per client address and per user name, counted in Redis over a fixed window:
 * past the limit a login is refused before the password is even checked.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly windowMs = 15 * 60_000,
  ) {}

  private keys(ip: string, name: string): string[] {
    return [`${this.prefix}:dashboard:login-fail:ip:${ip}`, `${this.prefix}:dashboard:login-fail:user:${name.slice(0, 64)}`];
  }

  async blocked(ip: string, name: string): Promise<boolean> {
    const counts = await this.redis.mget(...this.keys(ip, name));
    return counts.some((c) => Number(c ?? 0) >= this.limit);
  }

  async failed(ip: string, name: string): Promise<void> {
    const m = this.redis.multi();
    for (const k of this.keys(ip, name)) m.incr(k).pexpire(k, this.windowMs, 'NX');
    await m.exec();
  }

  async succeeded(ip: string, name: string): Promise<void> {
    await this.redis.del(...this.keys(ip, name));
  }
}
