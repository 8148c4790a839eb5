/**
 * `mailwarden check [--json] [--config FILE] [--from ADDR] [--to ADDR]... FILE.eml|-`
 * Exit 0 whatever the decision; non-zero only for usage, config or I/O errors.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Policy } from '../config/policy-schema.js';
import { defaultPolicyPath, loadPolicy } from '../config/load-policy.js';
import { envelopeFromHeaders, inspect, type InspectionResult } from '../inspect.js';
import type { Envelope } from '../message/envelope.js';
import { readArgs, UsageError } from './args.js';
import { toJsonReport, toTextReport } from './report.js';

const HELP = `usage: mailwarden check [--json] [--config FILE] [--from ADDR] [--to ADDR]... FILE.eml|-

Inspects one message and prints the decision and every finding with its rule and policy clause.
Without --from/--to the envelope comes from the headers (From; To, Cc, Bcc).
  --json          one JSON object instead of text
  --config FILE   policy file (default config/policy.yaml)
  --from ADDR     envelope sender (MAIL FROM); '' or '<>' for the null sender
  --to ADDR       envelope recipient (RCPT TO), repeatable`;

export interface CheckTarget {
  readonly from?: string | undefined;
  readonly to?: readonly string[] | undefined;
}

/** The one code path behind `mailwarden check`, `replay` and the manifest test. */
export async function checkMessage(source: Readable, policy: Policy, target: CheckTarget = {}): Promise<InspectionResult> {
  const given = target.from !== undefined || (target.to?.length ?? 0) > 0;
  const envelope = given
    ? (message: Parameters<typeof envelopeFromHeaders>[0]): Envelope => {
        const fromHeaders = envelopeFromHeaders(message);
        return {
          mailFrom: target.from === undefined ? fromHeaders.mailFrom : target.from.replace(/^<>$/, ''),
          rcptTo: target.to && target.to.length > 0 ? [...target.to] : fromHeaders.rcptTo,
        };
      }
    : envelopeFromHeaders;
  return inspect(envelope, source, policy);
}

export async function checkFile(file: string, policy: Policy, target: CheckTarget = {}): Promise<InspectionResult> {
  if (file !== '-') {
    try {
      await access(file);
    } catch {
      throw new Error(`cannot read '${file}': no such file or not readable`);
    }
  }
  const source = file === '-' ? process.stdin : createReadStream(file);
  return checkMessage(source, policy, target);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = readArgs(argv, {
    json: { type: 'boolean', default: false },
    config: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one FILE.eml or '-'\n\n${HELP}`);
  const policy = await loadPolicy(values.config ?? defaultPolicyPath());
  const result = await checkFile(positionals[0]!, policy, { from: values.from, to: values.to });
  process.stdout.write((values.json ? JSON.stringify(toJsonReport(result), null, 2) : toTextReport(result)) + '\n');
  return 0;
}
