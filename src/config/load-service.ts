/**
 * Loads the service config: defaults < config file < environment < command-line flags.
 * Errors name where the bad value came from (file and key, variable or flag) and what was expected.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { serviceSchema, type Role, type ServiceConfig } from './service-schema.js';

export const DEFAULT_SERVICE_CONFIG = 'config/mailwarden.yaml';

export class ServiceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceConfigError';
  }
}

/** Values from flags; each wins over the file and the environment. */
export interface ServiceOverrides {
  readonly listen?: string;
  readonly upstream?: string;
  readonly redis?: string;
  readonly role?: Role | string;
  readonly milter?: string;
  readonly dashboard?: string;
}

export interface LoadServiceOptions {
  /** Config file; when absent, config/mailwarden.yaml if it exists, else defaults only. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly flags?: ServiceOverrides;
}

/** Environment variables honoured, with the key each one sets. */
export const ENV_OVERRIDES = {
  REDIS_URL: ['redis', 'url'],
  MAILWARDEN_LISTEN: ['listen'],
  MAILWARDEN_UPSTREAM: ['upstream', 'address'],
  MAILWARDEN_ROLE: ['role'],
  MAILWARDEN_MILTER_LISTEN: ['milter', 'listen'],
  MAILWARDEN_DASHBOARD_LISTEN: ['dashboard', 'listen'],
  MAILWARDEN_LOG_LEVEL: ['log', 'level'],
  /** Comma-separated CIDRs (containers: the Docker network's range). */
  MAILWARDEN_RELAY_NETWORKS: ['smtp', 'relayNetworks'],
} as const satisfies Record<string, readonly string[]>;

/** Variables whose value is a comma-separated list. */
const LIST_VARIABLES = new Set(['MAILWARDEN_RELAY_NETWORKS']);

const FLAG_KEYS = {
  listen: ['listen'],
  upstream: ['upstream', 'address'],
  redis: ['redis', 'url'],
  role: ['role'],
  milter: ['milter', 'listen'],
  dashboard: ['dashboard', 'listen'],
} as const;

export async function loadServiceConfig(options: LoadServiceOptions = {}): Promise<ServiceConfig> {
  const { raw, source } = await readRaw(options.file);
  // Where each overridden key came from, so an error names the flag or variable, not the file.
  const origins = new Map<string, string>();
  const env = options.env ?? process.env;
  for (const [name, keyPath] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parsed = LIST_VARIABLES.has(name) ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;
    setPath(raw, keyPath, parsed, origins, `environment variable ${name}`);
  }
  for (const [flag, keyPath] of Object.entries(FLAG_KEYS)) {
    const value = options.flags?.[flag as keyof ServiceOverrides];
    if (value !== undefined) setPath(raw, keyPath, value, origins, `--${flag}`);
  }
  const moved = movedKeyProblems(raw, source);
  if (moved.length > 0) throw new ServiceConfigError(`invalid service config\n  ${moved.join('\n  ')}`);
  const result = serviceSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const overridden = [...origins.keys()].find((k) => key === k || key.startsWith(`${k}.`));
      const origin = overridden ? origins.get(overridden) : `${source || 'defaults'}: ${key || '(top level)'}`;
      return `${origin}: ${issue.message}`;
    });
    throw new ServiceConfigError(`invalid service config\n  ${lines.join('\n  ')}`);
  }
  return deepFreeze({ ...result.data, source });
}

/**
 * Keys that moved to the policy file, so that `check` applies them too
 * (docs/decisions/one-inspection-path.md): named with their new place instead of "unknown key".
 */
const MOVED_TO_POLICY: Readonly<Record<string, string>> = {
  inspectionTimeoutMs: 'inspection.timeoutMs',
  bareLineEndings: 'inspection.bareLineEndings',
};

function movedKeyProblems(raw: Record<string, unknown>, source: string): string[] {
  const smtp = raw['smtp'];
  if (typeof smtp !== 'object' || smtp === null) return [];
  return Object.keys(smtp)
    .filter((k) => k in MOVED_TO_POLICY)
    .map((k) => `${source || 'defaults'}: smtp.${k}: this setting moved to the policy file (config/policy.yaml) as ${MOVED_TO_POLICY[k]}`);
}

async function readRaw(file: string | undefined): Promise<{ raw: Record<string, unknown>; source: string }> {
  const path = file ?? DEFAULT_SERVICE_CONFIG;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // Without --config, a missing default file means "use the defaults": a newcomer needs no file.
    if (file === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return { raw: {}, source: '' };
    throw new ServiceConfigError(`${path}: cannot read the service config: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ServiceConfigError(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return { raw: {}, source: path };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ServiceConfigError(`${path}: expected a mapping of keys (listen, smtp, upstream, ...) at the top level`);
  }
  return { raw: doc as Record<string, unknown>, source: path };
}

function setPath(
  raw: Record<string, unknown>,
  keyPath: readonly string[],
  value: string | string[],
  origins: Map<string, string>,
  origin: string,
): void {
  let node = raw;
  for (const key of keyPath.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keyPath[keyPath.length - 1] as string] = value;
  origins.set(keyPath.join('.'), origin);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
