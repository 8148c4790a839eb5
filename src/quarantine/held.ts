/**
 * Reading the quarantine: held messages (sidecar state 'held') with what a reviewer needs first:
 * the rules that held them, sender, recipients, age; and for one message, its findings and a
 * summary of its headers. Read-only: nothing here needs Redis.
 */
import libmime from 'libmime';
import type { Spool } from '../spool/spool.js';
import type { Sidecar } from '../spool/types.js';
import type { RuledFinding } from '../policy/verdict.js';
import { heldRules } from '../queue/dispatch.js';
import { readHeaderBlock } from '../message/header-block.js';
import { QuarantineError } from './errors.js';

export interface HeldSummary {
  readonly id: string;
  readonly receivedAt: string;
  readonly ageMs: number;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly rules: readonly string[];
  readonly subject: string;
  readonly size: number;
}

export interface HeldDetail {
  readonly sidecar: Sidecar;
  readonly findings: readonly RuledFinding[];
  /** From, To, Cc, Reply-To, Subject, Date, Message-ID as found (decoded, unfolded). */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

export function summarise(sidecar: Sidecar, now = Date.now()): HeldSummary {
  return {
    id: sidecar.id,
    receivedAt: sidecar.receivedAt,
    ageMs: Math.max(0, now - Date.parse(sidecar.receivedAt)),
    sender: sidecar.envelope.mailFrom || '<>',
    recipients: sidecar.envelope.rcptTo,
    rules: heldRules(sidecar),
    subject: sidecar.subject,
    size: sidecar.size,
  };
}

export async function listHeld(spool: Spool, now = Date.now()): Promise<HeldSummary[]> {
  const held: HeldSummary[] = [];
  for await (const sidecar of spool.list({ state: 'held' })) held.push(summarise(sidecar, now));
  return held;
}

export async function readSidecarOrThrow(spool: Spool, id: string): Promise<Sidecar> {
  try {
    return await spool.readSidecar(id);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || /invalid id/.test((err as Error).message)) {
      throw new QuarantineError(`no message ${id} in the spool ${spool.dir} (check the id with 'quarantine list')`, 'not-found');
    }
    throw err;
  }
}

const SUMMARY_FIELDS = ['from', 'to', 'cc', 'reply-to', 'subject', 'date', 'message-id'];

export async function showHeld(spool: Spool, id: string): Promise<HeldDetail> {
  const sidecar = await readSidecarOrThrow(spool, id);
  let block: Buffer = Buffer.alloc(0);
  try {
    block = await readHeaderBlock(spool.readMessage(id));
  } catch {
    // the summary is a convenience: a missing data file still shows the sidecar
  }
  return { sidecar, findings: sidecar.verdict.findings, headers: headerSummary(block) };
}

/** Unfolds the header block and picks the fields a reviewer reads first. */
export function headerSummary(block: Buffer): { name: string; value: string }[] {
  const text = block.toString('utf8').replace(/\r?\n(?=[ \t])/g, '');
  const out: { name: string; value: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (!SUMMARY_FIELDS.includes(name.toLowerCase())) continue;
    let value = line.slice(colon + 1).trim();
    try {
      value = libmime.decodeWords(value);
    } catch {
      // keep the raw value
    }
    out.push({ name, value: value.slice(0, 1000) });
  }
  return out;
}
