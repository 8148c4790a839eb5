/**
 * The whole fixture manifest through a real Postfix calling mailwarden's milter gives the
 * decisions and rules `mailwarden check` gives on the same bytes and envelope. The milter sees
 * the message as Postfix rebuilds it from its queue file, so this is the proof that the rebuild
 * and the intake leave inspection nothing to disagree about. Cases with a policy override run on a
 * rig of their own, as in the relay's agreement test.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, type ManifestCase } from '../../src/cli/manifest.js';
import type { InspectionResult } from '../../src/inspect.js';
import { startSink, type Sink } from '../fronts/smtp/harness.js';
import { checkAll, FIXTURES as fixtures, policyGroups } from '../helpers/manifest-agreement.js';
import { inParallel } from '../helpers/parallel.js';
import { milterRig, type Rig } from './milter-rig.js';

const cases = await loadManifest(join(fixtures, 'manifest.yaml'));
const CONNECTIONS = 4;
/**
 * Where the milter cannot see what check sees, and why. The milter protocol carries header values
 * as NUL-terminated strings, so Postfix cuts a header at a NUL byte: the milter reads a broken
 * boundary and holds the message as malformed. It must never accept such a message.
 */
const MILTER_SEES_LESS: Record<string, string> = {
  'intake/nul-in-boundary.eml': 'a NUL inside the Content-Type header is cut off by the milter protocol',
};

interface MilterVerdict {
  readonly decision: string;
  readonly rules: readonly string[];
  readonly reply: string;
}

let sink: Sink;
let dir: string;
const rigs: Rig[] = [];

beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'mw-milter-agreement-'));
});

afterAll(async () => {
  for (const r of rigs) await r.stop();
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The milter's verdict: its log line for the message, found by our ref (rejects) or Postfix's queue id. */
function milterVerdict(rig: Rig, reply: string): MilterVerdict {
  const ref = / ref (\S+)$/.exec(reply)?.[1];
  const queueId = /queued as ([0-9A-F]+)/.exec(reply)?.[1];
  const line = rig.log.find((l) => l.msg === 'milter message' && ((ref && l.ref === ref) || (queueId && l.queueId === queueId)));
  const decision = /^5/.test(reply) ? 'reject' : typeof line?.decision === 'string' ? line.decision : `no decision (${reply})`;
  const rules = Array.isArray(line?.rules) ? [...new Set(line.rules as string[])].sort() : [];
  return { decision, rules, reply };
}

describe('check and the milter behind Postfix agree on every fixture', () => {
  const checked = new Map<ManifestCase, InspectionResult>();
  const milted = new Map<ManifestCase, MilterVerdict>();

  beforeAll(async () => {
    for (const [c, result] of await checkAll(cases, CONNECTIONS)) checked.set(c, result);
    for (const { cases: group, config } of await policyGroups(cases, dir)) {
      const rig = await milterRig(sink, 'custody', config);
      rigs.push(rig);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: rig.postfix.port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS });
      await inParallel(group, CONNECTIONS, async (c) => {
        const { envelope } = checked.get(c)!;
        const raw = await readFile(join(fixtures, c.file));
        const reply = await transport
          .sendMail({ envelope: { from: envelope.mailFrom, to: [...envelope.rcptTo] }, raw })
          .then((i) => String(i.response), (e: { response?: string; message: string }) => e.response ?? e.message);
        milted.set(c, milterVerdict(rig, reply));
      });
      transport.close();
    }
  }, 600_000);

  it('covers the whole manifest', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(milted.size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    const { verdict, refusal } = checked.get(c)!;
    const milter = milted.get(c)!;
    if (MILTER_SEES_LESS[c.file]) {
      expect(['quarantine', 'reject'], `${MILTER_SEES_LESS[c.file]}: ${milter.reply}`).toContain(milter.decision);
      return;
    }
    expect(milter.decision, milter.reply).toBe(verdict.decision);
    if (refusal) expect(milter.reply).toMatch(refusal.kind === 'too-big' ? /^552 5\.3\.4 / : /^55\d /);
    else expect(milter.rules, milter.reply).toEqual([...new Set(verdict.findings.map((f) => f.rule))].sort());
  });
});
