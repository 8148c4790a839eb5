/**
 * The SMTP relay front: smtp-server with our options and three handlers (AUTH, RCPT, DATA).
 * It speaks SMTP and nothing else: deciding is inspect()'s job, keeping is the spool's.
 *
 * Relay rule (no open relay, ever): a client relays when its address is in `smtp.relayNetworks`
 * or it authenticated; anyone else gets 554 5.7.1 at RCPT. AUTH PLAIN/LOGIN is neither advertised
 * nor accepted on a cleartext session unless `allowInsecureAuth`: we enforce it per session, since
 * smtp-server takes AUTH in clear whenever it has no STARTTLS to offer. `authOptional` is on so
 * that allowed networks need no AUTH.
 *
 * One client cannot close the relay (client-limits.ts): sessions are counted per address and /64,
 * outsiders have a share of the total, every session has a time limit and DATA a minimum rate.
 *
 * Shutdown (`close`): smtp-server stops listening at once (new connections are refused at TCP),
 * answers every open session `421` at its next command, and lets a DATA in progress finish and get
 * its real reply. After `closeTimeoutMs` the remaining sessions get 421 and are closed. `close`
 * resolves when the sessions are gone and every transaction in flight has answered.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { HostPort } from '../../config/service-schema.js';
import { ClientLimits } from './client-limits.js';
import type { FrontContext, FrontSettings } from './front-context.js';
import { fastDataFeed } from './fast-data-feed.js';
import { greetingDelayPatch, type GreetingDelay } from './greeting-delay.js';
import { countReply } from '../../metrics/metrics.js';
import { replyError, smtpReply, type Reply } from './replies.js';
import { receiveMessage } from './transaction.js';

export interface SmtpFront {
  readonly server: SMTPServer;
  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(at: HostPort): Promise<AddressInfo>;
  /** Applies reloaded settings that smtp-server reads per connection (size, limits, TLS). */
  applySettings(settings: FrontSettings): void;
  close(): Promise<void>;
  /** Transactions still running. */
  readonly inFlight: number;
}

