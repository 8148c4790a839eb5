/**
 * npm run bench:relay [-- --count N --connections C --big-count N --huge-count N --runs R]
 * npm run bench:relay -- --load smtp-source   (one connection per message, beside Postfix: bench/smtp-source.ts)
 *
 * End-to-end relay benchmark on 127.0.0.1 only: a local SMTP sink (counts, discards), the
 * real service as a child process (temp spool and audit dirs, its own Redis key prefix, upstream =
 * the sink), and a light SMTP client (PIPELINING, connections reused: NOT the load Postfix's and
 * Haraka's published figures were taken with; see --load smtp-source) so the client costs little
 * of the machine's two cores. Phases:
 *   1. small mixed mail from fixtures/ over C connections, through the relay and then straight to
 *      the sink: messages/s end to end (until the sink has every accepted message), p50/p99
 *      transaction latency (MAIL FROM to the final reply), service peak RSS, and the ratio;
 *   2. 1 MB messages: MB/s end to end;
 *   3. 10 concurrent 25 MB messages: service peak RSS.
 * Targets (issue 4): >= 370 msg/s, p99 < 100 ms, 58 MB/s, < 300 MB RSS.
 * Everything stops by itself: the child is killed, temp dirs removed, Redis keys deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as CFB from 'cfb';
import { Redis } from 'ioredis';
import { parse as parseYaml } from 'yaml';
import { build, CpuMeter, deleteKeys, f1, median, q, ROOT, Service, sleep } from './lib/service.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '20' },
    'big-count': { type: 'string', default: '200' },
    'huge-count': { type: 'string', default: '10' },
    /** What the 25 MB messages carry: a PDF (inspected from its head) or a Word .doc (a compound file, read whole to inspect). */
    'huge-type': { type: 'string', default: 'pdf' },
    /** Run the phases this many times against one service; the summary gives each figure's median. */
    runs: { type: 'string', default: '1' },
    /** Small messages sent before measuring (plus a few 1 MB ones when that phase runs): JIT, pools, the first day file. */
    warmup: { type: 'string', default: '1000' },
    /** Which phases to run: small, big (1 MB), huge (25 MB). */
    phases: { type: 'string', default: 'small,big,huge' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    /** Run the TypeScript sources through tsx instead of building and running dist/ (what `npm start` runs). */
    tsx: { type: 'boolean', default: false },
    /** Run dist/ as it is, without building it first. */
    'no-build': { type: 'boolean', default: false },
    /** Another build's cli/main.js to run instead of dist/ (to compare two versions). */
    service: { type: 'string' },
    /** Extra node flags for the service, e.g. --node-args=--cpu-prof */
    'node-args': { type: 'string', default: '' },
    'keep-logs': { type: 'boolean', default: false },
    /** Where the temp dir (spool, audit, log) goes. Default: the OS temp dir (a real disk here). */
    'tmp-dir': { type: 'string', default: tmpdir() },
    /**
     * The load: `pipelined` (the bench's own client: connections reused, MAIL/RCPT/DATA pipelined)
     * or `smtp-source` (Postfix's smtp-source, a new connection per message, beside a private
     * Postfix in the same run: bench/smtp-source.ts). Figures of the two are not comparable.
     */
    load: { type: 'string', default: 'pipelined' },
    /** With --load smtp-source: the first N messages after start, measured cold. */
    cold: { type: 'string', default: '2000' },
  },
});
const COUNT = positive('count');
const CONNECTIONS = positive('connections');
const BIG_COUNT = positive('big-count');
const HUGE_COUNT = positive('huge-count');
const RUNS = positive('runs');
const WARMUP = Number(args.warmup);
const PHASES = new Set(args.phases.split(','));
const DEADLINE_MS = 300_000; // no phase waits longer than this for the sink

function positive(name: keyof typeof args): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

// ---------------------------------------------------------------- the load

type Expect = 'accept' | 'quarantine' | 'reject';
interface Sample {
  readonly name: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly expect: Expect;
  /** DATA payload: dot-stuffed, ending in CRLF.CRLF. */
  readonly data: Buffer;
  readonly size: number;
}

