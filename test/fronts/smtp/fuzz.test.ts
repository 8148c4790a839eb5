/**
 * Broken and hostile clients against the real service, seeded so a failure replays: binary noise
 * instead of SMTP, overlong command lines, junk pipelined, mangled MIME (random boundaries and
 * nesting, broken base64, NUL bytes, huge header lines), and clients that vanish mid-DATA. The
 * service must answer every finished transaction with a deliberate reply (never a 451 from an
 * internal fault), keep nothing of the abandoned ones, and still relay a normal message after.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainMessage, RawSmtp, sleep, spoolFiles, startRelay, startSink, type Relay, type Sink } from './harness.js';

let sink: Sink;
let relay: Relay;

beforeAll(async () => {
  sink = await startSink();
  relay = await startRelay(sink.port);
});

afterAll(async () => {
  await relay?.stop();
  await sink?.close();
});

function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

/** Some MIME-shaped garbage: what a broken or hostile client might send as a message. */
function mangledMessage(rnd: (n: number) => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const boundary = pick(['b1', 'b1 ', '', '--', 'a"b', 'x'.repeat(200)]);
  const lines = ['From: alex.smith@met.police.uk', 'To: partner@example.com', `Subject: fuzz ${rnd(1e6)}`, 'MIME-Version: 1.0'];
  lines.push(pick([`Content-Type: multipart/mixed; boundary="${boundary}"`, `Content-Type: multipart/mixed; boundary=${boundary}`, 'Content-Type: multipart/mixed', 'Content-Type: text/plain; charset=x-unknown']));
  if (rnd(4) === 0) lines.push(`X-Long: ${'h'.repeat(20_000 + rnd(100_000))}`);
  if (rnd(4) === 0) lines.push('Content-Transfer-Encoding: base64');
  lines.push('');
  const parts = 1 + rnd(6);
  for (let i = 0; i < parts; i++) {
    lines.push(`--${pick([boundary, boundary + 'x', 'b2'])}`);
    lines.push(pick(['Content-Type: application/octet-stream; name="a.exe"', 'Content-Type: application/zip', 'Content-Type: multipart/mixed; boundary="b2"', 'Content-Type: message/rfc822', 'Content-Type: text/html']));
    lines.push(pick(['Content-Transfer-Encoding: base64', 'Content-Transfer-Encoding: quoted-printable', 'Content-Transfer-Encoding: x-uuencode', '']));
    lines.push('');
    const body = Buffer.alloc(rnd(3000));
    for (let j = 0; j < body.length; j++) body[j] = rnd(4) === 0 ? rnd(256) : 0x41 + rnd(26);
    lines.push(rnd(2) ? body.toString('base64') : body.toString('latin1'), pick(['=ZZ', '====', 'PK\u0003\u0004', '\u0000\u0000', '<script>x</script>']));
  }
  if (rnd(2)) lines.push(`--${boundary}--`);
  // No line may be a lone dot (that would end DATA): the client dot-stuffs.
  return Buffer.from(lines.join('\r\n').replace(/(^|\r\n)\./g, '$1..') + '\r\n', 'latin1');
}

function rawSession(port: number, bytes: Buffer, closeAfterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', () => resolve());
    s.on('connect', () => {
      s.write(bytes);
      setTimeout(() => {
        s.destroy();
        resolve();
      }, closeAfterMs);
    });
    s.on('close', () => resolve());
  });
}

describe('hostile and broken clients', () => {
  it('answers every finished transaction deliberately, keeps nothing of the abandoned ones, and stays up', async () => {
    const codes = new Map<number, number>();
    let finished = 0;
    const one = async (k: number) => {
      const rnd = random(20261123 + k); // each session its own sequence: a failure replays
      const kind = k % 4;
      if (kind === 0) {
        // Not SMTP at all: binary noise, or a command line far past any limit.
        const noise = Buffer.alloc(100 + rnd(50_000));
        for (let i = 0; i < noise.length; i++) noise[i] = rnd(256);
        await rawSession(relay.port, rnd(2) ? noise : Buffer.from(`EHLO ${'x'.repeat(100_000)}\r\n`), 50 + rnd(200));
        return;
      }
      const { client } = await RawSmtp.open(relay.port);
      try {
        if (kind === 1) {
          // Junk pipelined between valid commands.
          client.socket.write('EHLO fuzz.test\r\nMAIL FROM:<<>>\r\nRCPT TO:\r\nDATA\r\n\u0000\u0001\r\nNOOP\r\nRSET\r\n');
          await sleep(50);
          return;
        }
        const env = await client.envelope('alex.smith@met.police.uk', ['partner@example.com']);
        if (env.some((r) => r.code >= 400)) return;
        const message = mangledMessage(rnd);
        if (kind === 2) {
          // Vanish mid-DATA.
          expect((await client.cmd('DATA')).code).toBe(354);
          client.socket.write(message.subarray(0, rnd(message.length)));
          await sleep(rnd(30));
          return;
        }
        const reply = await client.data(message);
        codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
        finished++;
      } finally {
        client.close();
      }
    };
    const total = 160;
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < total) await one(next++);
      }),
    );

    expect(finished).toBeGreaterThan(20);
    // Each one decided and logged: mangled mail is held as malformed or refused, never lost.
    const decided = relay.log.filter((l) => l.msg === 'smtp transaction' && typeof l.decision === 'string');
    expect(decided).toHaveLength(finished);
    // Deliberate answers only: accepted or held (250), refused by policy (550), too big or loop (552/554).
    for (const code of codes.keys()) expect([250, 550, 552, 554]).toContain(code);
    expect(relay.log.filter((l) => l.msg === 'smtp transaction failed' || l.msg === 'smtp transaction crashed')).toEqual([]);

    // Still serving, and delivering.
    const { client } = await RawSmtp.open(relay.port);
    const reply = await client.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'after-fuzz-1' }));
    client.close();
    expect(reply.code).toBe(250);
    const deadline = Date.now() + 15_000;
    while (!sink.messages.some((m) => m.raw.includes('after-fuzz-1')) && Date.now() < deadline) await sleep(50);
    expect(sink.messages.some((m) => m.raw.includes('after-fuzz-1'))).toBe(true);
    // The abandoned transactions left no temp files behind.
    await sleep(300);
    expect(await spoolFiles(join(relay.dir, 'spool'), 'tmp')).toEqual([]);
  }, 60_000);
});
