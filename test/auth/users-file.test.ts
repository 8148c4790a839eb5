import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, verifyPassword } from '../../src/auth/password-hash.js';
import { parseUsersFile, roleAtLeast, UsersFileError, UsersStore } from '../../src/auth/users-file.js';
import { run } from '../../src/cli/user.js';

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

async function cli(argv: string[], stdinText = ''): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const stdout = sink();
  const stderr = sink();
  const code = await run(argv, { stdin, stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

describe('password hashes (shared by SMTP AUTH and the dashboard)', () => {
  it('verifies what hashPassword made, and nothing else', async () => {
    const h = parsePasswordHash(await hashPassword('correct horse'));
    expect(typeof h).toBe('object');
    expect(await verifyPassword(h as never, 'correct horse')).toBe(true);
    expect(await verifyPassword(h as never, 'correct horsE')).toBe(false);
    expect(await verifyPassword(undefined, 'correct horse')).toBe(false);
  });
});

describe('dashboard users file', () => {
  it('parses name:role:hash and refuses bad roles, names and duplicates with the line', async () => {
    const h = await hashPassword('pw-for-tests-1');
    expect(parseUsersFile(`# c\nann:reviewer:${h}\n`).map((u) => [u.name, u.role])).toEqual([['ann', 'reviewer']]);
    expect(() => parseUsersFile(`ann:boss:${h}`, 'f')).toThrow(/f:1: role must be viewer, reviewer or admin/);
    expect(() => parseUsersFile(`a n:viewer:${h}`, 'f')).toThrow(UsersFileError);
    expect(() => parseUsersFile(`ann:viewer:${h}\nann:admin:${h}`, 'f')).toThrow(/f:2: user 'ann' appears twice/);
    expect(() => parseUsersFile(`ann:viewer:plain`, 'f')).toThrow(/f:1: expected '\$scrypt\$/);
  });

  it('orders roles viewer < reviewer < admin', () => {
    expect(roleAtLeast('admin', 'reviewer')).toBe(true);
    expect(roleAtLeast('reviewer', 'reviewer')).toBe(true);
    expect(roleAtLeast('viewer', 'reviewer')).toBe(false);
    expect(roleAtLeast('reviewer', 'admin')).toBe(false);
  });
});

describe('mailwarden user', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mw-users-'));
    file = join(dir, 'users');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('adds with the password from stdin, lists, changes the password, removes', async () => {
    expect((await cli(['add', 'ann', '--role', 'reviewer', '--file', file], 'first-password\n')).code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const store = new UsersStore(file);
    expect((await store.verify('ann', 'first-password'))?.role).toBe('reviewer');
    expect(await store.verify('ann', 'wrong-password')).toBeNull();

    expect(JSON.parse((await cli(['list', '--json', '--file', file])).out)).toEqual([{ name: 'ann', role: 'reviewer' }]);
    expect((await cli(['add', 'ann', '--role', 'admin', '--file', file], 'xxxxxxxxxxxx\n')).code).toBe(1);

    expect((await cli(['passwd', 'ann', '--file', file], 'second-password\n')).code).toBe(0);
    expect(await store.verify('ann', 'first-password')).toBeNull();
    expect((await store.verify('ann', 'second-password'))?.name).toBe('ann');

    expect((await cli(['remove', 'ann', '--file', file])).code).toBe(0);
    expect(await store.get('ann')).toBeNull();
    expect((await cli(['remove', 'ann', '--file', file])).err).toMatch(/no user 'ann'/);
  });

  it('refuses a short password, an unknown role and a bad name', async () => {
    const short = await cli(['add', 'bob', '--role', 'viewer', '--file', file], 'short\n');
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/at least 10 characters/);
    await expect(cli(['add', 'bob', '--role', 'owner', '--file', file], 'long-enough-pw\n')).rejects.toThrow(/--role must be/);
    await expect(cli(['add', 'bo:b', '--role', 'viewer', '--file', file], 'long-enough-pw\n')).rejects.toThrow(/user name must be/);
  });

  it('a users file written by hand is read back the same way', async () => {
    await writeFile(file, `carol:admin:${await hashPassword('carols-password')}\n`);
    expect((await new UsersStore(file).verify('carol', 'carols-password'))?.role).toBe('admin');
    expect(await readFile(file, 'utf8')).toMatch(/^carol:admin:\$scrypt\$/);
  });
});
