/**
 * The real service as a child process (`mailwarden serve` through tsx), for the tests that need a
 * process to kill, signal or run twice: its JSON log lines are collected as they come.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { sleep } from '../fronts/smtp/harness.js';

export type LogLine = Record<string, unknown>;

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends SIGTERM and resolves with the exit code (SIGKILL and a failure after 20 s). */
  terminate(): Promise<number | null>;
}

/** Every child started here (and any other the test registers), for killChildren() in afterAll. */
const children: ChildProcess[] = [];

export function registerChild(child: ChildProcess): void {
  children.push(child);
}

export function killChildren(): void {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `mailwarden serve --config FILE ...args` as a child process. */
export function startServiceProcess(configFile: string, args: string[] = []): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', configFile, ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Empty values are ignored by the config loader: the file (and the flags) decide, not the caller's shell.
    env: { ...process.env, REDIS_URL: '', MAILWARDEN_ROLE: '', MAILWARDEN_LISTEN: '', MAILWARDEN_UPSTREAM: '', MAILWARDEN_LOG_LEVEL: '' },
  });
  registerChild(child);
  const lines: LogLine[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      if (!p.trim()) continue;
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        lines.push({ msg: p });
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    async waitForLog(pred, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`service log line not seen (exit code ${child.exitCode}); stderr: ${stderr.slice(-2000)}`);
        }
        await sleep(50);
      }
    },
    async terminate() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 20_000)));
      const code = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (code === 'timeout') {
        child.kill('SIGKILL');
        throw new Error('the service did not exit within 20 s of SIGTERM');
      }
      return code;
    },
  };
}
