/**
 * The machine's fully qualified name, the default of `hostname` (greeting, Received:, DSNs):
 * what `hostname --fqdn` resolves (/etc/hosts, then DNS), else the bare system name. Worked out
 * once per process; a name without a dot is logged at start as worth configuring.
 */
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';

let cached: string | undefined;

export function machineFqdn(): string {
  if (cached !== undefined) return cached;
  let name = '';
  try {
    name = execFileSync('hostname', ['--fqdn'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // no hostname(1), or the name does not resolve: the system name below
  }
  cached = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name) ? name : hostname();
  return cached;
}

/** True for a name a peer can look up: at least two labels. */
export function isFullyQualified(name: string): boolean {
  return /^[^.]+\.[^.]/.test(name);
}
