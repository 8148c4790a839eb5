/**
 * The intake on its own, with real streams: the bytes a target gets are exactly the bytes
 * inspected; the time limit counts inspection's time, not a slow sender's; a failing target
 * fails the message; a target that never finishes runs into the time limit.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildPolicy, defaultPolicyPath } from '../../src/config/load-policy.js';
import { InspectionTimeout } from '../../src/intake/inspection-result.js';
import { MessageIntake } from '../../src/intake/message-intake.js';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

const doc = parseYaml(await readFile(defaultPolicyPath(), 'utf8')) as Record<string, Record<string, unknown>>;
const policyWith = (inspection: Record<string, unknown>) => buildPolicy({ ...doc, inspection: { ...doc['inspection'], ...inspection } });
const policy = policyWith({});
const envelope = { mailFrom: 'alex.turner@met.police.uk', rcptTo: ['sam.jones@example.org'] };

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly fail?: Error) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _e: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.fail) return cb(this.fail);
    this.chunks.push(chunk);
    cb();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function feed(intake: MessageIntake, chunks: readonly (string | Buffer)[], pauseMs = 0): Promise<void> {
  for (const c of chunks) {
    if (!intake.write(Buffer.from(c))) await new Promise((r) => intake.once('drain', r));
    if (pauseMs) await sleep(pauseMs);
  }
  intake.end();
}

describe('MessageIntake', () => {
  it('gives an attached target exactly the bytes it inspects, split anywhere', async () => {
    const parts = ['From: a@met.police.uk\r', '\nTo: b@example.org\nSubject: x\r', '\r\n\0body\rline\r', '\n', 'no end'];
    const intake = new MessageIntake({ envelope, policy });
    const spool = new Collector();
    intake.attach(spool);
    await feed(intake, parts);
    const { message } = await intake.result;
    const expected = 'From: a@met.police.uk\r\nTo: b@example.org\r\nSubject: x\r\n\r\nbody\r\nline\r\nno end\r\n';
    expect(spool.bytes.toString('latin1')).toBe(expected);
    expect(message.size).toBe(expected.length);
    expect(message.sha256).toBe(createHash('sha256').update(spool.bytes).digest('hex'));
    expect(intake.bytesIn).toBe(parts.join('').length);
  });

  it("does not count a slow sender's time against inspection.timeoutMs", async () => {
    const intake = new MessageIntake({ envelope, policy: policyWith({ timeoutMs: 150 }) });
    const lines = Array.from({ length: 8 }, (_, i) => (i === 0 ? 'Subject: slow\r\n\r\n' : `line ${i}\r\n`));
    await feed(intake, lines, 60); // ~480 ms of sending, far past the limit
    expect((await intake.result).verdict.decision).toBe('accept');
  });

  it('fails the message when the spool target fails, and stops inspecting', async () => {
    const intake = new MessageIntake({ envelope, policy });
    intake.attach(new Collector(new Error('disk full')));
    await feed(intake, ['Subject: x\r\n\r\nbody\r\n']);
    await expect(intake.result).rejects.toThrow('disk full');
    expect(intake.failure?.message).toBe('disk full');
  });

  it("runs a target's completion on the same clock: one that never finishes is a timeout", async () => {
    const intake = new MessageIntake({ envelope, policy: policyWith({ timeoutMs: 100 }) });
    intake.attach(new Collector(), new Promise(() => undefined));
    await feed(intake, ['Subject: x\r\n\r\nbody\r\n']);
    const verdict = await intake.result; // inspection itself finished in time
    expect(verdict.verdict.decision).toBe('accept');
    const started = Date.now();
    await expect(intake.deadline).rejects.toBeInstanceOf(InspectionTimeout);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
