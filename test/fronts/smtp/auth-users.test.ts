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

  it('verifies bcrypt lines ($2a$, $2b$, $2y$) as other tools write them', async () => {
    // crypt_blowfish's test vectors, and a $2y$ line (PHP's password_hash) for the same password.
    const users = AuthUsers.parse(
      [
        'a:$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
        'b:$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK',
        'y:$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
      ].join('\n'),
    );
    expect(await users.verify('a', 'U*U')).toBe(true);
    expect(await users.verify('a', 'U*U*')).toBe(false);
    expect(await users.verify('b', 'U*U*')).toBe(true);
    expect(await users.verify('y', 'U*U')).toBe(true);
    expect(await users.verify('nobody', 'U*U')).toBe(false);
  });

  it('refuses a bcrypt cost outside 4..15, and malformed lines, naming the line', () => {
    expect(() => AuthUsers.parse('a:$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'users.txt')).toThrow(/users.txt:1: bcrypt cost must be 4 to 15/);
    expect(() => AuthUsers.parse('\na:$2b$10$abcdefghijklmnopqrstuv', 'users.txt')).toThrow(/users.txt:2: expected '\$2a\$'/);
    expect(() => AuthUsers.parse('\nno-colon', 'users.txt')).toThrow(AuthUsersError);
    expect(() => AuthUsers.parse('a:$scrypt$N=3,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'u')).toThrow(/u:1: expected/);
  });
});
