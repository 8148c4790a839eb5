/**
 * The deliver worker against real peers: Redis (own prefix), an smtp-server upstream on a random
 * port, a spool in a temp dir. Retries use a short schedule so the tests run in seconds.
 */
import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { decisionEvent } from '../../src/audit/build-event.js';
import { Dispatcher } from '../../src/queue/dispatch.js';
import type { AuditEvent } from '../../src/audit/events.js';
import type { DeliverJob } from '../../src/queue/jobs.js';
import { createRedis } from '../../src/queue/redis.js';
import type { Spool } from '../../src/spool/spool.js';
import type { Sidecar } from '../../src/spool/types.js';
import { deliverJobId, startDeliverWorker, type DeliverWorkerOptions } from '../../src/workers/deliver.js';
import { createUpstreamTransport } from '../../src/workers/upstream.js';
import { mimeParts } from './mime.js';
import { memoryLogger } from '../fronts/smtp/harness.js';
import {
  dropPrefix,
  message,
  REDIS_URL,
  silent,
  spoolMessage,
  startSink,
  tempSpool,
  testPrefix,
  waitFor,
  type Redis,
  type Sink,
  type SpoolInput,
} from './support.js';

interface Rig {
  prefix: string;
  spool: Spool;
  dispatcher: Dispatcher;
  worker: Worker<DeliverJob> | null;
  producer: Redis;
  workerRedis: Redis;
  sinks: Sink[];
  cleanupSpool: () => Promise<void>;
}

let rig: Rig | null = null;

async function makeRig(): Promise<Rig> {
  const prefix = testPrefix();
  const { spool, cleanup } = await tempSpool();
  const producer = createRedis(REDIS_URL, 'producer');
  const dispatcher = new Dispatcher({ connection: producer, prefix });
  rig = { prefix, spool, dispatcher, worker: null, producer, workerRedis: createRedis(REDIS_URL, 'worker'), sinks: [], cleanupSpool: cleanup };
  return rig;
}

function startWorker(r: Rig, upstreamPort: number, over: Partial<DeliverWorkerOptions> = {}): Worker<DeliverJob> {
  r.worker = startDeliverWorker({
    connection: r.workerRedis,
    prefix: r.prefix,
    spool: r.spool,
    dispatcher: r.dispatcher,
    upstream: { host: '127.0.0.1', port: upstreamPort, connectionTimeout: 2_000, greetingTimeout: 2_000 },
    dsn: { hostname: 'mailwarden.test' },
    retry: { scheduleMs: [200] },
    logger: silent,
    ...over,
  });
  return r.worker;
}

afterEach(async () => {
  if (!rig) return;
  const r = rig;
  rig = null;
  await r.worker?.close();
  await r.dispatcher.close();
  r.producer.disconnect();
  r.workerRedis.disconnect();
  await Promise.all(r.sinks.map((s) => s.close()));
  await r.cleanupSpool();
  await dropPrefix(r.prefix);
});

async function sink(r: Rig, port = 0): Promise<Sink> {
  const s = await startSink(port);
  r.sinks.push(s);
  return s;
}

async function accept(r: Rig, input: SpoolInput): Promise<Sidecar> {
  const sidecar = await spoolMessage(r.spool, input);
  await r.dispatcher.dispatchDecision(sidecar, decisionEvent(sidecar, { attachments: [] }));
  return sidecar;
}

function untilDone(r: Rig, id: string, timeoutMs = 15_000): Promise<Sidecar> {
  return waitFor(`message ${id} done`, async () => {
    const s = await r.spool.readSidecar(id);
    return s.state === 'done' ? s : null;
  }, timeoutMs);
}

/**
 * The audit event types of a message once `ready` says they are all there: a delivery's events
 * are queued after the sidecar says done (the order of writes), so they may trail untilDone().
 */
async function auditTypesWhen(r: Rig, id: string, ready: (types: string[]) => boolean): Promise<string[]> {
  let last: string[] = [];
  try {
    return await waitFor('the audit events', async () => {
      last = (await auditEvents(r, id)).map((e) => e.type).sort();
      return ready(last) ? last : undefined;
    }, 5_000);
  } catch {
    return last; // the assertion that follows names what was there
  }
}

async function auditEvents(r: Rig, id: string): Promise<AuditEvent[]> {
  const jobs = await r.dispatcher.auditQueue.getJobs(['wait', 'delayed', 'completed', 'failed', 'active', 'prioritized']);
  return jobs.map((j) => j.data).filter((e) => e.ref === id);
}

