/**
 * The service log: pino JSON lines on stdout, one object per event, ISO times.
 * One line per SMTP transaction (fronts/smtp/transaction.ts) and per delivery attempt
 * (workers/deliver.ts); everything else is start/stop, reload and faults.
 *
 * Written asynchronously: a line goes to the thread pool while the event loop serves the next
 * session, and lines logged while a write is in flight go out together in the next one. A
 * blocking write to a file can stall on a busy disk (dirty-page throttling) with every session
 * of the process waiting behind it. pino flushes what is left, synchronously, when the process
 * exits; a SIGKILL can lose the last lines, never mail (the spool and the audit trail are the
 * record).
 */
import { pino, type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * @param sync blocking writes: for the worker thread, where nobody waits on the event loop and the
 *   thread may be stopped without a process exit to flush on.
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream, sync = false): Logger {
  const options = {
    level,
    base: { service: 'mailwarden', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Passwords never reach a log line, whatever a caller passes.
    redact: { paths: ['*.pass', '*.password', 'auth.pass', 'upstream.auth.pass'], censor: '[redacted]' },
  };
  return pino(options, destination ? (destination as unknown as pino.DestinationStream) : pino.destination({ dest: 1, sync }));
}
