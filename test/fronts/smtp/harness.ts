/**
 * Real peers for relay tests: an smtp-server sink as the upstream, a raw SMTP client that can send
 * exactly the bytes a test needs (bare CRs included: nodemailer would rewrite them), the service
 * itself on a temp spool/audit dir, and a private BullMQ prefix on the real Redis.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import { parse as parseYaml } from 'yaml';
import { startService, type RunningService } from '../../../src/service/service.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface SunkMessage {
  readonly mailFrom: string;
  readonly rcptTo: string[];
  readonly raw: Buffer;
}

export interface Sink {
  readonly port: number;
  readonly messages: SunkMessage[];
  /** Per-recipient reply override: return a code >= 400 to refuse. */
  rcptReply?: (rcpt: string) => number | null;
  /** Wait this long before the reply to the final dot (a slow upstream). */
  dataDelayMs?: number;
  waitFor(count: number, timeoutMs?: number): Promise<SunkMessage[]>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const messages: SunkMessage[] = [];
  const sink: Partial<Sink> & { messages: SunkMessage[] } = { messages };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onRcptTo(address, _session, cb) {
      const code = sink.rcptReply?.(address.address) ?? null;
      if (code && code >= 400) return cb(Object.assign(new Error(`refused ${address.address}`), { responseCode: code }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        messages.push({
          mailFrom: from ? from.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        if (sink.dataDelayMs) setTimeout(() => cb(), sink.dataDelayMs);
        else cb();
      });
    },
  });
  // A killed service resets its pooled connections to the sink: not an error of the test.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return Object.assign(sink, {
    port,
    async waitFor(count: number, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`sink: ${messages.length} of ${count} messages after ${timeoutMs} ms`);
        await sleep(50);
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as Sink;
}

export interface Reply {
  readonly code: number;
  readonly text: string;
}

/** A plain SMTP client over a socket: sends exactly what it is given. */
export class RawSmtp {
  private buffer = '';
  private waiting: ((r: Reply) => void) | null = null;
  private readonly replies: Reply[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.onData(d.toString('latin1')));
    socket.on('close', () => {
      this.closed = true;
      this.deliver({ code: 0, text: 'connection closed' });
    });
    socket.on('error', () => {});
  }

  static async open(port: number, localAddress?: string): Promise<{ client: RawSmtp; greeting: Reply }> {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true, ...(localAddress ? { localAddress } : {}) });
    const client = new RawSmtp(socket);
    const greeting = await client.next();
    return { client, greeting };
  }

  private onData(text: string): void {
    this.buffer += text;
    let idx: number;
    while ((idx = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, idx);
      this.buffer = this.buffer.slice(idx + 2);
      const m = /^(\d{3})([ -])(.*)$/.exec(line);
      if (m && m[2] === ' ') this.deliver({ code: Number(m[1]), text: m[3] ?? '' });
    }
  }

  private deliver(r: Reply): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(r);
    } else this.replies.push(r);
  }

  next(timeoutMs = 20_000): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply in time')), timeoutMs);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  async cmd(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.next();
  }

  /** EHLO, MAIL FROM, RCPT TO...; returns the replies in order. */
  async envelope(from: string, rcpts: string[], helo = 'client.test'): Promise<Reply[]> {
    const out = [await this.cmd(`EHLO ${helo}`), await this.cmd(`MAIL FROM:<${from}>`)];
    for (const r of rcpts) out.push(await this.cmd(`RCPT TO:<${r}>`));
    return out;
  }

  /** DATA, the bytes as given (dot-stuffed), the final dot; returns the final reply. */
  async data(message: Buffer | string): Promise<Reply> {
    const go = await this.cmd('DATA');
    if (go.code !== 354) return go;
    const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message, 'latin1');
    const stuffed = Buffer.from(bytes.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
    const ending = stuffed.subarray(-2).toString() === '\r\n' ? '.\r\n' : '\r\n.\r\n';
    // One write: a separate small write of the final dot would wait on Nagle + delayed ACK (~40 ms).
    this.socket.write(Buffer.concat([stuffed, Buffer.from(ending)]));
    return this.next(60_000);
  }

  async send(from: string, rcpts: string[], message: Buffer | string): Promise<Reply> {
    const env = await this.envelope(from, rcpts);
    const bad = env.find((r) => r.code >= 400);
    if (bad) return bad;
    return this.data(message);
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

/** Collected log lines, for assertions on what the service logged. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, dest), lines };
}

/** The whole multi-line EHLO reply of a fresh connection (RawSmtp's replies keep only the last line). */
export async function ehloText(port: number, helo = 'client.test'): Promise<string> {
  const { client } = await RawSmtp.open(port);
  const text = new Promise<string>((resolve) => {
    let seen = '';
    client.socket.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/^250 /m.test(seen)) resolve(seen);
    });
  });
  client.socket.write(`EHLO ${helo}\r\n`);
  try {
    return await text;
  } finally {
    client.close();
  }
}

