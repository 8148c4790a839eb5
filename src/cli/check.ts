/**
 * `mailwarden check [--json] [--config FILE] [--from ADDR] [--to ADDR]... FILE.eml|-`
 * Exit 0 whatever the decision; 3 when inspection ran past inspection.timeoutMs (no verdict,
 * as the relay answers 451); 1 for config or I/O errors; 2 for usage errors.
 * The message takes the intake every front takes (src/intake/): the same bytes get the same verdict.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Policy } from '../config/policy-schema.js';
import { defaultPolicyPath, loadPolicy } from '../config/load-policy.js';
import { envelopeFromHeaders, inspect, InspectionTimeout, type CheckErrorListener, type InspectionResult } from '../inspect.js';
import type { Envelope } from '../message/envelope.js';
import type { Check } from '../policy/check.js';
import { readArgs, UsageError } from './args.js';
import { toJsonReport, toTextReport } from './report.js';

const HELP = `usage: mailwarden check [--json] [--config FILE] [--from ADDR] [--to ADDR]... FILE.eml|-

Inspects one message and prints the decision and every finding with its rule and policy clause.
Without --from/--to the envelope comes from the headers (From; To, Cc, Bcc).
  --json          one JSON object instead of text
  --config FILE   policy file (default config/policy.yaml)
  --from ADDR     envelope sender (MAIL FROM); '' or '<>' for the null sender
  --to ADDR       envelope recipient (RCPT TO), repeatable

Exit status: 0 a decision was printed (accept, quarantine or reject alike); 1 the policy or
the file could not be read; 2 usage error; 3 no verdict within inspection.timeoutMs (the relay
would answer 451 4.3.0 and the sender retry). A check that fails is reported on stderr with its
stack; its finding holds the message for review.`;

/** Exit status when inspection ran past its time limit. */
export const EXIT_TIMEOUT = 3;

export interface CheckTarget {
  readonly from?: string | undefined;
  readonly to?: readonly string[] | undefined;
}

export interface CheckOptions {
  /** Told about a check that threw (`mailwarden check` prints it on stderr). */
  readonly onCheckError?: CheckErrorListener;
  /** The checks to run (default: every registered check). A test seam. */
  readonly checks?: readonly Check[];
}

/** The one code path behind `mailwarden check`, `replay` and the manifest test. */
export async function checkMessage(source: Readable, policy: Policy, target: CheckTarget = {}, options: CheckOptions = {}): Promise<InspectionResult> {
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
  return inspect(envelope, source, policy, options);
}

export async function checkFile(file: string, policy: Policy, target: CheckTarget = {}, options: CheckOptions = {}): Promise<InspectionResult> {
  if (file !== '-') {
    try {
      await access(file);
    } catch {
      throw new Error(`cannot read '${file}': no such file or not readable`);
    }
  }
  const source = file === '-' ? process.stdin : createReadStream(file);
  return checkMessage(source, policy, target, options);
}

/** The operator's line for a check that threw: which rule, on what, and the stack. */
export function checkErrorText(rule: string, ref: string, err: unknown): string {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return `mailwarden check: the ${rule} check failed on ${ref}; its finding holds the message for review\n${detail}\n`;
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
  const file = positionals[0]!;
  const policy = await loadPolicy(values.config ?? defaultPolicyPath());
  let result: InspectionResult;
  try {
    result = await checkFile(file, policy, { from: values.from, to: values.to }, {
      onCheckError: (rule, err) => process.stderr.write(checkErrorText(rule, file === '-' ? 'standard input' : file, err)),
    });
  } catch (err) {
    if (!(err instanceof InspectionTimeout)) throw err;
    process.stderr.write(
      `mailwarden check: no verdict for ${file === '-' ? 'standard input' : file}: inspection ran past ${err.limitMs} ms (inspection.timeoutMs in ${policy.source || 'the policy'}); the relay would answer 451 4.3.0 and the sender retry\n`,
    );
    return EXIT_TIMEOUT;
  }
  process.stdout.write((values.json ? JSON.stringify(toJsonReport(result), null, 2) : toTextReport(result)) + '\n');
  return 0;
}
