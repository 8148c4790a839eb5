/**
 * config/mailwarden.yaml is the documentation of every service setting: it must load, give exactly
 * the defaults (a newcomer who edits nothing runs what the README describes), and name every key
 * the schema has, so that "every key commented there" stays true as settings are added.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../src/config/load-service.js';
import { serviceSchema } from '../../src/config/service-schema.js';

const FILE = 'config/mailwarden.yaml';

/** An address the file writes as one string ('127.0.0.1:2525', 'unix:/path') and the schema parses into parts. */
const isAddress = (v: object) => ('host' in v && 'port' in v) || ('path' in v && Object.keys(v).length === 1);

/** Dotted paths of every leaf setting (a list, null or an address counts as a leaf). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isAddress(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe('the shipped service config', () => {
  it('loads to exactly the defaults', async () => {
    const shipped = await loadServiceConfig({ file: FILE, env: {} });
    const defaults = serviceSchema.parse({});
    const { source, ...rest } = shipped as typeof shipped & { source: string };
    expect(source).toBe(FILE);
    expect(rest).toEqual(defaults);
  });

  it('names every setting, the commented-out hostname included', async () => {
    const text = await readFile(FILE, 'utf8');
    const named = new Set(keyPaths(parseYaml(text)));
    const missing = keyPaths(serviceSchema.parse({})).filter((k) => !named.has(k) && !(k === 'hostname' && /^# hostname: /m.test(text)));
    expect(missing).toEqual([]);
  });
});
