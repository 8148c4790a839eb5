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
