/**
 * The milter session against dialogs kept as data (dialogs/*.dialog, format in dialog.ts), each
 * run twice: every command in one write, and every byte in its own write. The handler below is
 * a small, deterministic one (the session is what is under test): it decides by the subject and
 * reports what it was told in an added header, so a dialog can check the envelope, the macros
 * and the rebuilt content it saw.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MilterReply } from '../../../src/fronts/milter/codec.js';
import { MILTER_ACTIONS, MILTER_MACROS, MILTER_PROTOCOL } from '../../../src/fronts/milter/negotiation.js';
import { MilterSession, type MessageFilter, type MilterEnvelope, type MilterHandler } from '../../../src/fronts/milter/session.js';
import { parseDialog } from './dialog.js';
import { repliesIn } from './mta.js';

const dir = join(import.meta.dirname, 'dialogs');

class TestFilter implements MessageFilter {
  private subject = '';
  private headers = 0;
  private bodyBytes = 0;
  aborted = false;
  constructor(private readonly env: MilterEnvelope) {}
  header(name: string, value: string): void {
    this.headers++;
    if (name.toLowerCase() === 'subject') this.subject = value;
  }
  endOfHeaders(): void {}
  body(chunk: Buffer): void {
    if (chunk.includes('THROW')) throw new Error('test handler fails on THROW');
    this.bodyBytes += chunk.length;
  }
  async end(): Promise<readonly MilterReply[]> {
    await new Promise((r) => setImmediate(r));
    if (this.subject.includes('REJECTME')) return [{ type: 'replycode', text: '550 5.7.1 rejected by test' }];
    if (this.subject.includes('HOLDME')) return [{ type: 'quarantine', reason: 'held by test' }, { type: 'accept' }];
    if (this.subject.includes('FAILME')) throw new Error('test handler fails at the end');
    if (this.subject.includes('NOFINAL')) return [{ type: 'addheader', name: 'X-Test', value: ' no final reply' }];
    const e = this.env;
    const seen = `from=${e.mailFrom} rcpt=${e.rcptTo.join(',')} client=${e.client?.address ?? '-'} helo=${e.helo ?? '-'} i=${e.macro('i') ?? '-'} auth=${e.macro('{auth_authen}') ?? '-'} headers=${this.headers} body=${this.bodyBytes}`;
    return [{ type: 'addheader', name: 'X-Test', value: ` ${seen}` }, { type: 'accept' }];
  }
  abort(): void {
    this.aborted = true;
  }
}

async function run(text: string, bytewise: boolean): Promise<void> {
  const steps = parseDialog(text);
  let out: Buffer[] = [];
  let hungUp = false;
  const handler: MilterHandler = { startMessage: (env) => new TestFilter(env) };
  const session = new MilterSession(
    handler,
    { actions: MILTER_ACTIONS, protocol: MILTER_PROTOCOL, macroLists: MILTER_MACROS },
    (b) => out.push(b),
    () => (hungUp = true),
  );
  for (const step of steps) {
    expect(hungUp, `line ${step.line}: the session had already hung up before '${step.text}'`).toBe(false);
    if (bytewise) for (let i = 0; i < step.send.length; i++) await session.receive(step.send.subarray(i, i + 1));
    else await session.receive(step.send);
    const got = repliesIn(Buffer.concat(out));
    out = [];
    if (hungUp) got.push('closed');
    expect(got, `replies to line ${step.line}: ${step.text}`).toEqual(step.expect);
  }
}

const files = readdirSync(dir).filter((f) => f.endsWith('.dialog')).sort();

describe('milter session dialogs', () => {
  it('has the dialogs', () => expect(files.length).toBeGreaterThanOrEqual(8));
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    it(`${file}, whole commands`, () => run(text, false));
    it(`${file}, byte by byte`, () => run(text, true));
  }
});
