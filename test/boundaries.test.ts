/**
 * The rule of the house (ARCHITECTURE.md): message/ and policy/ never import from the fronts, queues,
 * workers, dashboard, smtp-server, BullMQ or nodemailer. Inspection must stay callable from anywhere.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', 'src');
const FORBIDDEN = [/\/fronts\//, /\/queue\//, /\/workers\//, /\/dashboard\//, /^smtp-server/, /^bullmq/, /^nodemailer/, /^ioredis/];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('module boundaries', () => {
  // intake/ is the path every front and `check` share: it must stay loadable without any of them.
  for (const area of ['message', 'policy', 'intake']) {
    it(`${area}/ imports nothing from fronts, queues, workers, dashboard or transport libraries`, () => {
      const files = sources(join(root, area));
      expect(files.length).toBeGreaterThan(0);
      const offences: string[] = [];
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
          const spec = m[1]!;
          if (FORBIDDEN.some((re) => re.test(spec))) offences.push(`${relative(root, file)} imports ${spec}`);
        }
      }
      expect(offences).toEqual([]);
    });
  }
});

/** Relative imports of one file (type imports included), resolved to source paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) {
    out.push(join(file, '..', m[1]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Files of `from` that import anything under `to`. */
function offences(from: string, to: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of sources(join(root, from))) {
    for (const target of importsOf(file)) {
      const rel = relative(root, target);
      if (to.some((t) => rel === t || rel.startsWith(`${t}/`))) found.push(`${relative(root, file)} imports ${rel}`);
    }
  }
  return found;
}

describe('layering', () => {
  it('fronts are siblings: no front imports another', () => {
    const fronts = readdirSync(join(root, 'fronts'));
    expect(fronts.length).toBeGreaterThanOrEqual(2);
    for (const front of fronts) {
      expect(offences(`fronts/${front}`, fronts.filter((f) => f !== front).map((f) => `fronts/${f}`))).toEqual([]);
    }
  });

  it('custody/ imports no front; audit/ and spool/ import nothing of queue/; quarantine/ nothing of workers/', () => {
    expect(offences('custody', ['fronts'])).toEqual([]);
    expect(offences('audit', ['queue', 'fronts', 'workers'])).toEqual([]);
    expect(offences('spool', ['queue', 'fronts', 'workers', 'custody'])).toEqual([]);
    expect(offences('quarantine', ['workers', 'fronts'])).toEqual([]);
  });

  it('has no import cycles (type imports included)', () => {
    const graph = new Map(sources(root).map((f) => [f, importsOf(f).filter((t) => t.startsWith(root))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
