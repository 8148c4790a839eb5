/**
 * Schema of the service file (config/mailwarden.yaml). Strict: an unknown key is an error.
 * Every default here is the value a newcomer gets with no file at all; config/mailwarden.yaml
 * repeats each one with the why.
 */
import { isIP, isIPv6 } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { z } from 'zod';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `HOST:PORT` (`127.0.0.1:2525`, `mail.example.org:25`, `[::1]:2525`: IPv6 in brackets, as in
 * URLs, so the port is never ambiguous). Returns what was expected as a string instead of throwing.
 */
export function parseHostPort(text: string): HostPort | string {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]\s]+):(\d{1,5})$/.exec(text);
  if (!m || !m[1] || !m[2]) return `expected HOST:PORT such as 127.0.0.1:2525 or [::1]:2525, got '${text}'`;
  if (text.startsWith('[') && !isIPv6(m[1])) return `'${m[1]}' in brackets is not an IPv6 address`;
  const port = Number(m[2]);
  // Port 0 lets the system pick a free port (tests); the log says which one was bound.
  if (port > 65535) return `port ${m[2]} is not between 0 and 65535`;
  return { host: m[1], port };
}

export function formatHostPort(hp: HostPort): string {
  return isIPv6(hp.host) ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/** Checks `a.b.c.d/n` or `v6::/n`; returns an error text or null. */
export function cidrError(text: string): string | null {
  const [addr, bits, extra] = text.split('/');
  const family = addr ? isIP(addr) : 0;
  if (extra !== undefined || !family || bits === undefined || !/^\d{1,3}$/.test(bits)) {
    return `expected a network such as 127.0.0.0/8 or ::1/128, got '${text}'`;
  }
  const max = family === 4 ? 32 : 128;
  return Number(bits) <= max ? null : `prefix /${bits} is longer than ${max} bits in '${text}'`;
}

const hostPort = z.string().transform((s, ctx) => {
  const hp = parseHostPort(s);
  if (typeof hp === 'string') {
    ctx.addIssue({ code: 'custom', message: hp });
    return z.NEVER;
  }
  return hp;
});

const cidr = z.string().superRefine((s, ctx) => {
  const err = cidrError(s);
  if (err) ctx.addIssue({ code: 'custom', message: err });
});

const redisUrl = z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL');
const ms = z.number().int().positive();
const path = z.string().min(1);

/** 127.0.0.0/8, ::1, localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./i.test(host);
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const serviceSchema = z.strictObject({
  /** Name in the greeting, our Received: line and the DSN sender. */
  hostname: z.string().min(1).default(() => osHostname()),
  /** Which parts this process runs: the SMTP front, the workers, the dashboard, or all three. */
  role: z.enum(['smtp', 'worker', 'dashboard', 'all']).default('all'),
  /** Where the SMTP front listens. */
  listen: hostPort.default({ host: '127.0.0.1', port: 2525 }),

  smtp: z
    .strictObject({
      /** Client networks allowed to relay without AUTH. Everyone else must authenticate. */
      relayNetworks: z.array(cidr).default(['127.0.0.0/8', '::1/128']),
      /** File of `user:$scrypt$...` or `user:$2b$...` (bcrypt) lines; null disables AUTH. */
      authUsersFile: path.nullable().default(null),
      /** Allow AUTH over a cleartext connection (never in production). */
      allowInsecureAuth: z.boolean().default(false),
      tls: z
        .strictObject({ cert: path.nullable().default(null), key: path.nullable().default(null) })
        .refine((t) => (t.cert === null) === (t.key === null), 'expected both cert and key, or neither')
        .prefault({}),
      /** Largest message in bytes: advertised as SIZE and used as the policy's message-size limit. */
      size: z.number().int().positive().default(25 * 1024 * 1024),
      maxClients: z.number().int().positive().default(100),
      maxRecipients: z.number().int().positive().default(1000),
      /** Idle time before smtp-server drops a silent client, and the limit on a stalled DATA transfer. */
      socketTimeoutMs: ms.default(60_000),
      /** How long shutdown waits for open sessions before answering them 421 and closing. */
      closeTimeoutMs: ms.default(30_000),
      /** Time from the end of DATA to a verdict; past it the client gets 451 4.3.0. */
      inspectionTimeoutMs: ms.default(30_000),
      /** What to do with a bare CR or bare LF inside DATA. */
      bareLineEndings: z.enum(['normalise', 'reject']).default('normalise'),
      /** More Received: lines than this is a mail loop (554 5.4.6). */
      maxReceivedHeaders: z.number().int().positive().default(50),
    })
    .prefault({}),

  upstream: z
    .strictObject({
      /** The mail server mailwarden delivers to. */
      address: hostPort.default({ host: '127.0.0.1', port: 2526 }),
      /** Implicit TLS from the first byte (port 465 style). */
      secure: z.boolean().default(false),
      /** Refuse to deliver unless STARTTLS succeeds. */
      requireTLS: z.boolean().default(false),
      /** Check the upstream's certificate. */
      rejectUnauthorized: z.boolean().default(true),
      /** Name to check the certificate against (default: the host). */
      servername: z.string().nullable().default(null),
      auth: z.strictObject({ user: z.string().min(1), pass: z.string() }).nullable().default(null),
      /** Deliveries in parallel per worker process. */
      concurrency: z.number().int().positive().default(10),
    })
    .prefault({}),

  dsn: z
    .strictObject({
      /** Sender of bounce messages (null: MAILER-DAEMON@hostname). */
      from: z.string().nullable().default(null),
      /** Where bounces are sent (null: the upstream). */
      relay: hostPort.nullable().default(null),
    })
    .prefault({}),

  retry: z
    .strictObject({
      /** First retry delay; each later one doubles up to maxDelayMs. */
      firstDelayMs: ms.default(60_000),
      maxDelayMs: ms.default(60 * 60_000),
      /** Give up (and bounce) when the message is older than this. */
      giveUpAfterMs: ms.default(2 * 24 * 60 * 60_000),
    })
    .prefault({}),

  redis: z
    .strictObject({
      url: redisUrl.default(DEFAULT_REDIS_URL),
      /** BullMQ key prefix; the braces make every key hash to one Redis Cluster slot. */
      queuePrefix: z.string().min(1).default('{mailwarden}'),
      /** Start a local redis-server when none answers at the default URL. */
      autoStart: z.boolean().default(true),
      /** Data directory of that local redis-server. */
      dataDir: path.default('var/redis'),
    })
    .prefault({}),

  spool: z
    .strictObject({
      dir: path.default('var/spool'),
      /** Days a finished message (delivered, bounced, discarded, expired) stays in the spool; the audit record stays for good. */
      keepDoneDays: z.number().nonnegative().default(7),
    })
    .prefault({}),
  audit: z
    .strictObject({
      dir: path.default('var/audit'),
      /** File holding the HMAC key for the audit chain (at least 32 bytes); null: plain sha256 links. */
      hmacKeyFile: path.nullable().default(null),
    })
    .prefault({}),
  policy: z.strictObject({ file: path.default('config/policy.yaml') }).prefault({}),

  quarantine: z
    .strictObject({
      retentionDays: z.number().positive().default(30),
      /** How often held messages past retention are expired. */
      expiryCheckIntervalMs: ms.default(60 * 60_000),
    })
    .prefault({}),

  dashboard: z
    .strictObject({
      /** Where the dashboard's HTTP(S) server listens. */
      listen: hostPort.default({ host: '127.0.0.1', port: 8025 }),
      /** `name:role:hash` lines, edited with `mailwarden user`. */
      usersFile: path.default('var/dashboard-users'),
      /** Certificate and key (PEM) to serve HTTPS. Both or neither. */
      tls: z
        .strictObject({ cert: path.nullable().default(null), key: path.nullable().default(null) })
        .refine((t) => (t.cert === null) === (t.key === null), 'expected both cert and key, or neither')
        .prefault({}),
      /** A reverse proxy in front terminates TLS: plain HTTP on a non-loopback address is then allowed. */
      behindTlsProxy: z.boolean().default(false),
      /** A session unused this long ends. */
      sessionIdleMinutes: z.number().positive().default(30),
      /** Failed logins allowed per client address (and per user name) in 15 minutes. */
      loginAttempts: z.number().int().positive().default(10),
    })
    .superRefine((d, ctx) => {
      if (isLoopback(d.listen.host) || d.tls.cert !== null || d.behindTlsProxy) return;
      ctx.addIssue({
        code: 'custom',
        path: ['listen'],
        message: `'${formatHostPort(d.listen)}' is not a loopback address: passwords and sessions would cross the network in clear; set dashboard.tls.cert and dashboard.tls.key, or dashboard.behindTlsProxy: true when a proxy terminates TLS`,
      });
    })
    .prefault({}),

  metrics: z
    .strictObject({
      /** Own address for /metrics; null: on the dashboard's port, or 127.0.0.1:9464 for roles without one. */
      listen: hostPort.nullable().default(null),
      /** File holding a bearer token Prometheus must send; null: no token asked. */
      tokenFile: path.nullable().default(null),
    })
    .prefault({}),

  log: z
    .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .prefault({}),
});

export type ServiceConfigInput = z.input<typeof serviceSchema>;
/** A validated service config; frozen after loading. */
export type ServiceConfig = Readonly<z.output<typeof serviceSchema>> & {
  /** Where it was loaded from ('' when no file was read). */
  readonly source: string;
};
export type Role = ServiceConfig['role'];