export interface Relay {
  readonly service: RunningService;
  readonly port: number;
  readonly dir: string;
  readonly prefix: string;
  readonly configFile: string;
  readonly log: Record<string, unknown>[];
  stop(): Promise<void>;
}

export function testPrefix(): string {
  return `{mwtest-${randomBytes(4).toString('hex')}}`;
}

/** Config for a test service: sink upstream, temp dirs, own prefix. `extra` is merged over it. */
export function testConfig(dir: string, prefix: string, upstreamPort: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    hostname: 'mw.test',
    listen: '127.0.0.1:0',
    // Role all runs the dashboard too: on a free port, so test services never clash on 8025.
    dashboard: { listen: '127.0.0.1:0', usersFile: join(dir, 'dashboard-users') },
    upstream: { address: `127.0.0.1:${upstreamPort}`, concurrency: 4 },
    redis: { url: REDIS_URL, queuePrefix: prefix, autoStart: false },
    spool: { dir: join(dir, 'spool') },
    audit: { dir: join(dir, 'audit') },
    retry: { firstDelayMs: 300, maxDelayMs: 1000 },
    log: { level: 'info' },
  };
  for (const [k, v] of Object.entries(extra)) {
    const b = base[k];
    base[k] = b && typeof b === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...b, ...v } : v;
  }
  return base;
}

export async function startRelay(upstreamPort: number, extra: Record<string, unknown> = {}): Promise<Relay> {
  const dir = await mkdtemp(join(tmpdir(), 'mw-relay-'));
  const prefix = testPrefix();
  const configFile = join(dir, 'mailwarden.yaml');
  await writeFile(configFile, JSON.stringify(testConfig(dir, prefix, upstreamPort, extra), null, 2));
  const { logger, lines } = memoryLogger();
  const service = await startService({ file: configFile, env: {}, logger }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    service,
    port: service.smtpAddress?.port ?? 0,
    dir,
    prefix,
    configFile,
    log: lines,
    async stop() {
      await service.stop();
      await dropKeys(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** config/policy.yaml with `override` deep-merged over it (objects key by key), written to `file`. */
export async function writePolicyFile(file: string, override: Record<string, unknown>): Promise<string> {
  const base: unknown = parseYaml(await readFile(join(import.meta.dirname, '..', '..', '..', 'config', 'policy.yaml'), 'utf8'));
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isMapping(a) || !isMapping(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  await writeFile(file, JSON.stringify(merge(base, override), null, 2));
  return file;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Files in a spool subfolder ('msg', 'done' or 'tmp'); [] when it does not exist. */
export async function spoolFiles(spoolDir: string, sub: 'msg' | 'done' | 'tmp'): Promise<string[]> {
  return readdir(join(spoolDir, sub)).catch(() => []);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function plainMessage(opts: { from?: string; to?: string; subject?: string; body?: string; extraHeaders?: string[] } = {}): string {
  const lines = [
    `From: ${opts.from ?? 'alex.smith@met.police.uk'}`,
    `To: ${opts.to ?? 'partner@example.com'}`,
    `Subject: ${opts.subject ?? 'Quarterly figures'}`,
    `Message-ID: <${randomBytes(6).toString('hex')}@met.police.uk>`,
    'Date: Mon, 02 Jun 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(opts.extraHeaders ?? []),
    '',
    opts.body ?? 'Please find the figures below.\r\nRegards,\r\nAlex',
    '',
  ];
  return lines.join('\r\n');
}

/** A tiny but real PE header: detected as a Windows executable from its bytes. */
export function fakeExe(): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(0x14c, 0x84);
  return b;
}
