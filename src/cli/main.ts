// The only module that sets the exit code; commands (src/cli/commands/) read
// argv and write stdout/stderr, and check, diff and report end in one
// render -> write -> exit helper (output.ts deliver, gating with
// src/policy/gate.ts). Exit codes (contract): 0 nothing at or above
// --fail-on, 1 findings at or above it, 2 could not audit (every error, here).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { TOOL } from '../commands/check.js';
import { DepguardError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import { redactText } from '../util/redact.js';
import { toDepguardError } from './errors.js';
import { deadlineMs, EXIT } from './options.js';

export { EXIT } from './options.js';
export { writeAtomically } from '../util/atomic-write.js';

function printError(error: unknown, debug: boolean): void {
  const known = toDepguardError(error);
  if (known) {
    process.stderr.write(`depguard: ${redactText(known.message)}\n`);
    process.stderr.write(`hint: ${redactText(known.hint)}\n`);
    if (debug && known.cause instanceof Error) process.stderr.write(`${known.cause.stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`depguard: internal error: ${redactText(message)}\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('hint: run again with --debug for the stack trace, and report it as a bug\n');
}

/** Set once the deadline passed: run() then exits at once, whatever is still in flight. */
let timedOut = false;

/**
 * Runs a command within --timeout (commands without the flag have no
 * deadline). Past it the command is abandoned with ETIMEOUT (exit 2); run()
 * ends the process, closing every socket a registry left open.
 */
async function withDeadline(timeout: unknown, work: () => Promise<number>): Promise<number> {
  if (timeout === undefined) return work();
  const ms = deadlineMs(timeout);
  if (ms === 0) return work();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(
        new DepguardError('ETIMEOUT', `the run did not finish within --timeout ${String(timeout)}: nothing was written`, { field: '--timeout' }),
      );
    }, ms);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode: number = EXIT.clean;
  let parser = yargs(argv)
    .scriptName('depguard')
    .usage("$0 <command> [path] [options]\n\nAudit an npm project's dependency tree: pinning, lockfiles, install scripts, Node.js engines and more.");
  for (const command of COMMANDS) {
    parser = parser.command(command.command, command.describe, command.builder, async (args) => {
      exitCode = await withDeadline(args.timeout, () => command.handler(args));
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

/** Resolves once everything written to the stream so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}

export async function run(): Promise<void> {
  const code = await main(hideBin(process.argv));
  process.exitCode = code;
  // The run is over: a socket a registry left open (a body that stalled,
  // keep-alive) or a timer must not keep the process alive after the report.
  if (!timedOut) await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
