/**
 * The tests talk to a real Redis on 127.0.0.1:6379. On a machine where none answers but
 * redis-server is installed, start a throw-away one (no persistence) for the run, so that
 * `npm test` alone is enough.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

export async function setup(): Promise<void> {
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
