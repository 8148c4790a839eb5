/**
 * `mailwarden serve [--config FILE] [--listen HOST:PORT] [--upstream HOST:PORT] [--redis URL]
 *  [--role PARTS] [--milter inet:HOST:PORT|unix:PATH] [--dashboard HOST:PORT]`: runs the chosen parts
 *  (the relay front, the milter front, the workers, the dashboard) until SIGTERM/SIGINT; SIGHUP reloads.
 */
import { ServiceConfigError } from '../config/load-service.js';
import { RedisUnavailableError } from '../service/redis-bootstrap.js';
import { startService } from '../service/service.js';
import { handleSignals } from '../service/signals.js';
import { readArgs } from './args.js';

const HELP = `usage: mailwarden serve [options]

  --config FILE        service config (default config/mailwarden.yaml, if present)
  --listen HOST:PORT   where the SMTP front listens (default 127.0.0.1:2525; IPv6: [::1]:2525)
  --upstream HOST:PORT where accepted mail goes (default 127.0.0.1:2526)
  --redis URL          Redis for the queues (default redis://127.0.0.1:6379; env REDIS_URL)
  --role PARTS         comma-separated: smtp (the relay), milter (the Postfix milter), worker
                       (delivery, audit, expiry), dashboard; all = smtp,worker,dashboard (default all)
  --milter ADDRESS     where the milter listens: inet:127.0.0.1:8890 (default) or unix:/path
  --dashboard HOST:PORT where the dashboard listens (default 127.0.0.1:8025)

Signals: SIGHUP reloads config and policy; SIGTERM/SIGINT stop cleanly.
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = readArgs(argv, {
    config: { type: 'string' },
    listen: { type: 'string' },
    upstream: { type: 'string' },
    redis: { type: 'string' },
    role: { type: 'string' },
    milter: { type: 'string' },
    dashboard: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const flags = {
    ...(values.listen !== undefined ? { listen: values.listen } : {}),
    ...(values.upstream !== undefined ? { upstream: values.upstream } : {}),
    ...(values.redis !== undefined ? { redis: values.redis } : {}),
    ...(values.role !== undefined ? { role: values.role } : {}),
    ...(values.milter !== undefined ? { milter: values.milter } : {}),
    ...(values.dashboard !== undefined ? { dashboard: values.dashboard } : {}),
  };
  const file = values.config ?? process.env.MAILWARDEN_CONFIG;
  let service;
  try {
    service = await startService({ ...(file ? { file } : {}), flags, workerThread: true });
  } catch (err) {
    if (err instanceof ServiceConfigError || err instanceof RedisUnavailableError) {
      process.stderr.write(`mailwarden serve: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  await handleSignals(service);
  return 0;
}