export function createSmtpFront(ctx: FrontContext): SmtpFront {
  const inFlight = new Set<Promise<unknown>>();
  const initial = ctx.settings();
  const limits = new ClientLimits();
  /** Session time limits running, by session id. */
  const sessionTimers = new Map<string, NodeJS.Timeout>();
  /** Sessions in DATA, and those of them past their time limit (closed after the DATA reply). */
  const inData = new Set<string>();
  const expired = new Set<string>();

  const options: SMTPServerOptions = {
    ...serverLimits(initial),
    ...tlsOptions(initial),
    banner: 'mailwarden',
    disableReverseLookup: true,
    // Our replies carry their own enhanced codes (see replies.ts); smtp-server's would be wrong.
    hideENHANCEDSTATUSCODES: true,
    // DSN parameters (NOTIFY, RET) are not honoured: do not advertise them.
    hideDSN: true,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    disabledCommands: disabledCommands(initial, false),
    logger: false,

    onConnect(session, callback) {
      const settings = ctx.settings();
      const refused = limits.admit(session.id, session.remoteAddress, settings);
      if (refused) {
        ctx.logger.warn({ client: session.remoteAddress, reply: refused.kind, sessions: limits.sessions }, 'smtp connection refused');
        return callback(replyError(refused));
      }
      const limitMs = settings.config.smtp.maxSessionMs;
      const timer = setTimeout(() => {
        ctx.logger.info({ client: session.remoteAddress, limitMs }, 'smtp session time limit reached');
        if (inData.has(session.id)) expired.add(session.id);
        else closeSession(server, session, { kind: 'session-time-limit', limitMs });
      }, limitMs);
      timer.unref();
      sessionTimers.set(session.id, timer);
      // smtp-server reads a session's own list instead of the server's: AUTH hidden until TLS.
      session.disabledCommands = disabledCommands(settings, session.secure);
      callback();
    },

    onClose(session) {
      limits.release(session.id);
      clearTimeout(sessionTimers.get(session.id));
      sessionTimers.delete(session.id);
      expired.delete(session.id);
    },

    onSecure(_socket, session, callback) {
      session.disabledCommands = disabledCommands(ctx.settings(), true);
      callback();
    },

    onAuth(auth, session, callback) {
      const settings = ctx.settings();
      const users = settings.authUsers;
      if (!session.secure && !settings.config.smtp.allowInsecureAuth) {
        // Not reachable while AUTH is disabled on cleartext sessions; kept as the last word.
        return callback(replyError({ kind: 'auth-needs-tls' }));
      }
      if (!users || (auth.method !== 'PLAIN' && auth.method !== 'LOGIN')) {
        return callback(replyError({ kind: 'auth-method' }));
      }
      const username = auth.username ?? '';
      users.verify(username, auth.password ?? '').then(
        (ok) => {
          if (ok) {
            limits.authenticated(session.id);
            return callback(null, { user: username });
          }
          ctx.logger.warn({ client: session.remoteAddress, user: username }, 'smtp auth failed');
          callback(replyError({ kind: 'auth-failed' }));
        },
        (err: unknown) => {
          ctx.logger.error({ client: session.remoteAddress, err }, 'smtp auth error');
          callback(replyError({ kind: 'auth-failed' }));
        },
      );
    },

    onRcptTo(address, session, callback) {
      if (session.user || ctx.settings().relay.allows(session.remoteAddress)) return callback();
      ctx.logger.warn(
        { client: session.remoteAddress, helo: session.hostNameAppearsAs || undefined, rcpt: address.address },
        'relay denied',
      );
      callback(replyError({ kind: 'relay-denied' }));
    },

    onData(stream, session, callback) {
      const ref = ctx.spool.newId();
      inData.add(session.id);
      const answer = (err: Error | null, text?: string) => {
        inData.delete(session.id);
        if (err) callback(err);
        else callback(null, text);
        if (expired.has(session.id)) closeSession(server, session, { kind: 'session-time-limit', limitMs: ctx.settings().config.smtp.maxSessionMs });
      };
      const hooks = { ref, closeConnection: (reply: Reply) => closeSession(server, session, reply) };
      const work = receiveMessage(ctx, stream, session, hooks).then(
        (reply) => {
          if (!reply) return answer(new Error('connection closed'));
          if (reply.code >= 400) return answer(Object.assign(new Error(reply.text), { responseCode: reply.code }));
          answer(null, reply.text);
        },
        (err: unknown) => {
          ctx.logger.error({ ref, client: session.remoteAddress, err }, 'smtp transaction crashed');
          answer(replyError({ kind: 'temporary-failure', ref }));
        },
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
  };

  if (!fastDataFeed.active) ctx.logger.warn({ reason: fastDataFeed.reason }, 'smtp-server parses DATA with its own byte loop (slower on large mail)');
  if (!greetingDelayPatch.active) ctx.logger.warn({ reason: greetingDelayPatch.reason }, 'smtp.greetingDelayMs has no effect: every client is greeted after smtp-server\'s own 100 ms');
  const server = new SMTPServer(options);
  server.on('error', (err) => ctx.logger.error({ err }, 'smtp server error'));

  return {
    server,
    get inFlight() {
      return inFlight.size;
    },
    listen(at) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.server.once('error', onError);
        server.listen(at.port, at.host, () => {
          server.server.off('error', onError);
          resolve(server.server.address() as AddressInfo);
        });
      });
    },
    applySettings(settings) {
      Object.assign(server.options, serverLimits(settings), { disabledCommands: disabledCommands(settings, false) });
      const tls = tlsOptions(settings);
      if (tls.key && tls.cert) server.updateSecureContext(tls);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
    },
  };
}

function serverLimits(s: FrontSettings): Partial<SMTPServerOptions> & { greetingDelayMs: GreetingDelay } {
  const smtp = s.config.smtp;
  const { relayNetworks, others } = smtp.greetingDelayMs;
  return {
    greetingDelayMs: (address) => (s.relay.allows(address) ? relayNetworks : others),
    name: s.config.hostname,
    size: smtp.size,
    // Off: ClientLimits counts admitted sessions (smtp-server would count refused ones too).
    maxClients: 0,
    maxRecipients: smtp.maxRecipients,
    socketTimeout: smtp.socketTimeoutMs,
    closeTimeout: smtp.closeTimeoutMs,
    allowInsecureAuth: smtp.allowInsecureAuth,
  };
}

function tlsOptions(s: FrontSettings): { key?: Buffer; cert?: Buffer } {
  const { cert, key } = s.config.smtp.tls;
  return cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : {};
}

/** Commands off for a session: AUTH without users, or in clear unless `allowInsecureAuth`. */
function disabledCommands(s: FrontSettings, secure: boolean): string[] {
  const { cert, key } = s.config.smtp.tls;
  const authOff = !s.authUsers || (!secure && !s.config.smtp.allowInsecureAuth);
  // Without our own certificate smtp-server would offer STARTTLS with a built-in self-signed one.
  return [...(cert && key ? [] : ['STARTTLS']), ...(authOff ? ['AUTH'] : [])];
}

function closeSession(server: SMTPServer, session: SMTPServerSession, reply: Reply): void {
  for (const connection of server.connections) {
    if (connection.session === session || connection.session?.id === session.id) {
      const r = smtpReply(reply);
      countReply(r.code);
      connection.send(r.code, r.text);
      connection.close();
    }
  }
}
