/**
 * What the dashboard's routes are given: the service's parts (deps) and the app's own helpers
 * (context). In a file of its own so the routes need not import the app that registers them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DashboardRole, UsersStore } from '../auth/users-file.js';
import type { ServiceConfig } from '../config/service-schema.js';
import type { Dispatcher } from '../queue/dispatch.js';
import type { Spool } from '../spool/spool.js';
import type { ChainStatus } from './chain-status.js';
import type { LoginLimiter, SessionStore } from './sessions.js';

export interface DashboardDeps {
  readonly config: ServiceConfig;
  /** A producer connection (fails fast); the caller owns it. */
  readonly redis: Redis;
  readonly dispatcher: Dispatcher;
  readonly spool: Spool;
  readonly users: UsersStore;
  readonly logger: Logger;
  /** The audit HMAC key, when the trail is keyed (for the chain check). */
  readonly auditKey?: Buffer | null;
  /** Prometheus text for /metrics; absent: 404. */
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Extra readiness checks of this process's parts (name -> ok). */
  readonly readiness?: () => Record<string, boolean>;
  /** Token Prometheus must send as `Authorization: Bearer ...` (null: none asked). */
  readonly metricsToken?: string | null;
}

export const SESSION_COOKIE = 'mw_session';
export interface DashboardContext extends DashboardDeps {
  readonly prefix: string;
  readonly sessions: SessionStore;
  readonly limiter: LoginLimiter;
  readonly chain: ChainStatus;
  readonly secureCookies: boolean;
  /** Sends a full page. */
  sendPage(reply: FastifyReply, status: number, html: string): FastifyReply;
  /** Refuses unless the user has at least `role`; true when refused (the reply is sent). */
  refuseUnless(request: FastifyRequest, reply: FastifyReply, role: DashboardRole): boolean;
}