const BODY = 'Please find the figures below.\r\n\r\n.leading dot line\r\nRegards\r\n';
const ORIGINAL = message(
  [
    'From: Alice <alice@example.gov.uk>',
    'To: Bob <bob@partner.example>',
    'X-Mailwarden-Decision: accept',
    'Subject: Quarterly report',
    'X-Mailwarden-Findings: forged,',
    '\tfolded forged value',
    'Message-ID: <m1@example.gov.uk>',
  ],
  BODY,
);

describe('deliver worker', () => {
  it('delivers byte-for-byte with our headers prepended and forged X-Mailwarden-* removed', async () => {
    const r = await makeRig();
    const up = await sink(r);
    const sidecar = await accept(r, {
      bytes: ORIGINAL,
      addHeaders: ['Received: from ws1.example.gov.uk ([127.0.0.1]) by mailwarden.test', 'X-Mailwarden-Decision: accept'],
    });
    startWorker(r, up.port);
    const done = await untilDone(r, sidecar.id);

    expect(up.messages).toHaveLength(1);
    const got = up.messages[0]!;
    expect(got.from).toBe('alice@example.gov.uk');
    expect(got.to).toEqual(['bob@partner.example']);
    const expected =
      'Received: from ws1.example.gov.uk ([127.0.0.1]) by mailwarden.test\r\nX-Mailwarden-Decision: accept\r\n' +
      message(['From: Alice <alice@example.gov.uk>', 'To: Bob <bob@partner.example>', 'Subject: Quarterly report', 'Message-ID: <m1@example.gov.uk>'], BODY);
    expect(got.raw.toString('latin1')).toBe(expected);

    expect(done.doneReason).toBe('delivered');
    expect(done.outcomes).toMatchObject([{ rcpt: 'bob@partner.example', status: 'delivered', code: 250 }]);
    const types = await auditTypesWhen(r, sidecar.id, (t) => t.length >= 2);
    expect(types).toEqual(['decision', 'delivered']);
  });

  it('leaves retries to BullMQ: pool maxRequeues 0, a stalled job retried rather than failed', async () => {
    const r = await makeRig();
    const worker = startWorker(r, 1);
    expect(worker.opts.maxStalledCount).toBeGreaterThanOrEqual(100);
    const transport = createUpstreamTransport({ host: '127.0.0.1', port: 1 });
    try {
      const options = (transport as unknown as { transporter: { options: { pool?: boolean; maxRequeues?: number } } }).transporter.options;
      expect(options).toMatchObject({ pool: true, maxRequeues: 0 });
    } finally {
      transport.close();
    }
  });

  it('retries while the upstream is down and delivers once when it is back', async () => {
    const r = await makeRig();
    const probe = await startSink();
    const port = probe.port;
    await probe.close(); // nothing listens: connection refused
    const sidecar = await accept(r, { bytes: ORIGINAL });
    startWorker(r, port);

    await waitFor('two deferred attempts', async () => ((await r.dispatcher.deliverQueue.getJob(deliverJobId(sidecar.id)))?.attemptsMade ?? 0) >= 2);
    expect((await r.spool.readSidecar(sidecar.id)).state).toBe('queued');
    const up = await sink(r, port);
    const done = await untilDone(r, sidecar.id);

    expect(up.messages).toHaveLength(1);
    expect(done.doneReason).toBe('delivered');
    // The sidecar says done just before BullMQ moves the job to completed: wait for that too.
    const job = await waitFor('the job completed', async () => {
      const j = await r.dispatcher.deliverQueue.getJob(deliverJobId(sidecar.id));
      return j && (await j.getState()) === 'completed' ? j : null;
    });
    expect(job.attemptsMade).toBeGreaterThanOrEqual(2);
  });

  it('records accepted recipients in the job at once, and logs every attempt', async () => {
    const r = await makeRig();
    const up = await sink(r);
    let busy = 0;
    up.rcptRule = (rcpt) => (rcpt === 'soft@partner.example' && busy++ === 0 ? { code: 450, message: '4.2.1 mailbox busy, try later' } : null);
    const sidecar = await accept(r, { bytes: ORIGINAL, rcptTo: ['ok@partner.example', 'soft@partner.example'] });
    const { logger, lines } = memoryLogger();
    startWorker(r, up.port, { logger, retry: { scheduleMs: [1_500] } });

    // Between the two attempts: the job shows only the recipient still owed.
    const job = await waitFor('the job narrowed to the deferred recipient', async () => {
      const j = await r.dispatcher.deliverQueue.getJob(deliverJobId(sidecar.id));
      return j?.data.pending.length === 1 ? j : null;
    });
    expect(job.data.pending).toEqual(['soft@partner.example']);
    expect((await r.spool.readSidecar(sidecar.id)).outcomes).toMatchObject([{ rcpt: 'ok@partner.example', status: 'delivered' }]);
    await untilDone(r, sidecar.id);

    // The sidecar says done just before the attempt's log line is written: wait for the line.
    await waitFor('the second attempt logged', () => lines.filter((l) => l.msg === 'delivery attempt').length >= 2);
    const attempts = lines.filter((l) => l.msg === 'delivery attempt');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ ref: sidecar.id, attempt: 1, delivered: ['ok@partner.example'], failed: [] });
    expect(attempts[0]!.deferred).toEqual([expect.stringMatching(/^soft@partner\.example 450 4\.2\.1 mailbox busy/)]);
    expect(attempts[1]).toMatchObject({ ref: sidecar.id, attempt: 2, delivered: ['soft@partner.example'], deferred: [] });
  });

  it('retries a 4xx recipient, bounces a 5xx one with an RFC 3464 report to the sender', async () => {
    const r = await makeRig();
    const up = await sink(r);
    let softRefusals = 0;
    up.rcptRule = (rcpt) => {
      if (rcpt === 'hard@partner.example') return { code: 550, message: '5.1.1 no such user here' };
      if (rcpt === 'soft@partner.example' && softRefusals++ === 0) return { code: 450, message: '4.2.1 mailbox busy, try later' };
      return null;
    };
    const sidecar = await accept(r, { bytes: ORIGINAL, rcptTo: ['ok@partner.example', 'soft@partner.example', 'hard@partner.example'] });
    startWorker(r, up.port);
    const done = await untilDone(r, sidecar.id);

    const deliveries = up.messages.filter((m) => m.from !== '');
    expect(deliveries.map((m) => m.to)).toEqual([['ok@partner.example'], ['soft@partner.example']]);
    const dsns = up.messages.filter((m) => m.from === '');
    expect(dsns).toHaveLength(1);
    expect(dsns[0]!.to).toEqual(['alice@example.gov.uk']);

    const parts = await mimeParts(dsns[0]!.raw);
    const root = parts[0]!;
    expect(root.contentType).toBe('multipart/report');
    expect(root.headers).toMatch(/report-type=delivery-status/);
    expect(root.headers).toMatch(/^From: Mail Delivery System <MAILER-DAEMON@mailwarden\.test>$/m);
    expect(root.headers).toMatch(/^Auto-Submitted: auto-replied$/m);
    expect(parts.map((p) => p.contentType)).toEqual(['multipart/report', 'text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    const status = parts[2]!.body;
    expect(status).toMatch(/^Reporting-MTA: dns; mailwarden\.test$/m);
    expect(status).toMatch(/^Arrival-Date: /m);
    expect(status).toMatch(/^Final-Recipient: rfc822; hard@partner\.example$/m);
    expect(status).toMatch(/^Action: failed$/m);
    expect(status).toMatch(/^Status: 5\.1\.1$/m);
    expect(status).toMatch(/^Diagnostic-Code: smtp; 550 5\.1\.1 no such user here$/m);
    expect(status).not.toMatch(/soft@|ok@/);
    expect(parts[3]!.body).toContain('Subject: Quarterly report');
    expect(parts[3]!.body).not.toContain('Please find the figures');

    expect(done.doneReason).toBe('bounced');
    const byRcpt = Object.fromEntries(done.outcomes.map((o) => [o.rcpt, o]));
    expect(byRcpt['ok@partner.example']?.status).toBe('delivered');
    expect(byRcpt['soft@partner.example']?.status).toBe('delivered');
    expect(byRcpt['hard@partner.example']).toMatchObject({ status: 'failed', code: 550 });
    expect(byRcpt['hard@partner.example']?.dsnAt).toBeTypeOf('string');
    const types = await auditTypesWhen(r, sidecar.id, (t) => t.length >= 6);
    expect(types).toEqual(['bounced', 'decision', 'deferred', 'delivered', 'delivered', 'dsn-sent']);
    await waitFor('the job failed (a bounce ends it as failed)', async () => (await (await r.dispatcher.deliverQueue.getJob(deliverJobId(sidecar.id)))?.getState()) === 'failed');
  });

  it('bounces every recipient on a 5xx at end of data, through the configured DSN relay', async () => {
    const r = await makeRig();
    const up = await sink(r);
    up.dataReply = { code: 554, message: '5.7.1 content refused by policy' };
    const relay = await sink(r);
    const sidecar = await accept(r, { bytes: ORIGINAL, rcptTo: ['bob@partner.example', 'carol@partner.example'] });
    startWorker(r, up.port, { dsn: { hostname: 'mailwarden.test', relay: { host: '127.0.0.1', port: relay.port, pool: false } } });
    const done = await untilDone(r, sidecar.id);

    expect(up.messages).toHaveLength(0);
    expect(relay.messages).toHaveLength(1);
    const status = (await mimeParts(relay.messages[0]!.raw)).find((p) => p.contentType === 'message/delivery-status')!.body;
    expect(status.match(/^Final-Recipient: /gm)).toHaveLength(2);
    expect(status).toMatch(/^Status: 5\.7\.1$/m);
    expect(done.outcomes.every((o) => o.status === 'failed' && o.code === 554)).toBe(true);
  });

  it('never sends a DSN for a message from the null sender', async () => {
    const r = await makeRig();
    const up = await sink(r);
    up.rcptRule = () => ({ code: 550, message: '5.1.1 no such user' });
    const sidecar = await accept(r, { bytes: ORIGINAL, mailFrom: '' });
    startWorker(r, up.port);
    const done = await untilDone(r, sidecar.id);

    expect(up.messages).toHaveLength(0);
    expect(done.outcomes).toMatchObject([{ status: 'failed', code: 550 }]);
    expect(done.outcomes[0]?.dsnAt).toBeTypeOf('string'); // settled: none owed
    const types = await auditTypesWhen(r, sidecar.id, (t) => t.includes('bounced'));
    expect(types).toContain('bounced');
    expect(types).not.toContain('dsn-sent');
  });

  it('never sends again to a recipient the spool records as delivered', async () => {
    const r = await makeRig();
    const up = await sink(r);
    const at = new Date().toISOString();
    const sidecar = await accept(r, {
      bytes: ORIGINAL,
      rcptTo: ['bob@partner.example', 'carol@partner.example'],
      over: { outcomes: [{ rcpt: 'bob@partner.example', status: 'delivered', code: 250, response: '250 ok', at }] },
    });
    startWorker(r, up.port);
    await untilDone(r, sidecar.id);
    expect(up.messages.map((m) => m.to)).toEqual([['carol@partner.example']]);
  });

  it('gives up on a message older than maxAge and bounces with the last temporary reply', async () => {
    const r = await makeRig();
    const up = await sink(r);
    const relay = await sink(r);
    up.rcptRule = () => ({ code: 451, message: '4.3.0 temporarily unavailable' });
    const old = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
    const sidecar = await accept(r, { bytes: ORIGINAL, over: { receivedAt: old } });
    startWorker(r, up.port, { dsn: { hostname: 'mailwarden.test', relay: { host: '127.0.0.1', port: relay.port } } });
    const done = await untilDone(r, sidecar.id);

    expect(done.doneReason).toBe('bounced');
    expect(done.outcomes).toMatchObject([{ status: 'failed', code: 451 }]);
    const status = (await mimeParts(relay.messages[0]!.raw)).find((p) => p.contentType === 'message/delivery-status')!.body;
    expect(status).toMatch(/^Action: failed$/m);
    expect(status).toMatch(/^Status: 4\.3\.0$/m);
    expect(status).toMatch(/gave up/);
  });

  it('treats a job whose spooled message is gone as finished', async () => {
    const r = await makeRig();
    const up = await sink(r);
    const sidecar = await accept(r, { bytes: ORIGINAL });
    await r.spool.remove(sidecar.id); // the front answered 451 and removed it after a late add
    startWorker(r, up.port);
    const job = await waitFor('job completed', async () => {
      const j = await r.dispatcher.deliverQueue.getJob(deliverJobId(sidecar.id));
      return (await j?.getState()) === 'completed' ? j : null;
    });
    expect(job?.returnvalue).toBe('gone');
    expect(up.messages).toHaveLength(0);
  });
});
