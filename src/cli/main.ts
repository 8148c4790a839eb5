#!/usr/bin/env node
/**
 * `mailwarden <command>`: each command lives in its own module and is loaded only when used,
 * so `mailwarden check` never loads the SMTP, queue or Redis code.
 */
import { UsageError } from './args.js';

type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  serve: { summary: 'run the SMTP relay and its workers', load: () => import('./serve.js') },
  milter: { summary: 'run the Postfix milter front and its workers (serve --role milter,worker)', load: () => import('./milter.js') },
  check: { summary: 'inspect one message and print the decision', load: () => import('./check.js') },
  replay: { summary: 'run a fixture folder against its manifest', load: () => import('./replay.js') },
  quarantine: { summary: 'list, show, release or discard held messages', load: () => import('./quarantine.js') },
  audit: { summary: 'verify the audit trail', load: () => import('./audit.js') },
  user: { summary: 'add, list, remove dashboard users or change their password', load: () => import('./user.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
  return `usage: mailwarden <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'mailwarden <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`mailwarden: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`mailwarden ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`mailwarden ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mailwarden: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
