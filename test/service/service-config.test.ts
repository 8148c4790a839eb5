import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig, ServiceConfigError } from '../../src/config/load-service.js';
import { parseHostPort } from '../../src/config/service-schema.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-svc-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:2525', { host: '127.0.0.1', port: 2525 }],
    ['[::1]:2525', { host: '::1', port: 2525 }],
    ['mail.example.org:25', { host: 'mail.example.org', port: 25 }],
  ])('%s', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });
  it.each(['::1:2525', '127.0.0.1', '[nothost]:25', 'a:99999', ''])('refuses %j', (text) => {
    expect(typeof parseHostPort(text)).toBe('string');
  });
});

describe('loadServiceConfig', () => {
  it('gives the documented defaults without a file', async () => {
    const c = await loadServiceConfig({ file: await file('empty.yaml', ''), env: {} });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 2525 });
    expect(c.upstream.address).toEqual({ host: '127.0.0.1', port: 2526 });
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.redis.queuePrefix).toBe('{mailwarden}');
    expect(c.smtp.relayNetworks).toEqual(['127.0.0.0/8', '::1/128']);
    expect(c.smtp.maxRecipients).toBe(1000);
    expect(c.smtp.maxReceivedHeaders).toBe(50);
    expect(c.smtp.allowInsecureAuth).toBe(false);
    expect(c.quarantine.retentionDays).toBe(30);
    expect(c.role).toBe('all');
    expect(Object.isFrozen(c.smtp)).toBe(true);
  });

  it('accepts the shipped config/mailwarden.yaml unchanged', async () => {
    const c = await loadServiceConfig({ file: 'config/mailwarden.yaml', env: {} });
    expect(c.source).toBe('config/mailwarden.yaml');
    expect(c.smtp.size).toBe(26214400);
    expect(c.smtp.maxReceivedHeaders).toBe(50);
  });

  it('names the new place of a setting that moved to the policy file', async () => {
    const f = await file('moved.yaml', 'smtp:\n  inspectionTimeoutMs: 5000\n  bareLineEndings: reject\n');
    const err = await loadServiceConfig({ file: f, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${f}: smtp.inspectionTimeoutMs: this setting moved to the policy file (config/policy.yaml) as inspection.timeoutMs`);
    expect(msg).toContain(`${f}: smtp.bareLineEndings: this setting moved to the policy file (config/policy.yaml) as inspection.bareLineEndings`);
  });

  it('applies file < environment < flags', async () => {
    const f = await file('layers.yaml', 'listen: 127.0.0.1:3000\nredis:\n  url: redis://file:1\nupstream:\n  address: 10.0.0.1:25\n');
    const c = await loadServiceConfig({
      file: f,
      env: { REDIS_URL: 'redis://env:2', MAILWARDEN_LISTEN: '[::1]:4000' },
      flags: { listen: '[::1]:5000', upstream: 'relay.example.org:587', role: 'worker' },
    });
    expect(c.redis.url).toBe('redis://env:2');
    expect(c.listen).toEqual({ host: '::1', port: 5000 });
    expect(c.upstream.address).toEqual({ host: 'relay.example.org', port: 587 });
    expect(c.role).toBe('worker');
    const withFlag = await loadServiceConfig({ file: f, env: { REDIS_URL: 'redis://env:2' }, flags: { redis: 'redis://flag:3' } });
    expect(withFlag.redis.url).toBe('redis://flag:3');
  });

  it('names the file, the key and what was expected', async () => {
    const f = await file('bad.yaml', 'smtp:\n  size: big\n  relayNetworks: [10.0.0.0/33]\n  bogus: 1\n');
    const err = await loadServiceConfig({ file: f, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${f}: smtp.size:`);
    expect(msg).toMatch(/expected number/);
    expect(msg).toContain(`${f}: smtp.relayNetworks.0: prefix /33`);
    expect(msg).toMatch(/bogus/);
  });

  it('reads relay networks from MAILWARDEN_RELAY_NETWORKS (comma-separated)', async () => {
    const c = await loadServiceConfig({ file: await file('n.yaml', ''), env: { MAILWARDEN_RELAY_NETWORKS: '127.0.0.0/8, 172.16.0.0/12' } });
    expect(c.smtp.relayNetworks).toEqual(['127.0.0.0/8', '172.16.0.0/12']);
    await expect(loadServiceConfig({ file: await file('n2.yaml', ''), env: { MAILWARDEN_RELAY_NETWORKS: '10.0.0.0/99' } })).rejects.toThrow(
      /environment variable MAILWARDEN_RELAY_NETWORKS: prefix \/99/,
    );
  });

  it('names the flag or variable a bad value came from', async () => {
    const err = await loadServiceConfig({ file: await file('e.yaml', ''), env: { REDIS_URL: 'http://x' }, flags: { listen: 'nope' } }).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toContain('--listen: expected HOST:PORT');
    expect((err as Error).message).toContain('environment variable REDIS_URL: expected a redis://');
  });

  it('refuses half a TLS pair, a missing --config file and non-mapping YAML', async () => {
    await expect(loadServiceConfig({ file: await file('tls.yaml', 'smtp:\n  tls:\n    cert: a.pem\n'), env: {} })).rejects.toThrow(
      /smtp.tls: expected both cert and key/,
    );
    await expect(loadServiceConfig({ file: join(dir, 'missing.yaml'), env: {} })).rejects.toThrow(/cannot read/);
    await expect(loadServiceConfig({ file: await file('list.yaml', '- a\n'), env: {} })).rejects.toThrow(/mapping/);
  });
});
