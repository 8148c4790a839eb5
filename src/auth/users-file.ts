/**
 * The dashboard's users: a file of `name:role:hash` lines ('#' comments and blank lines
 * ignored). Roles, each including the one before: viewer (reads everything), reviewer (also
 * releases and discards held mail), admin (also acts on queue jobs). The hash is scrypt or bcrypt
 * (password-hash.ts). `mailwarden user add|list|remove|passwd` edits the file; the dashboard
 * re-reads it when it changes, so a removed user's sessions end at their next request.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { parsePasswordHash, verifyPassword, type PasswordHash } from './password-hash.js';

export const ROLES = ['viewer', 'reviewer', 'admin'] as const;
export type DashboardRole = (typeof ROLES)[number];

/** Whether `role` may do what `needed` may. */
export function roleAtLeast(role: DashboardRole, needed: DashboardRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
}

export interface DashboardUser {
  readonly name: string;
  readonly role: DashboardRole;
  /** The stored hash text, as in the file. */
  readonly hashText: string;
}

/** Names: what a person types and what the audit trail shows. No ':' (the separator), no spaces. */
const NAME = /^[A-Za-z0-9._@+-]{1,64}$/;

export function checkUserName(name: string): string | null {
  return NAME.test(name) ? null : `user name must be 1 to 64 letters, digits or . _ @ + - (got '${name}')`;
}

export function parseUsersFile(text: string, file = 'users'): DashboardUser[] {
  const users: DashboardUser[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    const [name = '', role = '', ...rest] = line.split(':');
    const hashText = rest.join(':');
    const bad = checkUserName(name);
    if (bad) throw new UsersFileError(`${where}: ${bad}; expected 'name:role:$scrypt$...'`);
    if (!(ROLES as readonly string[]).includes(role)) throw new UsersFileError(`${where}: role must be viewer, reviewer or admin (got '${role}')`);
    const parsed = parsePasswordHash(hashText);
    if (typeof parsed === 'string') throw new UsersFileError(`${where}: ${parsed}`);
    if (seen.has(name)) throw new UsersFileError(`${where}: user '${name}' appears twice`);
    seen.add(name);
    users.push({ name, role: role as DashboardRole, hashText });
  });
  return users;
}

export function formatUsersFile(users: readonly DashboardUser[]): string {
  const head = '# mailwarden dashboard users: name:role:hash (roles: viewer, reviewer, admin). Edit with `mailwarden user`.\n';
  return head + users.map((u) => `${u.name}:${u.role}:${u.hashText}\n`).join('');
}

/** [] when the file does not exist yet. */
export async function readUsersFile(file: string): Promise<DashboardUser[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsersFileError(`${file}: cannot read the users file: ${(err as Error).message}`);
  }
  return parseUsersFile(text, file);
}

/** Replaces the file whole (temp file + rename), readable by its owner only. */
export async function writeUsersFile(file: string, users: readonly DashboardUser[]): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, formatUsersFile(users), { mode: 0o600, flush: true });
  await rename(tmp, file);
}

/** The users file as the dashboard sees it: re-read when its size or mtime changes. */
export class UsersStore {
  private cache: { key: string; users: Map<string, { user: DashboardUser; hash: PasswordHash }> } | null = null;

  constructor(readonly file: string) {}

  private async current(): Promise<Map<string, { user: DashboardUser; hash: PasswordHash }>> {
    let key = 'missing';
    try {
      const st = await stat(this.file);
      key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (this.cache?.key === key) return this.cache.users;
    const users = new Map<string, { user: DashboardUser; hash: PasswordHash }>();
    for (const user of await readUsersFile(this.file)) users.set(user.name, { user, hash: parsePasswordHash(user.hashText) as PasswordHash });
    this.cache = { key, users };
    return users;
  }

  async get(name: string): Promise<DashboardUser | null> {
    return (await this.current()).get(name)?.user ?? null;
  }

  /** The user when the password is right; null otherwise (same cost for unknown names). */
  async verify(name: string, password: string): Promise<DashboardUser | null> {
    const entry = (await this.current()).get(name);
    const ok = await verifyPassword(entry?.hash, password);
    return ok && entry ? entry.user : null;
  }

  async count(): Promise<number> {
    return (await this.current()).size;
  }
}
