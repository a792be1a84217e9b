import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './project.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would (bin/depguard.js on this Node), with the
 * registry set to the placeholder host through npm's own environment config.
 */
export function depguard(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(REPO, 'bin/depguard.js'), ...args], {
    cwd: options.cwd ?? REPO,
    encoding: 'utf8',
    env: { ...process.env, npm_config_registry: 'https://registry.example.org/', NO_COLOR: '1', ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
