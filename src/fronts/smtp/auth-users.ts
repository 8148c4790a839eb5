/**
 * SMTP AUTH users: a file of `user:<hash>` lines ('#' comments and blank lines ignored), where the
 * hash is either
 * - scrypt, `$scrypt$N=16384,r=8,p=1$<salt base64>$<hash base64>` (node:crypto; what
 *   hashPassword() makes, and the better choice: it runs on libuv's thread pool), or
 * - bcrypt, `$2a$`, `$2b$` or `$2y$` with cost 4 to 15 (bcryptjs, pure JavaScript: it shares the
 *   SMTP front's thread, in slices, so a busy server with many AUTHs should prefer scrypt).
 * Parameters are bounded: a hostile or mistyped file must not make every AUTH cost seconds.
 */
import bcrypt from 'bcryptjs';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';

type UserHash = ScryptHash | BcryptHash;

interface BcryptHash {
  readonly kind: 'bcrypt';
  readonly hash: string;
}

/** bcrypt hashes as PHP, OpenBSD, htpasswd -B and the bcrypt libraries write them. */
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const BCRYPT_COST = { min: 4, max: 15 } as const;

interface ScryptHash {
  readonly kind: 'scrypt';
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

function parseBcrypt(text: string): BcryptHash | 'bad-cost' | null {
  const m = BCRYPT.exec(text);
  if (!m) return null;
  const cost = Number(m[1]);
  if (cost < BCRYPT_COST.min || cost > BCRYPT_COST.max) return 'bad-cost';
  return { kind: 'bcrypt', hash: text };
}

function parseScrypt(text: string): ScryptHash | null {
  const m = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bound the parameters: a hostile or mistyped file must not make every AUTH cost seconds.
  if (N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (hash.length < 16) return null;
  return { kind: 'scrypt', N, r, p, salt: Buffer.from(m[4] ?? '', 'base64'), hash };
}

export class AuthUsers {
  private constructor(private readonly users: ReadonlyMap<string, UserHash>) {}

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
    const users = new Map<string, UserHash>();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      const user = line.slice(0, colon);
      const secret = line.slice(colon + 1);
      const where = `${file}:${i + 1}`;
      if (colon <= 0) throw new AuthUsersError(`${where}: expected 'user:$scrypt$...' or 'user:$2b$...'`);
      let hash: UserHash | null;
      if (/^\$2[aby]?\$/.test(secret)) {
        const b = parseBcrypt(secret);
        if (b === 'bad-cost') throw new AuthUsersError(`${where}: bcrypt cost must be ${BCRYPT_COST.min} to ${BCRYPT_COST.max}`);
        if (!b) throw new AuthUsersError(`${where}: expected '$2a$', '$2b$' or '$2y$', a two-digit cost, '$' and 53 characters of salt and hash`);
        hash = b;
      } else {
        hash = parseScrypt(secret);
        if (!hash) throw new AuthUsersError(`${where}: expected '$scrypt$N=<power of 2>,r=<n>,p=<n>$<salt base64>$<hash base64>'`);
      }
      users.set(user, hash);
    });
    return new AuthUsers(users);
  }

  get size(): number {
    return this.users.size;
  }

  /** An unknown user costs a full scrypt too, so timing does not reveal user names. */
  async verify(user: string, password: string): Promise<boolean> {
    const entry = this.users.get(user);
    if (entry?.kind === 'bcrypt') return bcrypt.compare(password, entry.hash);
    const h = entry ?? { ...DEFAULT_PARAMS, salt: Buffer.alloc(16), hash: Buffer.alloc(32) };
    const key = await scryptAsync(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p });
    return timingSafeEqual(key, h.hash) && entry !== undefined;
  }
}