/** Weights of the mix: mostly small business mail, some Office attachments, some held or rejected. */
const MIX: { group: string; weight: number; files: string[] }[] = [
  {
    group: 'small business mail',
    weight: 60,
    files: [
      'business/pdf-letter-to-solicitor.eml',
      'business/html-rota-no-script.eml',
      'business/bcc-recipient.eml',
      'business/svg-crest-no-script.eml',
      'business/twelve-recipients.eml',
      'marking/subject-confidential-suffix-internal.eml',
      'marking/restricted-to-police-uk-force.eml',
      'marking/protect-subject-external.eml',
      'forwarding/auto-forward-internal.eml',
      'personal/lunch.eml',
    ],
  },
  {
    group: 'Office attachments',
    weight: 20,
    files: [
      'business/witness-statement-docx.eml',
      'business/ward-panel-xlsx-external.eml',
      'business/legacy-doc-internal.eml',
      'business/legacy-xls-to-cps.eml',
      'marking/docx-label-internal.eml',
      'archive/zip-docx-only.eml',
    ],
  },
  { group: 'held (macro Office files)', weight: 5, files: ['macro/docm-roster.eml', 'macro/xlsm-order-form.eml'] },
  {
    group: 'rejected',
    weight: 15,
    files: [
      'executable/pe-exe.eml',
      'executable/script-js.eml',
      'executable/double-extension.eml',
      'archive/zip-with-exe.eml',
      'marking/subject-secret-to-external.eml',
      'marking/docx-msip-label.eml',
    ],
  },
];

interface ManifestEntry {
  file: string;
  envelope: { from: string; to: string[] };
  expect: { decision: Expect };
}

/** CRLF line endings, dot-stuffing and the final dot, done once per fixture. */
function dataPayload(message: Buffer): Buffer {
  const text = message.toString('latin1').replace(/\r?\n/g, '\r\n');
  const body = text.endsWith('\r\n') ? text : `${text}\r\n`;
  return Buffer.from(`${body.replace(/^\./gm, '..')}.\r\n`, 'latin1');
}

async function loadSamples(): Promise<Map<string, Sample[]>> {
  const manifest = parseYaml(await readFile(join(ROOT, 'fixtures/manifest.yaml'), 'utf8')) as ManifestEntry[];
  const byFile = new Map(manifest.map((e) => [e.file, e]));
  const groups = new Map<string, Sample[]>();
  for (const { group, files } of MIX) {
    const samples: Sample[] = [];
    for (const file of files) {
      const entry = byFile.get(file);
      if (!entry) throw new Error(`fixture ${file} is not in fixtures/manifest.yaml`);
      const raw = await readFile(join(ROOT, 'fixtures', file));
      const data = dataPayload(raw);
      samples.push({ name: file, from: entry.envelope.from, to: entry.envelope.to, expect: entry.expect.decision, data, size: raw.length });
    }
    groups.set(group, samples);
  }
  return groups;
}

/** A deterministic sequence of N samples drawn by the mix weights (same load for relay and direct). */
function drawLoad(groups: Map<string, Sample[]>, n: number, seed: number): Sample[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
  const total = MIX.reduce((a, m) => a + m.weight, 0);
  const load: Sample[] = [];
  for (let i = 0; i < n; i++) {
    let r = rnd() * total;
    const m = MIX.find((x) => (r -= x.weight) < 0) ?? MIX[0]!;
    const list = groups.get(m.group)!;
    load.push(list[Math.floor(rnd() * list.length)]!);
  }
  return load;
}

