/**
 * SMTP AUTH users: a file of `user:$scrypt$N=16384,r=8,p=1$<salt base64>$<hash base64>` lines
 * ('#' comments and blank lines ignored). scrypt from node:crypto, so no native module is needed.
 * bcrypt lines (`$2b$...`) are refused at load with a message saying how to convert.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';

interface ScryptHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export class AuthUsersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthUsersError';
  }
}

const DEFAULT_PARAMS = { N: 16384, r: 8, p: 1 } as const;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { ...opts, maxmem: 256 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Makes the part after `user:` for a password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, DEFAULT_PARAMS);
  const { N, r, p } = DEFAULT_PARAMS;
  return `$scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function parseHash(text: string): ScryptHash | null {
  const m = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bound the parameters: a hostile or mistyped file must not make every AUTH cost seconds.
  if (N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (hash.length < 16) return null;
  return { N, r, p, salt: Buffer.from(m[4] ?? '', 'base64'), hash };
}

export class AuthUsers {
  private constructor(private readonly users: ReadonlyMap<string, ScryptHash>) {}

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
    const users = new Map<string, ScryptHash>();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      const user = line.slice(0, colon);
      const secret = line.slice(colon + 1);
      const where = `${file}:${i + 1}`;
      if (colon <= 0) throw new AuthUsersError(`${where}: expected 'user:$scrypt$...'`);
      if (/^\$2[aby]?\$/.test(secret)) {
        throw new AuthUsersError(`${where}: bcrypt hashes are not supported; make a scrypt line with hashPassword() (see config/mailwarden.yaml)`);
      }
      const hash = parseHash(secret);
      if (!hash) throw new AuthUsersError(`${where}: expected '$scrypt$N=<power of 2>,r=<n>,p=<n>$<salt base64>$<hash base64>'`);
      users.set(user, hash);
    });
    return new AuthUsers(users);
  }

  get size(): number {
    return this.users.size;
  }

  /** Constant work whether or not the user exists, so timing does not reveal user names. */
  async verify(user: string, password: string): Promise<boolean> {
    const entry = this.users.get(user);
    const h = entry ?? { ...DEFAULT_PARAMS, salt: Buffer.alloc(16), hash: Buffer.alloc(32) };
    const key = await scryptAsync(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p });
    return timingSafeEqual(key, h.hash) && entry !== undefined;
  }
}
