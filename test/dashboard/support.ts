/** A dashboard built in-process against a real Redis (own prefix), a temp spool and a users file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../src/auth/password-hash.js';
import { UsersStore, writeUsersFile, type DashboardRole } from '../../src/auth/users-file.js';
import { serviceSchema, type ServiceConfig } from '../../src/config/service-schema.js';
import { buildDashboard, type DashboardDeps } from '../../src/dashboard/app.js';
import type { RuledFinding } from '../../src/policy/verdict.js';
import { Dispatcher } from '../../src/queue/dispatch.js';
import { createRedis } from '../../src/queue/redis.js';
import type { Spool } from '../../src/spool/spool.js';
import type { HeldInspection, Sidecar } from '../../src/spool/types.js';
import { dropPrefix, message, REDIS_URL, silent, spoolMessage, tempSpool, testPrefix, type Redis } from '../workers/support.js';

export const PASSWORD = 'a-long-test-password';
export const USERS: readonly [string, DashboardRole][] = [
  ['vera', 'viewer'],
  ['rita', 'reviewer'],
  ['adam', 'admin'],
];

export interface DashboardRig {
  readonly app: FastifyInstance;
  readonly spool: Spool;
  readonly dispatcher: Dispatcher;
  readonly redis: Redis;
  readonly prefix: string;
  readonly config: ServiceConfig;
  readonly dir: string;
  close(): Promise<void>;
}

export async function dashboardRig(over: Partial<DashboardDeps> = {}, configOver: Record<string, unknown> = {}): Promise<DashboardRig> {
  const prefix = testPrefix();
  const dir = await mkdtemp(join(tmpdir(), 'mw-dash-'));
  const usersFile = join(dir, 'users');
  const hash = await hashPassword(PASSWORD);
  await writeUsersFile(usersFile, USERS.map(([name, role]) => ({ name, role, hashText: hash })));
  const config = Object.freeze({
    ...serviceSchema.parse({
      redis: { queuePrefix: prefix },
      audit: { dir: join(dir, 'audit') },
      ...configOver,
      dashboard: { usersFile, loginAttempts: 5, ...((configOver.dashboard as object | undefined) ?? {}) },
    }),
    source: '',
  }) as ServiceConfig;
  const redis = createRedis(REDIS_URL, 'producer');
  const dispatcher = new Dispatcher({ connection: redis, prefix });
  const { spool, cleanup } = await tempSpool();
  const app = await buildDashboard({ config, redis, dispatcher, spool, users: new UsersStore(usersFile), logger: silent, ...over });
  return {
    app,
    spool,
    dispatcher,
    redis,
    prefix,
    config,
    dir,
    async close() {
      await app.close();
      await dispatcher.close();
      redis.disconnect();
      await cleanup();
      await rm(dir, { recursive: true, force: true });
      await dropPrefix(prefix);
    },
  };
}

/** Cookies from set-cookie headers, merged into a jar. */
export function cookiesOf(res: { headers: Record<string, unknown> }, jar: Record<string, string> = {}): Record<string, string> {
  const set = res.headers['set-cookie'];
  for (const c of ([] as string[]).concat((set as string | string[] | undefined) ?? [])) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(c)) delete jar[name];
    else jar[name] = value;
  }
  return jar;
}

export function cookieHeader(jar: Record<string, string>): string {
  return Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

export function hiddenValue(body: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(body);
  if (!m) throw new Error(`no hidden ${name} in page`);
  return m[1]!;
}

export interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

export async function login(app: FastifyInstance, name: string, password = PASSWORD): Promise<Session> {
  const form = await app.inject({ method: 'GET', url: '/login' });
  const jar = cookiesOf(form);
  const token = hiddenValue(form.body, '_csrf');
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: token, username: name, password, next: '/' }).toString(),
  });
  if (res.statusCode !== 303) throw new Error(`login as ${name} failed: ${res.statusCode}`);
  cookiesOf(res, jar);
  const page = await app.inject({ method: 'GET', url: '/quarantine', headers: { cookie: cookieHeader(jar) } });
  return { cookie: cookieHeader(jar), csrf: hiddenValue(page.body, '_csrf') };
}

export function form(session: Session, fields: Record<string, string | string[]>): { headers: Record<string, string>; payload: string } {
  const params = new URLSearchParams();
  params.append('_csrf', session.csrf);
  for (const [k, v] of Object.entries(fields)) for (const one of ([] as string[]).concat(v)) params.append(k, one);
  return { headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: params.toString() };
}

export const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';

export function heldFinding(rule = 'macro-documents'): RuledFinding {
  return { rule, action: 'quarantine', excepted: false, reason: `Held by ${rule} <b>bold</b>`, policyRef: 'Information Code of Conduct', evidence: ['e'] } as unknown as RuledFinding;
}

/** A held message in the spool and the index, as the SMTP front leaves it. */
export async function holdMessage(
  rig: Pick<DashboardRig, 'spool' | 'dispatcher'>,
  opts: { subject?: string; sender?: string; rcpt?: string[]; rule?: string; receivedAt?: string; inspection?: HeldInspection } = {},
): Promise<Sidecar> {
  const subject = opts.subject ?? 'Quarterly figures';
  const s = await spoolMessage(rig.spool, {
    bytes: message([`From: ${opts.sender ?? 'alice@example.gov.uk'}`, 'To: bob@partner.example', `Subject: ${subject}`, `X-Hostile: ${HOSTILE}`], `Body line\r\n${HOSTILE}\r\n`),
    ...(opts.sender ? { mailFrom: opts.sender } : {}),
    ...(opts.rcpt ? { rcptTo: opts.rcpt } : {}),
    over: {
      state: 'held',
      subject,
      ...(opts.receivedAt ? { receivedAt: opts.receivedAt } : {}),
      verdict: { decision: 'quarantine', personal: false, marking: null, encrypted: false, findings: [heldFinding(opts.rule)], policyVersion: 'p', monitorMode: false },
      inspection: opts.inspection ?? {
        attachments: [
          { id: '2', location: [`${HOSTILE}.docm`], origin: 'part', name: `${HOSTILE}.docm`, declaredType: 'application/msword', detectedType: 'application/vnd.ms-word.document.macroEnabled.12 (.docm)', size: 1234, sha256: 'ab'.repeat(32), unscannable: null },
          { id: '2/a', location: [`${HOSTILE}.docm`, 'word/vbaProject.bin'], origin: 'member', name: 'vbaProject.bin', declaredType: '', detectedType: 'application/x-cfb', size: 99, sha256: 'cd'.repeat(32), unscannable: null },
        ],
        bodyText: `Body line\n${HOSTILE}\n`,
        bodyTruncated: false,
        anomalies: [],
      },
    },
  });
  await rig.dispatcher.quarantine(s);
  return s;
}
