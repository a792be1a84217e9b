import type { Argv } from 'yargs';

/**
 * A CLI command: yargs' command module shape, with a handler that returns the
 * exit code instead of setting it (only src/cli/main.ts sets it).
 */
export interface Command<Args> {
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv<any>;
  handler: (args: Args) => Promise<number>;
  examples: Array<[string, string]>;
}
