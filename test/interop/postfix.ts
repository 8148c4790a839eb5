/**
 * A private Postfix instance as a test fixture (the recipe in ../shared/postfix-test-fixture.md):
 * its own config and queue under a temp dir, loopback only, no DNS, relaying everything to a
 * sink the test runs, and optionally calling a milter. Needs root and Debian's postfix package.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readmeMainCf } from './readme-snippet.js';

const run = promisify(execFile);

export interface PostfixOptions {
  /** The sink Postfix relays to. */
  readonly relayPort: number;
  /** `inet:127.0.0.1:PORT` or `unix:/path`, called with README.md's main.cf lines; none for Postfix alone. */
  readonly milter?: string;
  /** More main.cf lines (name = value). */
  readonly main?: Readonly<Record<string, string>>;
  /** Extra master.cf lines (a reinjection listener, say). */
  readonly master?: readonly string[];
}

export interface PostfixFixture {
  readonly dir: string;
  readonly port: number;
  /** The queue as postqueue -j lists it. */
  queue(): Promise<{ queue_id: string; queue_name: string }[]>;
  log(): Promise<string>;
  /** Releases a held message and has it delivered now. */
  releaseHeld(queueId: string): Promise<void>;
  stop(): Promise<void>;
}

const MASTER = `pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n -  0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n -  - trivial-rewrite
bounce     unix  - - n -  0 bounce
defer      unix  - - n -  0 bounce
trace      unix  - - n -  0 bounce
verify     unix  - - n -  1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -  - proxymap
proxywrite unix  - - n -  1 proxymap
smtp       unix  - - n -  - smtp
relay      unix  - - n -  - smtp
showq      unix  n - n -  - showq
error      unix  - - n -  - error
retry      unix  - - n -  - error
discard    unix  - - n -  - discard
anvil      unix  - - n -  1 anvil
scache     unix  - - n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
`;

/** A free port below the ephemeral range (Postfix must bind it itself). */
export async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port found for Postfix');
}

export async function startPostfix(opts: PostfixOptions): Promise<PostfixFixture> {
  if (process.getuid?.() !== 0) throw new Error('the Postfix interop tests need root (postfix refuses to start otherwise)');
  const dir = await mkdtemp(join(tmpdir(), 'mw-postfix-'));
  await chmod(dir, 0o755);
  for (const d of ['etc', 'queue', 'data']) await mkdir(join(dir, d));
  const { stdout: ids } = await run('id', ['-u', 'postfix']);
  const { stdout: gids } = await run('id', ['-g', 'postfix']);
  await chown(join(dir, 'data'), Number(ids.trim()), Number(gids.trim()));
  const port = await freeLowPort();
  const main: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    myhostname: 'mx.mailwarden.test',
    mydomain: 'mailwarden.test',
    myorigin: '$myhostname',
    mydestination: '',
    local_recipient_maps: '',
    local_transport: 'error:local delivery disabled',
    alias_maps: '',
    alias_database: '',
    inet_interfaces: 'loopback-only',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject_unauth_destination',
    relayhost: `[127.0.0.1]:${opts.relayPort}`,
    smtp_dns_support_level: 'disabled',
    smtp_tls_security_level: 'none',
    smtpd_tls_security_level: 'none',
    biff: 'no',
    maillog_file: join(dir, 'maillog'),
    maillog_file_prefixes: dir,
    message_size_limit: String(64 * 1024 * 1024),
    // With a milter: the main.cf lines README.md gives, read from it.
    ...(opts.milter ? readmeMainCf(opts.milter) : {}),
    ...opts.main,
  };
  await writeFile(join(dir, 'etc', 'main.cf'), Object.entries(main).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  await writeFile(join(dir, 'etc', 'master.cf'), `127.0.0.1:${port} inet n - n - - smtpd\n${MASTER}${(opts.master ?? []).join('\n')}\n`);
  const conf = join(dir, 'etc');
  try {
    await run('postfix', ['-c', conf, 'start']);
  } catch (err) {
    const log = await readFile(join(dir, 'maillog'), 'utf8').catch(() => '(no maillog)');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`postfix did not start: ${(err as Error).message}\n${log}`);
  }
  return {
    dir,
    port,
    async queue() {
      const { stdout } = await run('postqueue', ['-c', conf, '-j']);
      return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { queue_id: string; queue_name: string });
    },
    log: () => readFile(join(dir, 'maillog'), 'utf8').catch(() => ''),
    async releaseHeld(queueId: string) {
      await run('postsuper', ['-c', conf, '-H', queueId]);
      await run('postqueue', ['-c', conf, '-i', queueId]);
    },
    async stop() {
      const pid = Number((await readFile(join(dir, 'queue', 'pid', 'master.pid'), 'utf8').catch(() => '0')).trim());
      await run('postfix', ['-c', conf, 'stop']).catch(() => undefined);
      for (let i = 0; i < 100 && pid > 0; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
