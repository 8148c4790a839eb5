/**
 * The Postfix snippet README.md gives for the milter front (its main.cf lines and the reinjection
 * listener for master.cf), read from the README itself, so the interop tests run Postfix with
 * exactly what an administrator pastes: change the README and the tests change with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The milter address and reinjection listener the README names, replaced by a test's own. */
const README_MILTER = 'inet:127.0.0.1:8890';
export const README_REINJECT_PORT = 10025;
const README_REINJECT = `127.0.0.1:${README_REINJECT_PORT}`;

export interface PostfixSnippet {
  /** main.cf settings, name to value, in the README's order. */
  readonly main: Readonly<Record<string, string>>;
  /** master.cf lines of the reinjection listener. */
  readonly master: readonly string[];
}

/** The README's snippet with `milter` for its milter address and `reinjectPort` for its listener's port. */
export function readmePostfixSnippet(milter: string, reinjectPort: number): PostfixSnippet {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('### The milter front (Postfix)');
  if (start < 0) throw new Error('README.md has no "### The milter front (Postfix)" section');
  const blocks = [...readme.slice(start).matchAll(/^```\n([\s\S]*?)^```$/gm)].slice(0, 2).map((m) => m[1]!);
  if (blocks.length < 2) throw new Error('README.md\'s milter section lost its main.cf or master.cf block');
  const [mainBlock, masterBlock] = blocks as [string, string];
  const main: Record<string, string> = {};
  for (const line of mainBlock.split('\n').filter((l) => l.trim())) {
    const m = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`README.md's main.cf block has a line that is not "name = value": ${line}`);
    main[m[1]!] = m[2]!.replaceAll(README_MILTER, milter);
  }
  const master = masterBlock.split('\n').filter((l) => l.trim()).map((l) => l.replaceAll(README_REINJECT, `127.0.0.1:${reinjectPort}`));
  if (!main.smtpd_milters?.includes(milter)) throw new Error(`README.md's smtpd_milters no longer names ${README_MILTER}`);
  if (!master[0]?.startsWith(`127.0.0.1:${reinjectPort} `)) throw new Error(`README.md's reinjection listener no longer listens on ${README_REINJECT}`);
  return { main, master };
}
