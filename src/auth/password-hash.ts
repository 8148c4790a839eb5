/**
 * Password hashes shared by SMTP AUTH (fronts/smtp/auth-users.ts) and the dashboard's users
 * (auth/users-file.ts). A hash is either
 * - scrypt, `$scrypt$N=16384,r=8,p=1$<salt base64>$<hash base64>` (node:crypto; what
 *   hashPassword() makes, and the better choice: it runs on libuv's thread pool), or
 * - bcrypt, `$2a$`, `$2b$` or `$2y$` with cost 4 to 15 (bcryptjs, pure JavaScript: it shares the
 *   caller's thread, in slices, so a busy server should prefer scrypt).
 * Parameters are bounded: a hostile or mistyped file must not make every check cost seconds.
 */
import bcrypt from 'bcryptjs';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export type PasswordHash = ScryptHash | BcryptHash;

interface BcryptHash {
  readonly kind: 'bcrypt';
  readonly hash: string;
}

interface ScryptHash {
  readonly kind: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** bcrypt hashes as PHP, OpenBSD, htpasswd -B and the bcrypt libraries write them. */
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
export const BCRYPT_COST = { min: 4, max: 15 } as const;

const DEFAULT_PARAMS = { N: 16384, r: 8, p: 1 } as const;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { ...opts, maxmem: 256 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A new scrypt hash of `password` with a random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, DEFAULT_PARAMS);
  const { N, r, p } = DEFAULT_PARAMS;
  return `$scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Parses a stored hash; a string says what was expected instead. */
export function parsePasswordHash(text: string): PasswordHash | string {
  if (/^\$2[aby]?\$/.test(text)) {
    const m = BCRYPT.exec(text);
    if (!m) return `expected '$2a$', '$2b$' or '$2y$', a two-digit cost, '$' and 53 characters of salt and hash`;
    const cost = Number(m[1]);
    if (cost < BCRYPT_COST.min || cost > BCRYPT_COST.max) return `bcrypt cost must be ${BCRYPT_COST.min} to ${BCRYPT_COST.max}`;
    return { kind: 'bcrypt', hash: text };
  }
  const m = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(text);
  const expected = `expected '$scrypt$N=<power of 2>,r=<n>,p=<n>$<salt base64>$<hash base64>'`;
  if (!m) return expected;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return expected;
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (hash.length < 16) return expected;
  return { kind: 'scrypt', N, r, p, salt: Buffer.from(m[4] ?? '', 'base64'), hash };
}

/**
 * Checks `password` against `entry`. With no entry (an unknown user) it still costs a full
 * scrypt and answers false, so timing does not reveal user names.
 */
export async function verifyPassword(entry: PasswordHash | undefined, password: string): Promise<boolean> {
  if (entry?.kind === 'bcrypt') return bcrypt.compare(password, entry.hash);
  const h = entry ?? { ...DEFAULT_PARAMS, salt: Buffer.alloc(16), hash: Buffer.alloc(32) };
  const key = await scryptAsync(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p });
  return timingSafeEqual(key, h.hash) && entry !== undefined;
}
