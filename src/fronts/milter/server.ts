/**
 * The milter listener: TCP (`inet:127.0.0.1:8890`) or a unix socket path. One MilterSession per
 * connection (Postfix opens one per SMTP connection). TCP_NODELAY is on, and each reply is one
 * write (see codec.encodeReplies): two small writes meet Nagle and delayed ACK and cost ~40 ms.
 *
 * Flow control: when a step has to wait (the end of the body; a body chunk the intake cannot take
 * yet) the socket is paused until it is done, so a slow inspection or a slow disk slows Postfix
 * down instead of buffering its body chunks here. Steps answered at once pause nothing.
 */
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { MilterSession, type MilterHandler, type SessionOptions } from './session.js';

export type MilterListen = { readonly host: string; readonly port: number } | { readonly path: string };

export interface MilterServerOptions {
  readonly listen: MilterListen;
  /** Permissions of a unix socket (octal), set once it exists. */
  readonly socketMode?: number;
  /** Group of a unix socket (a name from /etc/group, or a numeric gid), set once it exists. */
  readonly socketGroup?: string | null;
  readonly session: SessionOptions;
  /** One handler per connection. */
  readonly handler: (socket: Socket) => MilterHandler;
  /** More connections than this are closed at once; Postfix applies milter_default_action. */
  readonly maxConnections: number;
  /** A connection silent for this long is closed (Postfix's own milter timeouts are 30 s to 300 s). */
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
}

export interface MilterServer {
  readonly server: Server;
  address(): AddressInfo | string | null;
  /** Stops listening; open sessions finish their message, then their connections close. */
  close(graceMs?: number): Promise<void>;
}

export async function listenMilter(options: MilterServerOptions): Promise<MilterServer> {
  if ('path' in options.listen) await removeStaleSocket(options.listen.path, options.logger);
  return listen(options);
}

/**
 * A unix socket left by a process that died (SIGKILL, power loss) makes listen() fail with
 * EADDRINUSE. If nothing answers on it, it is stale and goes; if something does, another
 * mailwarden is running there and listen() fails as it should.
 */
async function removeStaleSocket(path: string, logger: Logger): Promise<void> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isSocket()) return;
  const answered = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (answered) return;
  await unlink(path).catch(() => undefined);
  logger.info({ path }, 'milter: removed a stale unix socket left by an earlier run');
}

function listen(options: MilterServerOptions): Promise<MilterServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    if (sockets.size >= options.maxConnections) {
      options.logger.warn({ client: socket.remoteAddress, limit: options.maxConnections }, 'milter: too many connections, closing this one');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    serve(socket, options);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      if ('path' in options.listen) {
        try {
          // Once, at start: no session waits yet.
          if (options.socketGroup != null) chownSync(options.listen.path, -1, groupId(options.socketGroup));
          if (options.socketMode !== undefined) chmodSync(options.listen.path, options.socketMode);
        } catch (err) {
          server.close();
          return reject(err as Error);
        }
      }
      server.on('error', (err) => options.logger.error({ err }, 'milter listener error'));
      resolve({
        server,
        address: () => server.address(),
        close: (graceMs = 10_000) =>
          new Promise<void>((done) => {
            server.close(() => done());
            const timer = setTimeout(() => sockets.forEach((s) => s.destroy()), graceMs);
            timer.unref();
            for (const s of sockets) if (s.readableLength === 0 && !s.isPaused()) s.end();
          }),
      });
    };
    if ('path' in options.listen) server.listen(options.listen.path, ready);
    else server.listen(options.listen.port, options.listen.host, ready);
  });
}

function serve(socket: Socket, options: MilterServerOptions): void {
  socket.setNoDelay(true);
  socket.setTimeout(options.idleTimeoutMs);
  const handler = options.handler(socket);
  const session = new MilterSession(
    handler,
    options.session,
    (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    () => socket.end(),
  );
  const failed = (err: unknown) => {
    options.logger.error({ err }, 'milter session failed');
    socket.destroy();
  };
  socket.on('data', (chunk: Buffer) => {
    let waiting: Promise<void> | void;
    try {
      waiting = session.receive(chunk);
    } catch (err) {
      return failed(err);
    }
    if (!waiting) return;
    // A step is still running (inspection at the end of the body, a full intake): read no more
    // until it is done, so that replies keep the order of the commands.
    socket.pause();
    waiting.then(() => {
      if (!session.closed) socket.resume();
    }, failed);
  });
  socket.on('timeout', () => {
    options.logger.info({ client: socket.remoteAddress }, 'milter connection idle: closing');
    socket.destroy();
  });
  socket.on('error', (err) => options.logger.debug({ err }, 'milter connection error'));
  socket.once('close', () => session.close());
}

/**
 * A group's id: a numeric gid as it is, a name looked up in /etc/group (Node has no getgrnam; a
 * directory service other than files is not consulted, so name such a group by its gid).
 */
export function groupId(group: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(group)) return Number(group);
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch (err) {
    throw new Error(`milter.socketGroup: cannot read ${groupFile} to find group '${group}' (${(err as Error).message}); give its numeric gid instead`);
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new Error(`milter.socketGroup: no group '${group}' in ${groupFile}; give its numeric gid instead, or create the group`);
}
