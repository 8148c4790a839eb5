/**
 * One inspection path, proven on the whole corpus: every case of fixtures/manifest.yaml is sent
 * through the real SMTP front (the real service: real spool, real Redis, real workers) and
 * checked with `mailwarden check`'s own function on the same bytes and envelope; the decisions
 * and the rules found must be equal for every fixture.
 *
 * Cases with a `policy` override run on a relay of their own whose policy file is the default
 * with the same override merged in (policyForCase does the same merge for check). The service
 * has one size setting, smtp.size, which replaces rules.message-size.maxBytes of its policy
 * (src/service/settings.ts), so that relay's smtp.size is the merged policy's limit.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, type ManifestCase } from '../../../src/cli/manifest.js';
import type { InspectionResult } from '../../../src/inspect.js';
import { checkAll, FIXTURES as fixtures, policyGroups } from '../../helpers/manifest-agreement.js';
import { inParallel } from '../../helpers/parallel.js';
import { RawSmtp, startRelay, startSink, type Relay, type Reply, type Sink } from './harness.js';

const cases = await loadManifest(join(fixtures, 'manifest.yaml'));
/** Connections per relay, each sending its share of the cases one after another. */
const CONNECTIONS = 4;

interface RelayVerdict {
  readonly decision: string;
  readonly rules: readonly string[];
  readonly reply: string;
}

let sink: Sink;
let dir: string;
const relays: Relay[] = [];

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-agreement-'));
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** DATA with the bytes exactly as given: smtp-server removes a dot after any LF, so stuff after any LF. */
async function sendExact(client: RawSmtp, from: string, rcpts: readonly string[], bytes: Buffer): Promise<Reply> {
  for (const [i, line] of [`RSET`, `MAIL FROM:<${from}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'DATA'].entries()) {
    const reply = await client.cmd(line);
    const want = i === 0 || line.startsWith('MAIL') || line.startsWith('RCPT') ? 250 : 354;
    if (reply.code !== want) return reply;
  }
  const stuffed = Buffer.from(bytes.toString('latin1').replace(/(^|\n)\./g, '$1..'), 'latin1');
  // A message whose last line has no CRLF gets one before the final dot, as every client adds it.
  const ending = stuffed.subarray(-2).toString('latin1') === '\r\n' ? '.\r\n' : '\r\n.\r\n';
  client.socket.write(Buffer.concat([stuffed, Buffer.from(ending)]));
  return client.next(60_000);
}

function decisionOf(reply: Reply): string {
  if (reply.code === 250 && reply.text.includes('Held for review')) return 'quarantine';
  if (reply.code === 250) return 'accept';
  if (reply.code >= 500) return 'reject';
  return `no decision (${reply.code} ${reply.text})`;
}

/** The relay's decision and rules for one case: the reply, and the transaction's log line by its ref. */
function relayVerdict(relay: Relay, reply: Reply): RelayVerdict {
  const ref = /(?:Queued as|ref) (\S+)$/.exec(reply.text)?.[1];
  const line = ref ? relay.log.find((l) => l.msg === 'smtp transaction' && l.ref === ref) : undefined;
  const rules = Array.isArray(line?.rules) ? [...new Set(line.rules as string[])].sort() : [];
  return { decision: decisionOf(reply), rules, reply: `${reply.code} ${reply.text}` };
}

describe('check and the SMTP relay agree on every fixture', () => {
  const checked = new Map<ManifestCase, InspectionResult>();
  const relayed = new Map<ManifestCase, RelayVerdict>();

  beforeAll(async () => {
    // Every case through check first: its envelope (the manifest's, or the headers') is the one sent over SMTP.
    for (const [c, result] of await checkAll(cases, CONNECTIONS)) checked.set(c, result);
    await Promise.all(
      (await policyGroups(cases, dir)).map(async ({ cases: group, config }) => {
        const relay = await startRelay(sink.port, config);
        relays.push(relay);
        const clients = await Promise.all(Array.from({ length: Math.min(CONNECTIONS, group.length) }, () => RawSmtp.open(relay.port)));
        for (const { client } of clients) expect((await client.cmd('EHLO agreement.test')).code).toBe(250);
        await inParallel(group, clients.length, async (c, worker) => {
          const { envelope } = checked.get(c)!;
          const bytes = await readFile(join(fixtures, c.file));
          const reply = await sendExact(clients[worker]!.client, envelope.mailFrom, envelope.rcptTo, bytes);
          relayed.set(c, relayVerdict(relay, reply));
        });
        for (const { client } of clients) client.close();
      }),
    );
  }, 300_000);

  it('covers the whole manifest', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(relayed.size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    const { verdict, refusal } = checked.get(c)!;
    const relay = relayed.get(c)!;
    expect(relay.decision, relay.reply).toBe(verdict.decision);
    // A refusal (here: over the size limit) is answered before any verdict, so the reply is all there is.
    if (refusal) expect(relay.reply).toMatch(refusal.kind === 'too-big' ? /^552 5\.3\.4 / : /^55\d /);
    else expect(relay.rules, relay.reply).toEqual([...new Set(verdict.findings.map((f) => f.rule))].sort());
  });
});