/** A business message of about `bytes` with a PDF attachment, generated (base64 of pseudo-random content). */
/** A message of about `bytes` with one base64 attachment: a PDF, or a Word 97 .doc (a compound file). */
function generatedMessage(bytes: number, tag: string, type: 'pdf' | 'doc' = 'pdf'): Sample {
  const name = type === 'pdf' ? 'survey.pdf' : 'survey.doc';
  const mime = type === 'pdf' ? 'application/pdf' : 'application/msword';
  const head = [
    'From: Alex Turner <alex.turner@met.police.uk>',
    'To: Priya Shah <priya.shah@met.police.uk>',
    `Subject: Scene survey ${tag}`,
    'Date: Mon, 23 Nov 2026 09:00:00 +0000',
    `Message-ID: <bench-${tag}@met.police.uk>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="bench-b1"',
    '',
    '--bench-b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Priya, the survey export is attached. Alex',
    '--bench-b1',
    `Content-Type: ${mime}; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join('\r\n');
  const tail = '\r\n--bench-b1--\r\n.\r\n';
  const rawLen = Math.floor(((bytes - head.length - tail.length) / 78) * 57);
  const content = type === 'pdf' ? pdfOf(rawLen) : docOf(rawLen);
  const b64 = content.toString('base64').replace(/.{76}/g, '$&\r\n');
  const data = Buffer.from(head + b64 + tail, 'latin1');
  return { name: `generated ${tag}`, from: 'alex.turner@met.police.uk', to: ['priya.shah@met.police.uk'], expect: 'accept', data, size: data.length - 3 };
}

/** Bytes that do not compress, the same every run. */
function noise(length: number): Buffer {
  const out = Buffer.alloc(length);
  let seed = 4242;
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (seed >> 8) & 0xff;
  }
  return out;
}

function pdfOf(length: number): Buffer {
  const pdfHead = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n', 'latin1');
  const pdfTail = Buffer.from('\nendstream\n%%EOF\n', 'latin1');
  const content = noise(Math.max(length, pdfHead.length + pdfTail.length));
  pdfHead.copy(content, 0);
  pdfTail.copy(content, content.length - pdfTail.length);
  return content;
}

