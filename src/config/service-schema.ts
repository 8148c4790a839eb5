/**
 * Schema of the service file (config/mailwarden.yaml). Strict: an unknown key is an error.
 * Every default here is the value a newcomer gets with no file at all; config/mailwarden.yaml
 * repeats each one with the why.
 */
import { isIP, isIPv6 } from 'node:net';
import { z } from 'zod';
import { machineFqdn } from './machine-name.js';

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

/** The parts a process can run. */
export const PARTS = ['smtp', 'milter', 'worker', 'dashboard'] as const;
export type Part = (typeof PARTS)[number];
const ALL: readonly Part[] = ['smtp', 'worker', 'dashboard'];

function roleError(role: string): string | null {
  const words = role.split(',').map((w) => w.trim());
  const bad = words.filter((w) => w !== 'all' && !(PARTS as readonly string[]).includes(w));
  return bad.length ? `expected a comma-separated list of ${PARTS.join(', ')} (or all), got '${bad.join(', ')}'` : null;
}

/** The parts a role names: `all` is smtp and worker. */
export function roleParts(role: string): ReadonlySet<Part> {
  const parts = new Set<Part>();
  for (const word of role.split(',').map((w) => w.trim())) {
    if (word === 'all') ALL.forEach((p) => parts.add(p));
    else if ((PARTS as readonly string[]).includes(word)) parts.add(word as Part);
  }
  return parts;
}

/** `inet:HOST:PORT` or `unix:/path`, as Postfix's smtpd_milters writes it. */
export type MilterListen = { readonly host: string; readonly port: number } | { readonly path: string };

const milterListen = z.string().transform((s, ctx): MilterListen => {
  if (s.startsWith('unix:') && s.length > 5) return { path: s.slice(5) };
  if (s.startsWith('inet:')) {
    const hp = parseHostPort(s.slice(5));
    if (typeof hp !== 'string') return hp;
  }
  ctx.addIssue({ code: 'custom', message: `expected inet:HOST:PORT (such as inet:127.0.0.1:8890) or unix:/path, got '${s}'` });
  return z.NEVER;
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
/** Every key mailwarden keeps in Redis starts with this; the braces make them hash to one Redis Cluster slot. */
export const DEFAULT_KEY_PREFIX = '{mailwarden}';

export const serviceSchema = z.strictObject({
  /** Fully qualified name in the greeting, our Received: line and DSNs (Reporting-MTA, MAILER-DAEMON@). Default: the machine's FQDN. */
  hostname: z.string().min(1).default(() => machineFqdn()),
  /**
   * Which parts this process runs: a comma-separated list of smtp (the relay front), milter (the
   * Postfix milter front), worker (delivery, audit, expiry), dashboard (the web app and /metrics);
   * `all` is smtp, worker and dashboard.
   */
  role: z
    .string()
    .default('all')
    .superRefine((s, ctx) => {
      const err = roleError(s);
      if (err) ctx.addIssue({ code: 'custom', message: err });
    }),
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
      /** Most SMTP sessions in all; more get 421. */
      maxClients: z.number().int().positive().default(100),
      /** Most sessions from outside relayNetworks (they must AUTH to relay): the rest of maxClients stays for the relay networks. */
      maxOutsideClients: z.number().int().positive().default(80),
      /** Most sessions from one client: one IPv4 address, or one IPv6 /64. */
      maxClientsPerAddress: z.number().int().positive().default(50),
      /** Longest SMTP session; past it the client gets 421 4.4.2 (after the reply to a DATA in progress). */
      maxSessionMs: ms.default(10 * 60_000),
      /** Slowest DATA transfer in bytes per second, averaged from its start (after 10 s); slower gets 421 4.4.2. 0: no limit. */
      minDataRate: z.number().int().nonnegative().default(1024),
      maxRecipients: z.number().int().positive().default(1000),
      /** Idle time before smtp-server drops a silent client, and the limit on a stalled DATA transfer. */
      socketTimeoutMs: ms.default(60_000),
      /**
       * Wait before the greeting, in ms; a client that talks before it gets 421 (early-talker
       * detection). Our own servers in relayNetworks are greeted at once.
       */
      greetingDelayMs: z
        .strictObject({ relayNetworks: z.number().int().nonnegative().default(0), others: z.number().int().nonnegative().default(100) })
        .prefault({}),
      /** How long shutdown waits for open sessions before answering them 421 and closing. */
      closeTimeoutMs: ms.default(30_000),
      /** More Received: lines than this is a mail loop (554 5.4.6). */
      maxReceivedHeaders: z.number().int().positive().default(50),
    })
    .superRefine((smtp, ctx) => {
      // smtp-server accepts AUTH in clear when it has no STARTTLS to offer: passwords on the wire.
      if (smtp.authUsersFile !== null && smtp.tls.cert === null && !smtp.allowInsecureAuth) {
        ctx.addIssue({
          code: 'custom',
          path: ['authUsersFile'],
          message:
            'AUTH needs an encrypted session: set smtp.tls.cert and smtp.tls.key (STARTTLS), or smtp.allowInsecureAuth: true to accept passwords in clear (never in production)',
        });
      }
    })
    .prefault({}),

  milter: z
    .strictObject({
      /** Where the milter front listens (Postfix: smtpd_milters = inet:127.0.0.1:8890). */
      listen: milterListen.default({ host: '127.0.0.1', port: 8890 }),
      /**
       * Permissions of a unix socket (`listen: unix:/path`), octal. Postfix's smtpd connects as
       * the `postfix` user: with the default 660 it must be in mailwarden's group (or mailwarden
       * runs with group postfix). Postfix's chrooted smtpd needs the socket inside its chroot.
       */
      socketMode: z
        .string()
        .regex(/^0?[0-7]{3}$/, 'an octal mode such as 660')
        .default('660'),
      /**
       * Group of a unix socket: a name (looked up in /etc/group) or a numeric gid; null keeps
       * mailwarden's own group. `postfix` lets Postfix in with the default mode 660. Changing
       * it needs root or membership of that group.
       */
      socketGroup: z
        .string()
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/, 'a group name such as postfix, or a numeric gid')
        .nullable()
        .default(null),
      /**
       * Held mail: `custody` keeps it in mailwarden's quarantine and tells Postfix to discard its
       * copy (a release delivers it to `reinject`); `hold` puts it in Postfix's hold queue.
       */
      quarantine: z.enum(['custody', 'hold']).default('custody'),
      /** Postfix's listener for released mail, one without the milter (see README). */
      reinject: hostPort.default({ host: '127.0.0.1', port: 10025 }),
      /** Milter connections at once (Postfix opens one per SMTP connection); more are closed. */
      maxConnections: z.number().int().positive().default(200),
      /** A milter connection silent this long is closed. */
      idleTimeoutMs: ms.default(300_000),
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
      queuePrefix: z.string().min(1).default(DEFAULT_KEY_PREFIX),
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
      /** Below this much free space on the spool's file system, finished messages are removed early, oldest first. */
      minFreeBytes: z.number().int().nonnegative().default(512 * 1024 * 1024),
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
