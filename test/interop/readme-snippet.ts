/**
 * The Postfix snippet README.md gives for the milter front (its main.cf lines and the reinjection
 * listener for master.cf), read from the README itself, so the interop tests run Postfix with
 * exactly what an administrator pastes: change the README and the tests change with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The milter address and reinjection listener the README names, replaced by a test's own. */
const README_MILTER = 'inet:127.0.0.1:8890';
const README_REINJECT = '127.0.0.1:10025';

/** The two code blocks of the README's milter section: main.cf lines, then the master.cf listener. */
function readmeBlocks(): { mainCf: string; masterCf: string } {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('### The milter front (Postfix)');
  if (start < 0) throw new Error('README.md has no "### The milter front (Postfix)" section');
  const [mainCf, masterCf] = [...readme.slice(start).matchAll(/^```\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  if (mainCf === undefined || masterCf === undefined) throw new Error('README.md\'s milter section lost its main.cf or master.cf block');
  return { mainCf, masterCf };
}

/** The README's main.cf settings (name to value, in its order), calling `milter` instead of its address. */
export function readmeMainCf(milter: string): Record<string, string> {
  const main: Record<string, string> = {};
  for (const line of readmeBlocks().mainCf.split('\n').filter((l) => l.trim())) {
    const m = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`README.md's main.cf block has a line that is not "name = value": ${line}`);
    main[m[1]!] = m[2]!.replaceAll(README_MILTER, milter);
  }
  if (!main.smtpd_milters?.includes(milter)) throw new Error(`README.md's smtpd_milters no longer names ${README_MILTER}`);
  return main;
}

/** The README's reinjection listener for master.cf, on `port` instead of its own. */
export function readmeReinjectListener(port: number): string[] {
  const lines = readmeBlocks().masterCf.split('\n').filter((l) => l.trim()).map((l) => l.replaceAll(README_REINJECT, `127.0.0.1:${port}`));
  if (!lines[0]?.startsWith(`127.0.0.1:${port} `)) throw new Error(`README.md's reinjection listener no longer listens on ${README_REINJECT}`);
  return lines;
}
