/**
 * `mailwarden milter [serve options]`: the milter front for Postfix (smtpd_milters =
 * inet:127.0.0.1:8890) with the workers that record its decisions and deliver released mail.
 * The same as `mailwarden serve --role milter,worker`; `--role` may still name other parts.
 */
import { run as serve } from './serve.js';

export function run(argv: string[]): Promise<number> {
  const named = argv.some((a) => a === '--role' || a.startsWith('--role='));
  return serve(named ? argv : ['--role', 'milter,worker', ...argv]);
}
