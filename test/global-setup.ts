/**
 * The tests talk to a real Redis on 127.0.0.1:6379. On a machine where none answers but
 * redis-server is installed, start a throw-away one (no persistence) for the run, so that
 * `npm test` alone is enough.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

let child: ChildProcess | null = null;

/**
 * The interop tests (test/interop/) run a private Postfix from Debian's package. On a machine
 * without it, install it the way ../shared/postfix-test-fixture.md does ("No configuration": no
 * system instance is set up or started), so that `npm test` alone is enough. Needs root.
 */
function ensurePostfix(): void {
  if (existsSync('/usr/sbin/postfix') && existsSync('/usr/sbin/smtp-source')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('the interop tests need Postfix: run as root once, or install it: apt-get install -y --no-install-recommends postfix (choose "No configuration")');
  }
  console.log('test setup: installing Debian\'s postfix package ("No configuration") for the interop tests');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execSync('echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections', { stdio: 'inherit', env });
  execSync('apt-get update -qq && apt-get install -y -qq --no-install-recommends postfix', { stdio: 'inherit', env });
}

/**
 * The dashboard's browser test drives Debian's chromium through playwright-core (no browser of
 * its own is downloaded). Installed like Postfix when missing, as root.
 */
function ensureChromium(): void {
  if (process.env.CHROMIUM_PATH || existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) throw new Error('the dashboard browser test needs chromium: apt-get install -y chromium (or set CHROMIUM_PATH)');
  console.log("test setup: installing Debian's chromium for the dashboard browser test");
  execSync('apt-get update -qq && apt-get install -y -qq chromium', { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export async function setup(): Promise<void> {
  ensurePostfix();
  ensureChromium();
  if (await redisAnswers()) return;
  child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  child.once('error', () => undefined);
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the tests need Redis on 127.0.0.1:6379: none answers and redis-server could not be started (apt-get install redis-server)');
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
}
