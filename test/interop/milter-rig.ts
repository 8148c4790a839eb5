/**
 * mailwarden's milter front (with its workers) behind a private Postfix that calls it, relaying
 * to a sink the test runs, with the reinjection listener the README gives. Shared by the interop
 * tests of the milter.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/service/service.js';
import { dropKeys, memoryLogger, sleep, testConfig, testPrefix, type Sink } from '../fronts/smtp/harness.js';
import { freeLowPort, startPostfix, type PostfixFixture } from './postfix.js';

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
export async function milterRig(sink: Sink, quarantine: 'custody' | 'hold', extra: Record<string, unknown> = {}): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'mw-milter-'));
  const prefix = testPrefix();
  const milterPort = await freeLowPort();
  const reinjectPort = await freeLowPort();
  const configFile = join(dir, 'mailwarden.yaml');
  await writeFile(
    configFile,
    JSON.stringify(
      testConfig(dir, prefix, sink.port, {
        role: 'milter,worker',
        milter: { listen: `inet:127.0.0.1:${milterPort}`, quarantine, reinject: `127.0.0.1:${reinjectPort}` },
        ...extra,
      }),
    ),
  );
  const { logger, lines } = memoryLogger();
  const service = await startService({ file: configFile, env: {}, logger });
  // The snippet the README gives, with this test's ports.
  const postfix = await startPostfix({
    relayPort: sink.port,
    milter: `inet:127.0.0.1:${milterPort}`,
    main: { non_smtpd_milters: `inet:127.0.0.1:${milterPort}`, milter_mail_macros: 'i {auth_authen} {auth_type} {mail_addr}' },
    master: [`127.0.0.1:${reinjectPort} inet n - n - - smtpd`, '  -o smtpd_milters=', '  -o non_smtpd_milters='],
  });
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

