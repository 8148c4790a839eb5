/**
 * `mailwarden quarantine list|show|release|discard|expire`: a person's review of held mail from
 * the command line. Release and discard need --by and --reason: both go into the audit trail.
 * Exit codes: 0 done, 1 the operation failed (not found, not held, Redis down), 2 usage.
 */
import type { Writable } from 'node:stream';
import { loadServiceConfig } from '../config/load-service.js';
import { Dispatcher } from '../queue/dispatch.js';
import { createRedis } from '../queue/redis.js';
import { Spool } from '../spool/spool.js';
import { expireHeld } from '../quarantine/expire.js';
import { QuarantineError } from '../quarantine/errors.js';
import { listHeld, showHeld, type HeldDetail, type HeldSummary } from '../quarantine/held.js';
import { discardHeld, releaseHeld } from '../quarantine/review.js';
import { readArgs, UsageError } from './args.js';

const HELP = `usage: mailwarden quarantine list [--json]
       mailwarden quarantine show ID [--json]
       mailwarden quarantine release ID --by NAME --reason TEXT
       mailwarden quarantine discard ID --by NAME --reason TEXT [--delete]
       mailwarden quarantine expire [--retention-days N] [--delete]

Reviews held messages. Release delivers the message; discard never delivers it; both are
recorded in the audit trail with who acted and why.
  --by NAME           who decides (required for release and discard)
  --reason TEXT       why (required for release and discard)
  --delete            remove the message file now (default: kept until retention)
  --retention-days N  expire held messages older than this (default: quarantine.retentionDays)
  --spool DIR         spool directory (default: spool.dir of the service config)
  --redis URL         Redis URL (default: redis.url of the service config, or REDIS_URL)
  --prefix PREFIX     BullMQ key prefix (default: redis.queuePrefix)
  --config FILE       service config (default config/mailwarden.yaml)
  --json              machine-readable output`;

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

const OPTIONS = {
  by: { type: 'string' },
  reason: { type: 'string' },
  delete: { type: 'boolean' },
  'retention-days': { type: 'string' },
  spool: { type: 'string' },
  redis: { type: 'string' },
  prefix: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values, positionals } = readArgs(argv, OPTIONS);
  const [command, id, ...extra] = positionals;
  if (values.help) {
    io.stdout.write(HELP + '\n');
    return 0;
  }
  if (!command || !['list', 'show', 'release', 'discard', 'expire'].includes(command)) {
    throw new UsageError(`expected list, show, release, discard or expire\n\n${HELP}`);
  }
  const needsId = command === 'show' || command === 'release' || command === 'discard';
  if (needsId && !id) throw new UsageError(`${command} needs a message id (see 'mailwarden quarantine list')`);
  if ((!needsId && id) || extra.length > 0) throw new UsageError(`unexpected argument '${needsId ? extra[0] : id}'`);
  if ((command === 'release' || command === 'discard') && (!values.by || !values.reason)) {
    throw new UsageError(`${command} needs --by NAME and --reason TEXT: the audit trail records who acted and why`);
  }

  const config = await loadServiceConfig({
    ...(values.config ? { file: values.config } : {}),
    ...(values.redis ? { flags: { redis: values.redis } } : {}),
  });
  const spool = await Spool.open(values.spool ?? config.spool.dir, { sweep: false });
  const json = values.json === true;
  const out = (text: string): void => void io.stdout.write(text.endsWith('\n') ? text : text + '\n');

  try {
    if (command === 'list') {
      const held = await listHeld(spool);
      out(json ? JSON.stringify(held) : formatList(held));
      return 0;
    }
    if (command === 'show') {
      const detail = await showHeld(spool, id!);
      out(json ? JSON.stringify(detail) : formatDetail(detail));
      return 0;
    }
    // The rest change queues: a producer connection that fails fast.
    const redis = createRedis(config.redis.url, 'producer');
    const dispatcher = new Dispatcher({ connection: redis, prefix: values.prefix ?? config.redis.queuePrefix });
    try {
      if (command === 'expire') {
        const days = values['retention-days'] !== undefined ? Number(values['retention-days']) : config.quarantine.retentionDays;
        if (!(days > 0)) throw new UsageError('--retention-days must be a positive number');
        const ids = await expireHeld(spool, dispatcher, days, { deleteMessage: values.delete === true });
        out(json ? JSON.stringify({ expired: ids }) : `expired ${ids.length} held message(s)${ids.length ? ': ' + ids.join(' ') : ''}`);
        return 0;
      }
      const review = { by: values.by!, reason: values.reason! };
      if (command === 'release') {
        const s = await releaseHeld(spool, dispatcher, id!, review);
        out(json ? JSON.stringify({ released: s.id, state: s.state }) : `released ${s.id}: queued for delivery to ${s.envelope.rcptTo.join(', ')}`);
      } else {
        const s = await discardHeld(spool, dispatcher, id!, review, { deleteMessage: values.delete === true });
        out(json ? JSON.stringify({ discarded: s.id, state: s.state }) : `discarded ${s.id}: it will not be delivered`);
      }
      return 0;
    } finally {
      await dispatcher.close();
      redis.disconnect();
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof QuarantineError) {
      io.stderr.write(`mailwarden quarantine ${command}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function age(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  return h >= 48 ? `${Math.floor(h / 24)}d` : h >= 1 ? `${h}h` : `${Math.floor(ms / 60_000)}m`;
}

function formatList(held: readonly HeldSummary[]): string {
  if (held.length === 0) return 'no held messages';
  const rows = held.map((h) => [h.id, age(h.ageMs), h.sender, h.recipients.join(','), h.rules.join(',') || '-', h.subject]);
  const head = ['ID', 'AGE', 'SENDER', 'RECIPIENTS', 'RULES', 'SUBJECT'];
  const widths = head.map((t, i) => Math.min(40, Math.max(t.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.slice(0, widths[i]).padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function formatDetail(d: HeldDetail): string {
  const s = d.sidecar;
  const lines = [
    `id:         ${s.id}`,
    `state:      ${s.state}${s.doneReason ? ` (${s.doneReason})` : ''}`,
    `received:   ${s.receivedAt}`,
    `sender:     ${s.envelope.mailFrom || '<>'}`,
    `recipients: ${s.envelope.rcptTo.join(', ')}`,
    `client:     ${s.envelope.clientAddress ?? '-'}${s.envelope.authUser ? ` (user ${s.envelope.authUser})` : ''}`,
    `size:       ${s.size} bytes, sha256 ${s.sha256}`,
    `decision:   ${s.verdict.decision}`,
    ...(s.review ? [`review:     ${s.review.action} by ${s.review.by} at ${s.review.at}: ${s.review.reason}`] : []),
    '',
    'headers:',
    ...d.headers.map((h) => `  ${h.name}: ${h.value}`),
    '',
    'findings:',
    ...(d.findings.length === 0 ? ['  none'] : []),
    ...d.findings.map(
      (f) => `  [${f.action}${f.excepted ? ', excepted' : ''}] ${f.rule} (${f.policyRef}): ${f.reason}${f.evidence.length ? `\n      evidence: ${f.evidence.join('; ')}` : ''}`,
    ),
  ];
  return lines.join('\n');
}
