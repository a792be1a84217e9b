// The only module that sets the exit code; commands (src/cli/commands/) read
// argv and write stdout/stderr. Exit codes (contract): 0 nothing at or above
// --fail-on, 1 findings at or above it, 2 could not audit.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { TOOL } from '../commands/check.js';
import { DepguardError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import { toDepguardError } from './errors.js';
import { EXIT } from './options.js';

export { EXIT } from './options.js';
export { writeAtomically } from '../util/atomic-write.js';

function printError(error: unknown, debug: boolean): void {
  const known = toDepguardError(error);
  if (known) {
    process.stderr.write(`depguard: ${known.message}\n`);
    process.stderr.write(`hint: ${known.hint}\n`);
    if (debug && known.cause instanceof Error) process.stderr.write(`${known.cause.stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`depguard: internal error: ${message}\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('hint: run again with --debug for the stack trace, and report it as a bug\n');
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode: number = EXIT.clean;
  let parser = yargs(argv)
    .scriptName('depguard')
    .usage("$0 <command> [path] [options]\n\nAudit an npm project's dependency tree: pinning, lockfiles, install scripts, Node.js engines and more.");
  for (const command of COMMANDS) {
    parser = parser.command(command.command, command.describe, command.builder, async (args) => {
      exitCode = await command.handler(args);
    });
    for (const [example, description] of command.examples) parser = parser.example(example, description);
  }
  parser = parser
    .epilogue('Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not audit (bad input, bad config, registry data a check needs could not be had).')
    .demandCommand(1, `name a command: ${COMMANDS.map((command) => `depguard ${command.command}`).join(', ')}`)
    .strict()
    .version(TOOL.version)
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      throw error ?? new DepguardError('EBAD_ARGS', message);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    printError(error, debug);
    return EXIT.error;
  }
  return exitCode;
}

export async function run(): Promise<void> {
  process.exitCode = await main(hideBin(process.argv));
}