/** A Word 97 document: a compound file whose WordDocument stream starts with a FIB. */
function docOf(length: number): Buffer {
  const cfb = CFB.utils.cfb_new();
  const fib = Buffer.alloc(512);
  fib.writeUInt16LE(0xa5ec, 0); // wIdent: Word
  CFB.utils.cfb_add(cfb, '/WordDocument', Buffer.concat([fib, noise(Math.max(0, length - 8192))]));
  CFB.utils.cfb_add(cfb, '/1Table', Buffer.alloc(4096));
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

// ---------------------------------------------------------------- a light SMTP client

interface Reply {
  readonly code: number;
  readonly text: string;
}

/** One SMTP connection, reused for many transactions; MAIL/RCPT/DATA pipelined (RFC 2920). */
class Client {
  private buf = '';
  private lines: string[] = [];
  private readonly waiting: ((r: Reply) => void)[] = [];
  private readonly ready: Reply[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
    const c = new Client(socket);
    await c.reply(); // greeting
    c.socket.write('EHLO bench.client.test\r\n');
    const ehlo = await c.reply();
    if (ehlo.code !== 250) throw new Error(`EHLO refused: ${ehlo.code} ${ehlo.text}`);
    return c;
  }

  /** One transaction; the reply to the end of data (or the first refusal) and its latency in ms. */
  async send(s: Sample): Promise<{ reply: Reply; ms: number }> {
    const t0 = performance.now();
    const cmds = [`MAIL FROM:<${s.from}> BODY=8BITMIME SIZE=${s.size}`, ...s.to.map((r) => `RCPT TO:<${r}>`), 'DATA'];
    this.socket.write(`${cmds.join('\r\n')}\r\n`);
    const replies: Reply[] = [];
    for (let i = 0; i < cmds.length; i++) replies.push(await this.reply());
    const bad = replies.slice(0, -1).find((r) => r.code >= 400);
    const dataReply = replies.at(-1)!;
    if (dataReply.code !== 354) {
      this.socket.write('RSET\r\n');
      await this.reply();
      return { reply: bad ?? dataReply, ms: performance.now() - t0 };
    }
    this.socket.write(s.data);
    const reply = await this.reply();
    return { reply, ms: performance.now() - t0 };
  }

  async close(): Promise<void> {
    this.socket.write('QUIT\r\n');
    await Promise.race([this.reply(), sleep(1000)]);
    this.socket.destroy();
  }

  private reply(): Promise<Reply> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    if (this.socket.destroyed) return Promise.resolve({ code: 0, text: 'connection closed' });
    return new Promise((ok) => this.waiting.push(ok));
  }

  private onData(chunk: Buffer): void {
    this.buf += chunk.toString('latin1');
    let nl: number;
    while ((nl = this.buf.indexOf('\r\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 2);
      this.lines.push(line);
      if (line[3] === '-') continue; // multi-line reply goes on
      const reply = { code: Number(line.slice(0, 3)), text: this.lines.map((l) => l.slice(4)).join(' ') };
      this.lines = [];
      const w = this.waiting.shift();
      if (w) w(reply);
      else this.ready.push(reply);
    }
  }
}

interface LoadResult {
  readonly seconds: number;
  readonly latencies: number[];
  readonly codes: Map<string, number>;
  /** Transactions answered 250 "Queued" (the relay will deliver them). */
  readonly queued: number;
  /** Reply class different from the fixture's expected decision. */
  readonly unexpected: number;
  readonly firstUnexpected: string | null;
}

/** Sends `load` over `connections` reused connections; each connection takes the next message. */
async function runLoad(port: number, load: readonly Sample[], connections: number, relay: boolean): Promise<LoadResult> {
  const clients = await Promise.all(Array.from({ length: Math.min(connections, load.length) }, () => Client.open(port)));
  const latencies: number[] = [];
  const codes = new Map<string, number>();
  let queued = 0;
  let unexpected = 0;
  let firstUnexpected: string | null = null;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (next < load.length) {
        const s = load[next++]!;
        const { reply, ms } = await c.send(s);
        latencies.push(ms);
        const key = String(reply.code);
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (reply.code === 250 && reply.text.includes('Queued')) queued++;
        const ok = !relay
          ? reply.code === 250
          : s.expect === 'reject'
            ? reply.code === 550
            : s.expect === 'quarantine'
              ? reply.code === 250 && reply.text.includes('Held')
              : reply.code === 250 && reply.text.includes('Queued');
        if (!ok) {
          unexpected++;
          firstUnexpected ??= `${s.name}: expected ${s.expect}, got ${reply.code} ${reply.text}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  return { seconds, latencies, codes, queued, unexpected, firstUnexpected };
}

// ---------------------------------------------------------------- the sink

/**
 * The upstream: a minimal SMTP sink that counts messages and discards them. Not smtp-server: its
 * DATA parser looks at every byte in JavaScript (2 ms of CPU per MB), and on this two-core machine
 * the sink's CPU is taken from the service being measured. Postfix's own figures were taken with
 * a sink written in C; this one finds the end of DATA with Buffer.indexOf, as cheaply.
 * It speaks enough SMTP for nodemailer's pool and the bench client: EHLO/HELO, MAIL, RCPT, DATA,
 * RSET, NOOP, QUIT, with pipelining.
 */
class Sink {
  messages = 0;
  bytes = 0;
  private readonly server = createServer((socket) => this.session(socket));
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.port = (this.server.address() as { port: number }).port;
  }

  reset(): void {
    this.messages = 0;
    this.bytes = 0;
  }

  /** Resolves with the time the sink reached `count` messages (or throws after the deadline). */
  async waitFor(count: number, what: string): Promise<number> {
    const deadline = Date.now() + DEADLINE_MS;
    while (this.messages < count) {
      if (Date.now() > deadline) throw new Error(`${what}: the sink got ${this.messages} of ${count} messages in ${DEADLINE_MS / 1000} s`);
      await sleep(2);
    }
    return performance.now();
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    socket.write('220 bench sink ESMTP\r\n');
    let inData = false;
    let line = Buffer.alloc(0); // an unfinished command line
    let tail = Buffer.alloc(0); // the last bytes of DATA so far (the terminator may straddle chunks)
    let dataBytes = 0;
    socket.on('data', (chunk: Buffer) => {
      let c = chunk;
      while (c.length > 0) {
        if (inData) {
          // The terminator, across the edge between the previous chunk and this one, or inside this one.
          const edge = Buffer.concat([tail, c.subarray(0, 4)]);
          const atEdge = edge.indexOf(DATA_END);
          const inside = atEdge >= 0 ? -1 : c.indexOf(DATA_END);
          const end = atEdge >= 0 ? atEdge + DATA_END.length - tail.length : inside >= 0 ? inside + DATA_END.length : -1;
          if (end < 0) {
            dataBytes += c.length;
            tail = Buffer.from(Buffer.concat([tail, c.subarray(-4)]).subarray(-4));
            return;
          }
          dataBytes += end;
          this.messages++;
          this.bytes += dataBytes;
          socket.write('250 2.0.0 ok\r\n');
          inData = false;
          c = c.subarray(end);
          continue;
        }
        const buffered: Buffer = line.length > 0 ? Buffer.concat([line, c]) : c;
        let start = 0;
        let replies = '';
        let lf: number;
        while (!inData && (lf = buffered.indexOf(0x0a, start)) >= 0) {
          const verb = buffered.toString('latin1', start, Math.min(lf, start + 4)).toUpperCase();
          start = lf + 1;
          if (verb === 'EHLO') replies += '250-bench sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600\r\n';
          else if (verb === 'DATA') {
            replies += '354 go ahead\r\n';
            inData = true;
            tail = Buffer.from('\r\n'); // the DATA line's own CRLF: an empty message ends at once
            dataBytes = 0;
          } else if (verb === 'QUIT') {
            socket.end(`${replies}221 bye\r\n`);
            return;
          } else if (['HELO', 'MAIL', 'RCPT', 'RSET', 'NOOP'].includes(verb)) replies += '250 ok\r\n';
          else replies += '502 5.5.2 not here\r\n';
        }
        if (replies) socket.write(replies);
        line = inData ? Buffer.alloc(0) : Buffer.from(buffered.subarray(start));
        c = inData ? buffered.subarray(start) : Buffer.alloc(0);
      }
    });
  }
}

const DATA_END = Buffer.from('\r\n.\r\n');

// ---------------------------------------------------------------- the service under test

// ---------------------------------------------------------------- reporting

/** One measured figure of a phase, against its target from issue 4. */
interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
}

const codesText = (m: Map<string, number>) => [...m].sort().map(([k, v]) => `${k}:${v}`).join(' ');

async function main(): Promise<void> {
  await build({ redis: args.redis, tsx: args.tsx, service: args.service, noBuild: args['no-build'] });
  const redis = new Redis(args.redis, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`no Redis answers at ${args.redis}: start one (redis-server) or pass --redis URL`);
  }
  const prefix = `{mwbench-${randomBytes(4).toString('hex')}}`;
  const dir = await mkdtemp(join(args['tmp-dir'], 'mwbench-'));
  const sink = new Sink();
  const service = new Service(dir, prefix, { redis: args.redis, tsx: args.tsx, service: args.service, nodeArgs: args['node-args'] });
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    process.stderr.write('\ninterrupted: cleaning up\n');
    void cleanup().finally(() => process.exit(130));
  };
  let cleaned: Promise<void> | null = null;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await service.stop().catch(() => undefined);
      await sink.close().catch(() => undefined);
      const n = await deleteKeys(redis, prefix).catch(() => -1);
      if (args['keep-logs']) console.log(`service log kept: ${service.logFile}`);
      else await rm(dir, { recursive: true, force: true });
      redis.disconnect();
      console.log(`cleaned up: service stopped, temp dir ${args['keep-logs'] ? 'kept' : 'removed'}, ${n} Redis keys deleted`);
    })());
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const groups = await loadSamples();
    await sink.start();
    await service.start(sink.port);
    console.log(`mailwarden bench:relay  node ${process.version}, ${(await import('node:os')).cpus().length} cores, service pid ${service.child!.pid} (${args.tsx ? 'tsx' : (args.service ?? 'dist')}), prefix ${prefix}`);
    console.log(`mix (weights): ${MIX.map((m) => `${m.group} ${m.weight}% [${groups.get(m.group)!.length} fixtures]`).join(', ')}`);

    // Warm-up: JIT, connection pools, the first day file; not measured.
    if (WARMUP > 0) {
      const warm = drawLoad(groups, WARMUP, 7);
      sink.reset();
      const w = await runLoad(service.port, warm, CONNECTIONS, true);
      await sink.waitFor(w.queued, 'warm-up');
      if (PHASES.has('big')) {
        const big = generatedMessage(1_000_000, '1mb-warm');
        sink.reset();
        const b = await runLoad(service.port, Array.from({ length: 2 * CONNECTIONS }, () => big), CONNECTIONS, true);
        await sink.waitFor(b.queued, 'warm-up 1 MB');
      }
      await sleep(500);
    }

    const figures = new Map<string, Figure & { values: number[] }>();
    const record = (list: Figure[]) => {
      for (const f of list) {
        const entry = figures.get(f.name) ?? { ...f, values: [] };
        entry.values.push(f.value);
        figures.set(f.name, entry);
      }
    };
    for (let run = 1; run <= RUNS; run++) {
      if (RUNS > 1) console.log(`\n=== run ${run} of ${RUNS}`);
      if (PHASES.has('small')) record(await smallPhase(groups, service, sink, redis));
      if (PHASES.has('big')) record(await bigPhase(service, sink, redis));
      if (PHASES.has('huge')) record(await hugePhase(service, sink));
    }
    const text = [...figures.values()].map(
      (f) => `${f.name} ${f1(median(f.values))} ${f.unit} (target ${f.target})${RUNS > 1 ? ` [runs: ${f.values.map(f1).join(', ')}]` : ''}`,
    );
    console.log(`\nsummary${RUNS > 1 ? ` (median of ${RUNS} runs)` : ''}:\n  ${text.join('\n  ')}`);
  } finally {
    if (!interrupted) await cleanup();
  }
}

/** Phase 1: small mixed mail through the relay, then the same load straight to the sink. */
async function smallPhase(groups: Map<string, Sample[]>, service: Service, sink: Sink, redis: Redis): Promise<Figure[]> {
  const load = drawLoad(groups, COUNT, 1);
  const bytes = load.reduce((a, s) => a + s.size, 0);
  const byExpect = (e: Expect) => load.filter((s) => s.expect === e).length;
  console.log(
    `\n1) ${COUNT} small messages (${f1(bytes / COUNT / 1024)} KB average; ${byExpect('accept')} accept, ${byExpect('quarantine')} held, ${byExpect('reject')} reject) over ${CONNECTIONS} connections`,
  );
  sink.reset();
  service.resetPeak();
  const meter = await CpuMeter.start(service, redis);
  const t0 = performance.now();
  const relay = await runLoad(service.port, load, CONNECTIONS, true);
  const tEnd = await sink.waitFor(relay.queued, 'relay small');
  const e2e = (tEnd - t0) / 1000;
  const cpuReport = await meter.report(COUNT, 'msg', e2e);
  const peak = service.peakMb();
  const rate = COUNT / e2e;
  const p99 = q(relay.latencies, 0.99);
  console.log(
    `  relay : ${f1(rate)} msg/s end to end (${f1(e2e)} s; SMTP side ${f1(COUNT / relay.seconds)} msg/s), ` +
      `latency p50 ${f1(q(relay.latencies, 0.5))} ms p99 ${f1(p99)} ms max ${f1(relay.latencies.at(-1)!)} ms, ` +
      `peak RSS ${f1(peak)} MB, replies ${codesText(relay.codes)}, delivered ${sink.messages}`,
  );
  for (const line of cpuReport) console.log(line);
  if (relay.unexpected > 0) console.log(`  WARNING: ${relay.unexpected} replies not as the fixture expects; first: ${relay.firstUnexpected}`);

  sink.reset();
  const d0 = performance.now();
  const direct = await runLoad(sink.port, load, CONNECTIONS, false);
  const dEnd = await sink.waitFor(COUNT, 'direct small');
  const directRate = COUNT / ((dEnd - d0) / 1000);
  console.log(`  direct: ${f1(directRate)} msg/s, latency p50 ${f1(q(direct.latencies, 0.5))} ms p99 ${f1(q(direct.latencies, 0.99))} ms`);
  console.log(`  ratio relay/direct: ${(rate / directRate).toFixed(3)}`);
  return [
    { name: 'small mail', value: rate, unit: 'msg/s', target: '>= 370' },
    { name: 'small mail p99', value: p99, unit: 'ms', target: '< 100' },
  ];
}

/** Phase 2: 1 MB messages, relay then direct: MB/s end to end. */
async function bigPhase(service: Service, sink: Sink, redis: Redis): Promise<Figure[]> {
  const big = generatedMessage(1_000_000, '1mb');
  const load = Array.from({ length: BIG_COUNT }, () => big);
  const mb = (big.size * BIG_COUNT) / 1e6;
  console.log(`\n2) ${BIG_COUNT} x ${f1(big.size / 1e6)} MB messages over ${CONNECTIONS} connections`);
  await sleep(500);
  sink.reset();
  service.resetPeak();
  const meter = await CpuMeter.start(service, redis);
  const t0 = performance.now();
  const relay = await runLoad(service.port, load, CONNECTIONS, true);
  const tEnd = await sink.waitFor(relay.queued, 'relay 1 MB');
  const cpuReport = await meter.report(mb, 'MB', (tEnd - t0) / 1000);
  const rate = mb / ((tEnd - t0) / 1000);
  console.log(
    `  relay : ${f1(rate)} MB/s end to end (SMTP side ${f1(mb / relay.seconds)} MB/s), latency p50 ${f1(q(relay.latencies, 0.5))} ms p99 ${f1(q(relay.latencies, 0.99))} ms, ` +
      `peak RSS ${f1(service.peakMb())} MB, replies ${codesText(relay.codes)}`,
  );
  for (const line of cpuReport) console.log(line);
  if (relay.unexpected > 0) console.log(`  WARNING: ${relay.unexpected} unexpected replies; first: ${relay.firstUnexpected}`);
  sink.reset();
  const d0 = performance.now();
  await runLoad(sink.port, load, CONNECTIONS, false);
  const dEnd = await sink.waitFor(BIG_COUNT, 'direct 1 MB');
  const direct = mb / ((dEnd - d0) / 1000);
  console.log(`  direct: ${f1(direct)} MB/s   ratio ${(rate / direct).toFixed(3)}`);
  return [{ name: '1 MB mail', value: rate, unit: 'MB/s', target: '>= 58' }];
}

/** Phase 3: concurrent 25 MB messages: the service's peak RSS. */
async function hugePhase(service: Service, sink: Sink): Promise<Figure[]> {
  const type = args['huge-type'] === 'doc' ? 'doc' : 'pdf';
  const huge = generatedMessage(25_000_000, '25mb', type);
  console.log(`\n3) ${HUGE_COUNT} concurrent ${f1(huge.size / 1e6)} MB messages, each with a ${type === 'pdf' ? 'PDF' : 'Word .doc'}`);
  await sleep(500);
  sink.reset();
  const idle = service.rssMb();
  service.resetPeak();
  const t0 = performance.now();
  const relay = await runLoad(service.port, Array.from({ length: HUGE_COUNT }, () => huge), HUGE_COUNT, true);
  const tEnd = await sink.waitFor(relay.queued, 'relay 25 MB');
  const peak = service.peakMb();
  console.log(
    `  relay : peak RSS ${f1(peak)} MB (idle before ${f1(idle)} MB), ${f1((huge.size * HUGE_COUNT) / 1e6 / ((tEnd - t0) / 1000))} MB/s end to end, ` +
      `latency max ${f1(relay.latencies.at(-1)!)} ms, replies ${codesText(relay.codes)}`,
  );
  if (relay.unexpected > 0) console.log(`  WARNING: ${relay.unexpected} unexpected replies; first: ${relay.firstUnexpected}`);
  return [{ name: `${HUGE_COUNT} x 25 MB (${type}) peak RSS`, value: peak, unit: 'MB', target: '< 300' }];
}

/** The smtp-source load has a 10 KB and a 1 MB phase; its 25 MB figure is the pipelined load's alone. */
function smtpSourcePhases(): ReadonlySet<string> {
  const known = new Set(['small', 'big']);
  const asked = args.phases === 'small,big,huge' ? known : PHASES;
  const unknown = [...asked].filter((p) => !known.has(p));
  if (unknown.length) throw new Error(`--load smtp-source runs the phases small and big, not ${unknown.join(', ')}`);
  return asked;
}

const bench =
  args.load === 'smtp-source'
    ? import('./smtp-source.js').then((m) =>
        m.runSmtpSourceBench({
          count: COUNT,
          bigCount: BIG_COUNT,
          sessions: CONNECTIONS,
          runs: RUNS,
          cold: positive('cold'),
          redis: args.redis,
          tsx: args.tsx,
          service: args.service,
          noBuild: args['no-build'],
          nodeArgs: args['node-args'],
          tmpDir: args['tmp-dir'],
          keepLogs: args['keep-logs'],
          phases: smtpSourcePhases(),
        }),
      )
    : args.load === 'pipelined'
      ? main()
      : Promise.reject(new Error(`--load must be pipelined or smtp-source, not ${args.load}`));

bench.then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:relay failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
