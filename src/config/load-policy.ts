/**
 * Loading the policy file: YAML, then the strict schema, then the cross-checks, then the
 * registered home addresses; the result is deeply frozen and carries a sha256 as its version, so
 * audit records name the exact policy in force: of the file's bytes, or, when a home-addresses
 * file is configured, of the policy's hash and that file's hash together (a changed register is
 * a changed policy).
 *
 * Any problem stops loading with one PolicyError that names the file, the key path, the line
 * and what was expected; every problem found is listed, not only the first.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { problemsFromIssues, renderProblem, type ConfigProblem } from './config-problem.js';
import { deepFreeze } from './deep-freeze.js';
import { asNode } from './describe-schema.js';
import { attachHomeRegistry, parseHomeAddresses, type HomeRegistry } from './home-addresses.js';
import { PolicyError } from './policy-error.js';
import { crossCheckPolicy } from './policy-cross-checks.js';
import { policySchema, type Policy } from './policy-schema.js';

export { PolicyError } from './policy-error.js';

const MAX_PROBLEMS_SHOWN = 20;
const MAX_YAML_ALIASES = 100;

/** Read, validate and freeze a policy file. Relative `staff.homeAddressesFile` paths are taken from the policy file's folder. */
export async function loadPolicy(file: string): Promise<Policy> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new PolicyError('POLICY_UNREADABLE', file, [fsReason(err)]);
  }
  const staged = stage(bytes, file);
  const homeFile = homePath(staged.value.staff.homeAddressesFile, file);
  let home: HomeText | undefined;
  if (homeFile) home = await readFile(homeFile, 'utf8').then((text) => ({ text }), (err: unknown) => ({ error: fsReason(err) }));
  return finish(staged, home);
}

/** Validate policy text already in memory; `source` names it in errors and anchors relative paths. */
export function parsePolicy(text: string, source: string): Policy {
  const staged = stage(Buffer.from(text, 'utf8'), source);
  return finish(staged, readHomeSync(homePath(staged.value.staff.homeAddressesFile, source)));
}

/** Validate a policy given as a value (tests, tools). Same checks as a file; version ''. */
export function buildPolicy(input: unknown, source = ''): Policy {
  const staged = validate(input, source, '', undefined);
  const homeFile = homePath(staged.value.staff.homeAddressesFile, source || path.join(process.cwd(), 'policy'));
  return finish(staged, readHomeSync(homeFile));
}

/** The registered home-addresses file, or why it could not be read; undefined when none is configured. */
function readHomeSync(file: string | null | undefined): HomeText | undefined {
  if (!file) return undefined;
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (err) {
    return { error: fsReason(err) };
  }
}

/** config/policy.yaml of this package: works from src/ (tsx) and from dist/ alike. */
export function defaultPolicyPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'config', 'policy.yaml');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'policy.yaml');
}

type HomeText = { text: string } | { error: string };

interface Staged {
  readonly value: ReturnType<typeof policySchema.parse>;
  readonly source: string;
  readonly version: string;
  readonly lineOf: (p: ConfigProblem) => number | undefined;
}

function stage(bytes: Buffer, source: string): Staged {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PolicyError('POLICY_UNREADABLE', source, ['the file is not UTF-8 text']);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Only the first: later YAML errors are nearly always knock-on effects of it.
    const first = doc.errors[0];
    const at = lineCounter.linePos(first?.pos[0] ?? 0);
    throw new PolicyError('POLICY_SYNTAX', source, [`YAML syntax error at line ${at.line}, column ${at.col}: ${first?.message ?? ''}`]);
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new PolicyError('POLICY_SYNTAX', source, [`YAML error: ${err instanceof Error ? err.message : String(err)}`]);
  }
  if (input === null || input === undefined) {
    throw new PolicyError('POLICY_INVALID', source, ['the file is empty; expected a mapping with at least "domains" and "markings"']);
  }
  const version = createHash('sha256').update(bytes).digest('hex');
  return validate(input, source, version, (p) => lineInDocument(doc, lineCounter, p));
}

function validate(input: unknown, source: string, version: string, lineOf: Staged['lineOf'] | undefined): Staged {
  const locate = lineOf ?? (() => undefined);
  const parsed = policySchema.safeParse(input, { reportInput: true });
  if (!parsed.success) fail(source, problemsFromIssues(parsed.error.issues, asNode(policySchema)), locate);
  const value = parsed.data;
  const crossProblems = crossCheckPolicy(value);
  if (crossProblems.length > 0) fail(source, crossProblems, locate);
  return { value, source, version, lineOf: locate };
}

function finish(staged: Staged, home: HomeText | undefined): Policy {
  let registry: HomeRegistry | undefined;
  if (home) {
    const key: ConfigProblem['path'] = ['staff', 'homeAddressesFile'];
    const shown = homePath(staged.value.staff.homeAddressesFile, staged.source) ?? '';
    if ('error' in home) {
      fail(staged.source, [{ path: key, detail: `cannot read ${JSON.stringify(shown)}: ${home.error}` }], staged.lineOf);
    }
    const parsed = parseHomeAddresses(home.text);
    if (parsed.problems.length > 0) {
      fail(staged.source, parsed.problems.map((p) => ({ path: key, detail: `${shown} ${p}` })), staged.lineOf);
    }
    registry = parsed.registry;
  }
  const version = home && 'text' in home && staged.version ? combinedVersion(staged.version, home.text) : staged.version;
  const policy: Policy = deepFreeze({ ...staged.value, version, source: staged.source });
  if (registry) attachHomeRegistry(policy, registry);
  return policy;
}

/** sha256 over the policy file's hash and the home-addresses file's hash. */
export function combinedVersion(policyHash: string, homeText: string): string {
  const homeHash = createHash('sha256').update(homeText, 'utf8').digest('hex');
  return createHash('sha256').update(`mailwarden policy ${policyHash}\nhome addresses ${homeHash}\n`).digest('hex');
}

function fail(source: string, problems: readonly ConfigProblem[], lineOf: Staged['lineOf']): never {
  const located = problems.map((p, i) => ({ p, i, line: lineOf(p) }));
  located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.i - b.i);
  const lines = located.slice(0, MAX_PROBLEMS_SHOWN).map(({ p, line }) => renderProblem(p, line));
  if (located.length > MAX_PROBLEMS_SHOWN) lines.push(`... and ${located.length - MAX_PROBLEMS_SHOWN} more`);
  throw new PolicyError('POLICY_INVALID', source, lines);
}

function lineInDocument(doc: Document, lc: LineCounter, p: ConfigProblem): number | undefined {
  let node: unknown;
  try {
    node = p.path.length ? doc.getIn(p.path, true) : doc.contents;
  } catch {
    return undefined; // a path through a scalar: no line to show
  }
  let range: readonly number[] | null | undefined;
  if (p.unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === p.unknownKey);
    range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  } else if (node && typeof node === 'object' && 'range' in node) {
    range = (node as { range?: readonly number[] | null }).range;
  }
  const start = range?.[0];
  return start === undefined ? undefined : lc.linePos(start).line;
}

/** The home addresses file as a path usable from here: relative names are taken from the policy file's folder. */
function homePath(file: string | null, policySource: string): string | undefined {
  if (!file) return undefined;
  return path.isAbsolute(file) ? file : path.join(path.dirname(policySource), file);
}

function fsReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  return err instanceof Error ? err.message : String(err);
}
