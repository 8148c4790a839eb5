/**
 * A configurable greeting delay for smtp-server.
 *
 * smtp-server 3.21 waits a fixed 100 ms before it greets every connection (early-talker
 * detection: a client that speaks before the greeting gets `421 You talk too soon`), and has no
 * option for it. With one connection per message, as MTAs submit, those 100 ms cap 20 sessions at
 * about 170 messages/s. Clients in our relay networks are our own mail servers: no early talker
 * is expected there. So the delay becomes a function of the client's address, read from the
 * server's options (`greetingDelayMs`), 0 meaning greet at once.
 *
 * This replaces one method of a third party's class, so it is careful (docs/decisions/
 * smtp-server-greeting-delay.md):
 * - `SMTPConnection.prototype.init` is replaced only when its source hashes to the one checked
 *   (smtp-server 3.21.6, ESM and CJS builds alike); otherwise smtp-server keeps its own, and
 *   `greetingDelayPatch.reason` says why (the front logs it at start);
 * - the replacement does what the original does, with the delay taken from the options, and a
 *   server without the option keeps 100 ms;
 * - test/fronts/smtp/greeting-delay.test.ts fails when the patch is not in effect.
 */
import * as esm from 'smtp-server/lib/smtp-connection.js';
import { installMethodPatch } from './guarded-patch.js';

/** sha256 of smtp-server 3.21.6's SMTPConnection.prototype.init source (ESM and CJS builds). */
const KNOWN_INIT = new Set(['1265a7d7ca8f5510b4ce94ce4c52bdc127a13b6ef912ec7f9dec69be7a662918']);
/** smtp-server's own delay, kept for servers that do not set the option. */
const DEFAULT_DELAY_MS = 100;

/** The option we add to smtp-server's options object. */
export type GreetingDelay = (remoteAddress: string) => number;

interface ConnectionInternals {
  _server: { options: { maxClients?: number; greetingDelayMs?: GreetingDelay }; connections: Set<unknown> };
  name: string;
  remoteAddress: string;
  _setListeners(done: () => void): void;
  send(code: number, message: string, command: boolean): void;
  connectionReady(): void;
}

function init(this: ConnectionInternals): void {
  this._setListeners(() => {
    const { options, connections } = this._server;
    if (options.maxClients && connections.size > options.maxClients) {
      return this.send(421, this.name + ' Too many connected clients, try again in a moment', false);
    }
    const delay = options.greetingDelayMs ? options.greetingDelayMs(this.remoteAddress) : DEFAULT_DELAY_MS;
    if (delay <= 0) return this.connectionReady();
    setTimeout(() => this.connectionReady(), delay).unref();
  });
}

/** Whether the ESM build (the one we run) greets with our delay, and why not when it does not. */
export const greetingDelayPatch = installMethodPatch(esm as Record<string, unknown>, {
  module: 'smtp-server/lib/smtp-connection.js',
  className: 'SMTPConnection',
  method: 'init',
  known: KNOWN_INIT,
  replacement: init,
});
