/**
 * The SMTP transport to the upstream MTA (and to the DSN relay), built by nodemailer.
 * Retries belong to BullMQ: a pooled transport gets `maxRequeues: 0` so a broken connection
 * fails the send at once instead of nodemailer silently re-sending it.
 */
import nodemailer from 'nodemailer';
// Installs the faster dot-stuffing before any transport exists (see the module).
import './fast-data-stream.js';
import type { ConnectionOptions as TlsOptions } from 'node:tls';

export interface UpstreamOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465 style). Default false. */
  readonly secure?: boolean;
  /** Refuse to send unless STARTTLS succeeds. Default false. */
  readonly requireTLS?: boolean;
  /** Never try STARTTLS (for sinks that advertise it badly). Default false. */
  readonly ignoreTLS?: boolean;
  /** node:tls options: ca, servername, rejectUnauthorized, minVersion ... */
  readonly tls?: TlsOptions;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Keep connections open and reuse them. Default true. */
  readonly pool?: boolean;
  /** Pool size. Default 5. */
  readonly maxConnections?: number;
  /** Our name in EHLO. Default: the OS host name. */
  readonly name?: string;
  /** Timeouts in ms. Defaults 10 s connect, 10 s greeting, 60 s socket idle. */
  readonly connectionTimeout?: number;
  readonly greetingTimeout?: number;
  readonly socketTimeout?: number;
}

export type UpstreamTransport = ReturnType<typeof nodemailer.createTransport>;

export function createUpstreamTransport(opts: UpstreamOptions): UpstreamTransport {
  const common = {
    host: opts.host,
    port: opts.port,
    secure: opts.secure ?? false,
    requireTLS: opts.requireTLS ?? false,
    ignoreTLS: opts.ignoreTLS ?? false,
    ...(opts.tls ? { tls: opts.tls } : {}),
    ...(opts.auth ? { auth: { user: opts.auth.user, pass: opts.auth.pass } } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    connectionTimeout: opts.connectionTimeout ?? 10_000,
    greetingTimeout: opts.greetingTimeout ?? 10_000,
    socketTimeout: opts.socketTimeout ?? 60_000,
  };
  if (opts.pool ?? true) {
    return nodemailer.createTransport({ ...common, pool: true, maxConnections: opts.maxConnections ?? 5, maxRequeues: 0 });
  }
  return nodemailer.createTransport(common);
}
