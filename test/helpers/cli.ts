import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './project.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The day tests audit as of, so date-dependent findings (Node.js end-of-life) never drift. */
export const TEST_DATE = '2026-11-27';

/** An empty npm cache for the whole test run: tests never read or write the user's ~/.npm. */
const TEST_CACHE = mkdtempSync(join(tmpdir(), 'depguard-cli-cache-'));

/**
 * Runs the built CLI as a user would (bin/depguard.js on this Node), through
 * npm's own environment config: the placeholder registry, an empty cache and
 * offline mode, so no test reaches the network. `date: null` leaves out the
 * fixed --date (for tests of the config's own date).
 */
export function depguard(args: string[], options: { cwd?: string; env?: Record<string, string>; date?: string | null } = {}): CliResult {
  const date = options.date === undefined ? TEST_DATE : options.date;
  const dated = args[0] === 'check' && date !== null && !args.includes('--date') && !args.includes('--help') ? [...args, '--date', date] : args;
  const result = spawnSync(process.execPath, [join(REPO, 'bin/depguard.js'), ...dated], {
    cwd: options.cwd ?? REPO,
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_registry: 'https://registry.example.org/',
      npm_config_cache: TEST_CACHE,
      npm_config_offline: 'true',
      NO_COLOR: '1',
      ...options.env,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
