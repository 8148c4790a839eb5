/**
 * `mailwarden user add|list|remove|passwd`: the dashboard's users file (dashboard.usersFile).
 * The password is asked on the terminal (twice, not echoed) or, when stdin is not a terminal,
 * read from its first line, for scripts: `printf '%s\n' "$PW" | mailwarden user add ann --role reviewer`.
 * Exit codes: 0 done, 1 the operation failed (unknown user, bad file), 2 usage.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { hashPassword } from '../auth/password-hash.js';
import { checkUserName, readUsersFile, ROLES, UsersFileError, writeUsersFile, type DashboardRole } from '../auth/users-file.js';
import { loadServiceConfig } from '../config/load-service.js';
import { readArgs, UsageError } from './args.js';

const HELP = `usage: mailwarden user add NAME --role viewer|reviewer|admin
       mailwarden user passwd NAME
       mailwarden user remove NAME
       mailwarden user list [--json]

Edits the dashboard's users file (dashboard.usersFile, default var/dashboard-users).
Roles: viewer reads everything; reviewer also releases and discards held mail; admin also acts
on queue jobs. The password is asked twice on a terminal, or read from the first line of stdin.
  --role ROLE     the user's role (add; also changes an existing user's role with passwd)
  --file FILE     users file (default: dashboard.usersFile of the service config)
  --config FILE   service config (default config/mailwarden.yaml)
  --json          machine-readable list`;

export interface UserCliIo {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable;
}

const MIN_PASSWORD = 10;

export async function run(argv: string[], io: UserCliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values, positionals } = readArgs(argv, {
    role: { type: 'string' },
    file: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(HELP + '\n');
    return 0;
  }
  const [command, name, ...extra] = positionals;
  if (!command || !['add', 'list', 'remove', 'passwd'].includes(command)) throw new UsageError(`expected add, list, remove or passwd\n\n${HELP}`);
  if (command !== 'list' && !name) throw new UsageError(`${command} needs a user name`);
  if ((command === 'list' && name) || extra.length > 0) throw new UsageError(`unexpected argument '${command === 'list' ? name : extra[0]}'`);
  if (values.role !== undefined && !(ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role must be viewer, reviewer or admin`);
  if (command === 'add' && !values.role) throw new UsageError('add needs --role viewer|reviewer|admin');
  if (name) {
    const bad = checkUserName(name);
    if (bad) throw new UsageError(bad);
  }

  const file = values.file ?? (await loadServiceConfig(values.config ? { file: values.config } : {})).dashboard.usersFile;
  const out = (text: string) => void io.stdout.write(text + '\n');
  try {
    const users = await readUsersFile(file);
    const index = users.findIndex((u) => u.name === name);
    if (command === 'list') {
      const rows = users.map((u) => ({ name: u.name, role: u.role }));
      out(values.json ? JSON.stringify(rows) : rows.length ? rows.map((r) => `${r.name.padEnd(24)} ${r.role}`).join('\n') : `no users in ${file}`);
      return 0;
    }
    if (command === 'remove') {
      if (index < 0) return fail(io, `no user '${name}' in ${file}`);
      users.splice(index, 1);
      await writeUsersFile(file, users);
      out(`removed ${name}`);
      return 0;
    }
    if (command === 'add' && index >= 0) return fail(io, `user '${name}' exists in ${file}: use 'mailwarden user passwd ${name}'`);
    if (command === 'passwd' && index < 0) return fail(io, `no user '${name}' in ${file}: use 'mailwarden user add ${name} --role ROLE'`);
    const password = await readPassword(io);
    if (password.length < MIN_PASSWORD) return fail(io, `the password must be at least ${MIN_PASSWORD} characters`);
    const hashText = await hashPassword(password);
    const role = (values.role ?? users[index]?.role) as DashboardRole;
    const user = { name: name!, role, hashText };
    if (index >= 0) users[index] = user;
    else users.push(user);
    await writeUsersFile(file, users);
    out(`${command === 'add' ? 'added' : 'changed the password of'} ${name} (${role}) in ${file}`);
    return 0;
  } catch (err) {
    if (err instanceof UsersFileError || err instanceof PasswordInputError) return fail(io, err.message);
    throw err;
  }
}

function fail(io: UserCliIo, message: string): number {
  io.stderr.write(`mailwarden user: ${message}\n`);
  return 1;
}

class PasswordInputError extends Error {}

async function readPassword(io: UserCliIo): Promise<string> {
  if (!io.stdin.isTTY) {
    let text = '';
    for await (const chunk of io.stdin) {
      text += String(chunk);
      if (text.includes('\n') || text.length > 4096) break;
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  const first = await askHidden(io, 'password: ');
  const second = await askHidden(io, 'again: ');
  if (first !== second) throw new PasswordInputError('the two passwords differ');
  return first;
}

/** A prompt whose answer is not echoed. */
function askHidden(io: UserCliIo, prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
    const mutable = rl as unknown as { _writeToOutput: (s: string) => void };
    io.stderr.write(prompt);
    mutable._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
  });
}
