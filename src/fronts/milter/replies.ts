/**
 * Every milter reply mailwarden gives at the end of a message comes from here: the custody
 * outcome in the milter's words. The texts are the relay's (the reject text is built once, in
 * src/custody/outcome.ts), so an administrator reads the same reason whichever front refused.
 */
import { rejectionText } from '../../custody/outcome.js';
import type { CustodyOutcome } from '../../custody/outcome.js';
import type { MilterReply } from './codec.js';
import { outgoingValue } from './rebuild.js';

export interface EndOfMessageInput {
  readonly outcome: CustodyOutcome;
  /** Negotiated protocol flags (leading-space handling of added headers). */
  readonly protocol: number;
  /** Occurrences of incoming X-Mailwarden-* headers: name as sent, and how many of it. */
  readonly forged: ReadonlyMap<string, number>;
}

/** Header changes first, then the one final reply, all sent in one write. */
export function endOfMessageReplies({ outcome, protocol, forged }: EndOfMessageInput): MilterReply[] {
  switch (outcome.kind) {
    case 'accepted':
      return [...headerChanges(outcome.headers, protocol, forged), { type: 'accept' }];
    case 'held':
      // Kept in our quarantine: Postfix drops its copy. Otherwise Postfix's hold queue keeps it.
      return outcome.kept
        ? [{ type: 'discard' }]
        : [...headerChanges(outcome.headers, protocol, forged), { type: 'quarantine', reason: `mailwarden: held for review ref ${outcome.ref}` }, { type: 'accept' }];
    case 'queued':
      // The milter never delivers accepted mail itself; kept for completeness of the mapping.
      return [{ type: 'accept' }];
    case 'rejected':
      return [{ type: 'replycode', text: `550 5.7.1 ${rejectionText(outcome.rejection)}` }];
    case 'refused': {
      const r = outcome.refusal;
      switch (r.kind) {
        case 'too-big':
          return [{ type: 'replycode', text: `552 5.3.4 Message too big: the limit is ${r.limit} bytes` }];
        case 'bare-line-ending':
          return [{ type: 'replycode', text: '550 5.6.0 Bare CR or LF in message data: lines must end with CRLF' }];
        case 'nul-byte':
          return [{ type: 'replycode', text: '550 5.6.0 NUL byte in message data: refused (policy inspection.nulBytes is reject)' }];
        case 'mail-loop':
          return [{ type: 'replycode', text: `554 5.4.6 Mail loop: ${r.count} Received: headers (limit ${r.limit})` }];
      }
      break;
    }
    case 'tempfail':
      return [
        {
          type: 'replycode',
          text: outcome.diskFull
            ? `452 4.3.1 Mail system full, please try again later ref ${outcome.ref}`
            : `451 4.3.0 Temporary failure, please try again later ref ${outcome.ref}`,
        },
      ];
  }
  return [{ type: 'tempfail' }];
}

/** Forged X-Mailwarden-* headers deleted (chgheader with an empty value), then ours added. */
function headerChanges(lines: readonly string[], protocol: number, forged: ReadonlyMap<string, number>): MilterReply[] {
  const out: MilterReply[] = [];
  for (const [name, count] of forged) {
    // Deleting the first occurrence renumbers the rest, so the last goes first.
    for (let index = count; index >= 1; index--) out.push({ type: 'chgheader', index, name, value: '' });
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    out.push({ type: 'addheader', name: line.slice(0, colon), value: outgoingValue(line.slice(colon + 1).trimStart(), protocol) });
  }
  return out;
}
