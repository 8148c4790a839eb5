/** Real peers for queue and delivery tests: a Redis prefix of our own, an SMTP sink, a spool. */
import { randomBytes, createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/queue/redis.js';
import { Spool } from '../../src/spool/spool.js';
import { makeSidecar } from '../spool/sidecar-factory.js';
import type { Sidecar } from '../../src/spool/types.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const silent = pino({ level: 'silent' });

export function testPrefix(): string {
  return `{mwtest-${randomBytes(5).toString('hex')}}`;
}

/** Deletes every key under the prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = createRedis(REDIS_URL, 'worker');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface Received {
  readonly from: string;
  readonly to: string[];
  readonly raw: Buffer;
}

export type RcptRule = (rcpt: string, session: SMTPServerSession) => { code: number; message: string } | null;

export interface Sink {
  readonly port: number;
  readonly messages: Received[];
  /** Per-recipient refusals; null accepts. */
  rcptRule: RcptRule;
  /** Refuse the whole message at end of data with this reply, or accept when null. */
  dataReply: { code: number; message: string } | null;
  close(): Promise<void>;
}

/** An smtp-server on 127.0.0.1 that records every message it accepts. */
export async function startSink(port = 0): Promise<Sink> {
  const messages: Received[] = [];
  const sink = {
    port: 0,
    messages,
    rcptRule: (() => null) as RcptRule,
    dataReply: null as { code: number; message: string } | null,
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address: SMTPServerAddress, session, cb) {
      const refusal = sink.rcptRule(address.address, session);
      if (!refusal) return cb();
      const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
      cb(err);
    },
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        if (sink.dataReply) {
          const { code, message } = sink.dataReply;
          return cb(Object.assign(new Error(message), { responseCode: code }));
        }
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(parts),
        });
        cb();
      });
    },
  });
  server.on('error', () => {}); // a client reset must not crash the test run
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  sink.port = (server.server.address() as { port: number }).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

export async function tempSpool(): Promise<{ spool: Spool; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mw-spool-'));
  const spool = await Spool.open(dir);
  return { spool, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface SpoolInput {
  readonly bytes: Buffer | string;
  readonly mailFrom?: string;
  readonly rcptTo?: string[];
  readonly addHeaders?: string[];
  readonly over?: Partial<Sidecar>;
}

/** Spools a message with a committed sidecar, as the SMTP front would. */
export async function spoolMessage(spool: Spool, input: SpoolInput): Promise<Sidecar> {
  const id = spool.newId();
  const bytes = Buffer.isBuffer(input.bytes) ? input.bytes : Buffer.from(input.bytes);
  const writer = spool.createWriter(id);
  writer.end(bytes);
  const sidecar = makeSidecar(id, {
    receivedAt: new Date().toISOString(),
    envelope: {
      mailFrom: input.mailFrom ?? 'alice@example.gov.uk',
      rcptTo: input.rcptTo ?? ['bob@partner.example'],
      clientAddress: '127.0.0.1',
      helo: 'ws1.example.gov.uk',
    },
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    addHeaders: input.addHeaders ?? ['X-Mailwarden-Decision: accept', `X-Mailwarden-Id: ${id}`],
    ...input.over,
  });
  await spool.commit(id, sidecar);
  return sidecar;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function message(headers: string[], body: string): string {
  return headers.join('\r\n') + '\r\n\r\n' + body;
}

export type { Redis };
