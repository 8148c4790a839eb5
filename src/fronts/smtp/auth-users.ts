/**
 * SMTP AUTH users: a file of `user:<hash>` lines ('#' comments and blank lines ignored), where the
 * hash is scrypt or bcrypt as src/auth/password-hash.ts describes (shared with the dashboard).
 */
import { readFile } from 'node:fs/promises';
import { hashPassword, parsePasswordHash, verifyPassword, type PasswordHash } from '../../auth/password-hash.js';

export { hashPassword };

export class AuthUsersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthUsersError';
  }
}

export class AuthUsers {
  private constructor(private readonly users: ReadonlyMap<string, PasswordHash>) {}

  static async load(file: string): Promise<AuthUsers> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new AuthUsersError(`${file}: cannot read the AUTH users file: ${(err as Error).message}`);
    }
    return AuthUsers.parse(text, file);
  }

  static parse(text: string, file = 'users'): AuthUsers {
    const users = new Map<string, PasswordHash>();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      const user = line.slice(0, colon);
      const secret = line.slice(colon + 1);
      const where = `${file}:${i + 1}`;
      if (colon <= 0) throw new AuthUsersError(`${where}: expected 'user:$scrypt$...' or 'user:$2b$...'`);
      const hash = parsePasswordHash(secret);
      if (typeof hash === 'string') throw new AuthUsersError(`${where}: ${hash}`);
      users.set(user, hash);
    });
    return new AuthUsers(users);
  }

  get size(): number {
    return this.users.size;
  }

  /** An unknown user costs a full scrypt too, so timing does not reveal user names. */
  async verify(user: string, password: string): Promise<boolean> {
    return verifyPassword(this.users.get(user), password);
  }
}
