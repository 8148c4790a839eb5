import { describe, expect, it } from 'vitest';
import { AuthUsers, AuthUsersError, hashPassword } from '../../../src/fronts/smtp/auth-users.js';

describe('AuthUsers', () => {
  it('verifies scrypt lines made by hashPassword', async () => {
    const users = AuthUsers.parse(`# comment\n\nalice:${await hashPassword('s3cret')}\nbob:${await hashPassword('other')}\n`);
    expect(users.size).toBe(2);
    expect(await users.verify('alice', 's3cret')).toBe(true);
    expect(await users.verify('alice', 'S3cret')).toBe(false);
    expect(await users.verify('bob', 's3cret')).toBe(false);
    expect(await users.verify('mallory', 's3cret')).toBe(false);
  });

  it('refuses bcrypt and malformed lines, naming the line', () => {
    expect(() => AuthUsers.parse('a:$2b$10$abcdefghijklmnopqrstuv', 'users.txt')).toThrow(/users.txt:1: bcrypt/);
    expect(() => AuthUsers.parse('\nno-colon', 'users.txt')).toThrow(AuthUsersError);
    expect(() => AuthUsers.parse('a:$scrypt$N=3,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'u')).toThrow(/u:1: expected/);
  });
});
