/**
 * Session dialogs kept as test data (dialogs/*.dialog): `>` lines are what the MTA sends, `<`
 * lines the replies expected, in order, before the next `>` line is sent. `< closed` means the
 * session hung up there. Comments start with `#`.
 *
 *   > O 6 0x1ff 0x1fffff                 option negotiation: version, actions, protocol
 *   > D C j=mx.test _="localhost [127.0.0.1]"   macros for a stage
 *   > C localhost 4 41234 127.0.0.1      connect: host, family (4 6 L U), port, address
 *   > H client.example.org   > M <a@x> SIZE=60   > R <b@x>   > T   > N   > E   > A   > Q   > K
 *   > L Subject " hello"                 a header: name, value as a JSON string
 *   > B "line\r\n"                       a body chunk, a JSON string (latin1)
 *   > U "HELP"                           an unknown SMTP command
 *   > raw 0000000142                     bytes in hex, as they are
 */
import type { MilterCommand } from '../../../src/fronts/milter/codec.js';
import { encodeCommand } from './mta.js';

export interface DialogStep {
  readonly line: number;
  readonly send: Buffer;
  readonly text: string;
  readonly expect: string[];
}

const TOKEN = /(?:[^\s"]*)"(?:[^"\\]|\\.)*"|\S+/g;

function unquote(token: string): string {
  return token.startsWith('"') ? (JSON.parse(token) as string) : token;
}

function keyValue(token: string): [string, string] {
  const eq = token.indexOf('=');
  if (eq < 0) throw new Error(`macro '${token}' has no '='`);
  return [token.slice(0, eq).replace(/^\{|\}$/g, ''), unquote(token.slice(eq + 1))];
}

const FAMILY = { '4': 'inet', '6': 'inet6', L: 'unix', U: 'unknown' } as const;

function command(words: string[], line: number): Buffer {
  const [code, ...rest] = words;
  const c = ((): MilterCommand | Buffer => {
    switch (code) {
      case 'O':
        return { type: 'optneg', version: Number(rest[0]), actions: Number(rest[1]), protocol: Number(rest[2]) };
      case 'D':
        return { type: 'macro', stage: rest[0]!, macros: new Map(rest.slice(1).map(keyValue)) };
      case 'C':
        return { type: 'connect', hostname: rest[0]!, family: FAMILY[rest[1] as keyof typeof FAMILY], port: Number(rest[2] ?? 0), address: rest[3] ?? '' };
      case 'H':
        return { type: 'helo', name: rest[0] ?? '' };
      case 'M':
      case 'R':
        return { type: code === 'M' ? 'mail' : 'rcpt', address: rest[0]!, args: rest.slice(1) };
      case 'T':
        return { type: 'data' };
      case 'L':
        return { type: 'header', name: rest[0]!, value: unquote(rest[1] ?? '""') };
      case 'N':
        return { type: 'eoh' };
      case 'B':
        return { type: 'body', chunk: Buffer.from(unquote(rest[0]!), 'latin1') };
      case 'E':
        return { type: 'eob', chunk: Buffer.alloc(0) };
      case 'A':
        return { type: 'abort' };
      case 'Q':
        return { type: 'quit' };
      case 'K':
        return { type: 'quit-nc' };
      case 'U':
        return { type: 'unknown', line: unquote(rest[0]!) };
      case 'raw':
        return Buffer.from(rest.join(''), 'hex');
      default:
        throw new Error(`dialog line ${line}: unknown command '${code}'`);
    }
  })();
  return Buffer.isBuffer(c) ? c : encodeCommand(c);
}

export function parseDialog(text: string): DialogStep[] {
  const steps: { line: number; send: Buffer; text: string; expect: string[] }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('>')) {
      const words = (line.slice(1).trim().match(TOKEN) ?? []) as string[];
      steps.push({ line: i + 1, send: command(words, i + 1), text: line, expect: [] });
    } else if (line.startsWith('<')) {
      const last = steps[steps.length - 1];
      if (!last) throw new Error(`dialog line ${i + 1}: a reply before anything was sent`);
      last.expect.push(line.slice(1).trim());
    } else {
      throw new Error(`dialog line ${i + 1}: starts with neither '>' nor '<'`);
    }
  });
  return steps;
}
