/**
 * mailwarden's milter front (with its workers) behind a private Postfix that calls it, relaying
 * to a sink the test runs, with the reinjection listener the README gives. Shared by the interop
 * tests of the milter.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/service/service.js';
import { dropKeys, memoryLogger, sleep, testConfig, testPrefix, type Sink } from '../fronts/smtp/harness.js';
import { freeLowPort, startPostfix, type PostfixFixture } from './postfix.js';
import { readmeReinjectListener } from './readme-snippet.js';

export interface Rig {
  readonly dir: string;
  readonly configFile: string;
  readonly prefix: string;
  readonly service: RunningService;
  readonly postfix: PostfixFixture;
  readonly log: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** mailwarden (milter + workers) and a Postfix that calls it, relaying to `sink`, with a reinjection listener. */
export async function milterRig(sink: Sink, quarantine: 'custody' | 'hold', extra: Record<string, unknown> = {}, transport: 'inet' | 'unix' = 'inet'): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'mw-milter-'));
  // Postfix's smtpd (user postfix) must reach a unix socket in here: the directory may be passed through.
  if (transport === 'unix') await chmod(dir, 0o711);
  const prefix = testPrefix();
  const milterPort = await freeLowPort();
  const milter = transport === 'unix' ? `unix:${join(dir, 'milter.sock')}` : `inet:127.0.0.1:${milterPort}`;
  const reinjectPort = await freeLowPort();
  const configFile = join(dir, 'mailwarden.yaml');
  await writeFile(
    configFile,
    JSON.stringify(
      testConfig(dir, prefix, sink.port, {
        role: 'milter,worker',
        milter: { listen: milter, quarantine, reinject: `127.0.0.1:${reinjectPort}`, ...(transport === 'unix' ? { socketMode: '666' } : {}) },
        ...extra,
      }),
    ),
  );
  const { logger, lines } = memoryLogger();
  const service = await startService({ file: configFile, env: {}, logger });
  // The snippet the README gives, read from it (startPostfix takes its main.cf lines), with this test's ports.
  const postfix = await startPostfix({ relayPort: sink.port, milter, master: readmeReinjectListener(reinjectPort) });
  return {
    dir,
    configFile,
    prefix,
    service,
    postfix,
    log: lines,
    async stop() {
      await postfix.stop();
      await service.stop();
      await dropKeys(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function auditRecords(dir: string): Promise<Record<string, unknown>[]> {
  const audit = join(dir, 'audit');
  const out: Record<string, unknown>[] = [];
  for (const f of (await readdir(audit).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of (await readFile(join(audit, f), 'utf8')).split('\n')) if (line.trim()) out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

