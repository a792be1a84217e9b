import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
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

/**
 * The default gate asks an advisory source (the registry's bulk endpoint, the
 * OSV API, a `depguard db update` copy), and these runs are offline with an
 * empty cache: a run that is not about advisories skips them, as a user
 * would (`--skip advisories`). Runs that choose checks or an advisory source
 * themselves are left as they are; `advisories: true` leaves any run alone.
 */
export const SKIP_ADVISORIES = ['--skip', 'advisories'] as const;
const AUDITS = new Set(['check', 'diff', 'report']);
const CHOOSES_ADVISORIES = ['--only', '--skip', '--advisory-source', '--advisories', '--audit-registry', '--help', '--capabilities'];

export function withoutAdvisories(args: string[]): string[] {
  if (!AUDITS.has(args[0] ?? '') || args.some((arg) => CHOOSES_ADVISORIES.includes(arg))) return args;
  return [...args, ...SKIP_ADVISORIES];
}

/** An empty npm cache for the whole test run: tests never read or write the user's ~/.npm. */
const TEST_CACHE = mkdtempSync(join(tmpdir(), 'depguard-cli-cache-'));

/**
 * Runs the built CLI as a user would (bin/depguard.js on this Node), through
 * npm's own environment config: the placeholder registry, an empty cache and
 * offline mode, so no test reaches the network. `date: null` leaves out the
 * fixed --date (for tests of the config's own date).
 */
export function depguard(args: string[], options: { cwd?: string; env?: Record<string, string>; date?: string | null; advisories?: boolean } = {}): CliResult {
  const date = options.date === undefined ? TEST_DATE : options.date;
  if (options.advisories !== true) args = withoutAdvisories(args);
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

/**
 * Runs a command without blocking this process, so that a loopback server the
 * test started can answer it; killed (`killed: true`) if it has not exited
 * after `killAfter` ms.
 */
export async function spawnCollect(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; killAfter?: number } = {}): Promise<CliResult & { killed: boolean }> {
  const child = spawn(command, args, { cwd: options.cwd ?? REPO, env: options.env ?? process.env });
  let killed = false;
  const timer = options.killAfter === undefined ? null : setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.killAfter);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  if (timer) clearTimeout(timer);
  return { code, stdout, stderr, killed };
}

/** The built CLI (bin/depguard.js on this Node) through spawnCollect. */
export function depguardAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; killAfter?: number } = {}): Promise<CliResult & { killed: boolean }> {
  return spawnCollect(process.execPath, [join(REPO, 'bin/depguard.js'), ...args], options);
}

/**
 * An environment that holds nothing of the user's: an empty HOME (so no user
 * .npmrc), its own npm cache, one registry, no retries. For online runs
 * against a loopback registry, where the user's config must not leak in.
 */
export function isolatedEnv(registry: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'depguard-home-'));
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    npm_config_userconfig: join(home, '.npmrc'),
    npm_config_registry: registry,
    npm_config_cache: join(home, 'cache'),
    npm_config_fetch_retries: '0',
    NO_COLOR: '1',
    ...extra,
  };
}

/** The `diff` part of `depguard diff <head fixture> --base pm-service-npm` (lockfile and pinning), after asserting it ran: a change of package manager of the same service. */
export interface ManagerChangeDiff {
  added: unknown[];
  removed: unknown[];
  changed: unknown[];
  manifest: unknown[];
  newFindings: Array<{ rule: string }>;
  resolvedFindings: Array<{ rule: string }>;
}
export function diffFromNpm(headFixture: string, baseFixture: string): { code: number | null; stderr: string; diff: ManagerChangeDiff | null } {
  const run = depguard(['diff', headFixture, '--base', baseFixture, '--only', 'lockfile,pinning', '--format', 'json', '--fail-on', 'none', '--date', TEST_DATE]);
  return { code: run.code, stderr: run.stderr, diff: run.code === 0 ? (JSON.parse(run.stdout) as { diff: ManagerChangeDiff }).diff : null };
}

/** `depguard report` in markdown on a pm-service fixture (offline, lockfile and pinning only): the report each package manager's graph must give. */
export function pmServiceReport(fixturePath: string): CliResult {
  return depguard(['report', fixturePath, '--format', 'markdown', '--offline', '--allow-incomplete', '--only', 'lockfile,pinning', '--date', TEST_DATE, '--fail-on', 'none']);
}
