/**
 * The service log: pino JSON lines on stdout, one object per event, ISO times.
 * One line per SMTP transaction (fronts/smtp/transaction.ts) and per delivery attempt
 * (workers/deliver.ts); everything else is start/stop, reload and faults.
 */
import { pino, type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'mailwarden', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Passwords never reach a log line, whatever a caller passes.
    redact: { paths: ['*.pass', '*.password', 'auth.pass', 'upstream.auth.pass'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination as unknown as pino.DestinationStream) : pino(options);
}
