/**
 * The greeting delay patch (src/fronts/smtp/greeting-delay.ts) on a real smtp-server: it is in
 * effect on the installed version, a client given no delay is greeted at once, and a client given a delay who talks before the greeting is still refused.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { greetingDelayPatch, type GreetingDelay } from '../../../src/fronts/smtp/greeting-delay.js';
import { startRelay, startSink } from './harness.js';

let server: SMTPServer;
let port: number;
const delays = new Map<string, number>([['127.0.0.1', 0], ['127.0.0.2', 400]]);

beforeAll(async () => {
  const greetingDelayMs: GreetingDelay = (address) => delays.get(address.replace(/^::ffff:/, '')) ?? 100;
  server = new SMTPServer({ logger: false, disableReverseLookup: true, authOptional: true, greetingDelayMs } as SMTPServerOptions);
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
  port = (server.server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Connects from `local`, optionally sends EHLO at once, and returns what came back first, with timings. */
function session(local: string, talkEarly: boolean, to = port): Promise<{ greetingMs: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let greetingMs = -1;
    let text = '';
    const socket = connect({ host: to === port ? local : '127.0.0.1', port: to, localAddress: local });
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      if (talkEarly) socket.write('EHLO early.example\r\n');
    });
    socket.on('data', (d: string) => {
      if (greetingMs < 0) greetingMs = Date.now() - started;
      text += d;
      if (!talkEarly && /^220 /m.test(text)) socket.write('EHLO late.example\r\n');
      if (/^(250 |421 )/m.test(text)) {
        socket.end('QUIT\r\n');
        resolve({ greetingMs, lines: text.split('\r\n').filter(Boolean) });
      }
    });
    socket.once('error', reject);
  });
}

describe('greeting delay', () => {
  it('is in effect on the installed smtp-server', () => {
    expect(greetingDelayPatch.reason).toBeNull();
    expect(greetingDelayPatch.active).toBe(true);
  });

  it('greets a client with no delay at once: faster than smtp-server\'s fixed 100 ms could', async () => {
    // Without the patch no greeting can come before 100 ms; the best of five rules out a slow moment.
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await session('127.0.0.1', false);
      expect(s.lines[0]).toMatch(/^220 /);
      expect(s.lines.some((l) => /^250[ -]/.test(l))).toBe(true);
      times.push(s.greetingMs);
    }
    expect(Math.min(...times)).toBeLessThan(100);
  });

  it('keeps early-talker detection for a client given a delay', async () => {
    const early = await session('127.0.0.2', true);
    expect(early.lines.join('\n')).toMatch(/421 .*You talk too soon/);
    const patient = await session('127.0.0.2', false);
    expect(patient.greetingMs).toBeGreaterThanOrEqual(390);
    expect(patient.lines.some((l) => /^250[ -]/.test(l))).toBe(true);
  });

  it('in the relay: greets relayNetworks at once and keeps early-talker detection for others', async () => {
    const sink = await startSink();
    const relay = await startRelay(sink.port, { smtp: { relayNetworks: ['127.0.0.1/32'] } });
    try {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push((await session('127.0.0.1', false, relay.port)).greetingMs);
      expect(Math.min(...times)).toBeLessThan(100);
      const outsider = await session('127.0.0.2', true, relay.port);
      expect(outsider.lines.join('\n')).toMatch(/421 .*You talk too soon/);
    } finally {
      await relay.stop();
      await sink.close();
    }
  });
});
