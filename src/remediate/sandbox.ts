// A candidate re-resolved by the project's own package manager, in a
// temporary copy: the manager writes a new lockfile there (never installing,
// never running scripts) and depguard's own loader reads it back.
//
// The copy is a project the user may not trust, so it holds only what
// resolution needs: package.json (without packageManager / devEngines, which
// make managers download and run other versions of themselves or of Node.js,
// and without scripts), the lockfile, and the manager's resolution settings
// from an allowlist. Never copied: .npmrc / .yarnrc.yml / bunfig.toml (a
// registry or a token the user did not choose, yarn's `yarnPath` and
// `plugins`, bun's `preload` and install settings), .pnpmfile.cjs and every
// other file. Each run
// gets the registry from the user's trusted npm config on its command line,
// flags that turn off scripts and hooks, and a time limit (killed after it).

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../load/load.js';
import type { DepGraph } from '../model.js';
import { isJsonObject } from '../util/json.js';
import type { FixManager, Verifier } from './manager.js';
import { copyWorkspaceManifests } from './workspaces.js';
import { PNPM_WORKSPACE, sanitizedWorkspace } from './pnpm.js';
import { berryRc, classicLockfile, yarnCommand, yarnEnvironment, YarnRefusal } from './yarn.js';

/** How long one re-resolution by a package manager may take before it is killed. */
export const MANAGER_TIMEOUT_MS = 180_000;

export interface ManagerRun {
  manager: FixManager;
  verifier: Verifier;
  /** The registry every package is fetched from (the user's npm config, or --registry). */
  registry: string;
  /** Added to the manager's environment (tests: a fresh cache folder). */
  env?: NodeJS.ProcessEnv;
}

/** A re-resolution that failed, or was not run, for a reason outside the candidate (a timeout, an unreachable registry, a lockfile URL yarn 1 would fetch): the candidate is unverified, not refused. */
export class EnvironmentFailure extends Error {}

/** package.json for the copy: no manager pins (corepack / devEngines downloads), no scripts, pnpm's field cut to resolution settings. */
function copyManifest(text: string): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  delete manifest.packageManager;
  delete manifest.devEngines;
  delete manifest.scripts;
  // bun's patches name files the copy does not hold (patches change files, not versions).
  delete manifest.patchedDependencies;
  if (isJsonObject(manifest.pnpm)) {
    const { overrides, packageExtensions, peerDependencyRules, allowedDeprecatedVersions, supportedArchitectures, ignoredOptionalDependencies } = manifest.pnpm;
    manifest.pnpm = JSON.parse(JSON.stringify({ overrides, packageExtensions, peerDependencyRules, allowedDeprecatedVersions, supportedArchitectures, ignoredOptionalDependencies })) as unknown;
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The manager's command line for a lockfile-only re-resolution (`update`: names moved within their ranges). */
function commandLine(run: ManagerRun, update: string[]): string[] {
  const registry = `--registry=${run.registry}`;
  if (run.manager.name === 'pnpm') {
    // --no-frozen-lockfile: pnpm freezes the lockfile when CI is set. manage-package-manager-versions: never switch to another pnpm.
    const common = ['--lockfile-only', '--ignore-scripts', '--ignore-pnpmfile', '--no-frozen-lockfile', registry, '--config.manage-package-manager-versions=false', '--reporter=silent'];
    return update.length > 0 ? ['update', ...update, '--depth', 'Infinity', ...common] : ['install', ...common];
  }
  if (run.manager.name === 'bun') {
    // bun reads no project bunfig.toml here (not copied); --ignore-scripts also keeps trustedDependencies' scripts from running.
    const common = ['--lockfile-only', '--ignore-scripts', '--no-progress', '--no-summary', registry];
    return update.length > 0 ? ['update', ...update, ...common] : ['install', ...common];
  }
  if (run.manager.name === 'yarn') return yarnCommand(run.manager.flavor ?? 'classic', run.registry, update);
  throw new EnvironmentFailure(`depguard cannot re-resolve ${run.manager.name} projects`);
}

function runManager(run: ManagerRun, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  const command = run.verifier.bin ?? run.manager.name;
  const env = { ...process.env, ...run.env, ...(run.manager.name === 'yarn' ? yarnEnvironment(run.registry) : {}), COREPACK_ENABLE_STRICT: '0', COREPACK_ENABLE_AUTO_PIN: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const failure = error as NodeJS.ErrnoException & { killed?: boolean };
      const output = `${stderr}\n${stdout}`;
      const first = output.split('\n').map((line) => line.trim()).find((line) => /ERR|error/i.test(line)) ?? output.trim().split('\n')[0] ?? failure.message;
      if (failure.killed) return reject(new EnvironmentFailure(`${command} did not finish within ${Math.round(timeoutMs / 1000)} s`));
      if (failure.code === 'ENOENT') return reject(new EnvironmentFailure(`${command} is not installed (not found on PATH)`));
      // The registry could not be reached: nothing is known about the candidate.
      if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|META_FETCH_FAIL|ERR_PNPM_FETCH_|ConnectionRefused|ConnectionClosed|socket hang up/.test(output)) return reject(new EnvironmentFailure(`${command} could not reach the registry: ${first.slice(0, 200)}`));
      reject(new Error(`${command} ${args[0]} failed: ${first.slice(0, 300)}`));
    });
  });
}

/** yarn 1 runs share its cache folder, which two concurrent runs can corrupt: one at a time. */
let yarnClassicQueue: Promise<unknown> = Promise.resolve();

function serialised<T>(run: ManagerRun, task: () => Promise<T>): Promise<T> {
  if (run.manager.name !== 'yarn' || run.manager.flavor === 'berry') return task();
  const result = yarnClassicQueue.then(task, task);
  yarnClassicQueue = result.catch(() => undefined);
  return result;
}

/**
 * Re-resolves the project with the given edited files (package.json,
 * pnpm-workspace.yaml) in a temporary copy, with its workspaces' package.json
 * files, and loads the lockfile the manager writes; returns the copy's folder
 * (the caller removes it).
 */
export async function managerGraph(projectPath: string, files: Record<string, string>, update: string[], run: ManagerRun, deadline?: number, workspaces: readonly string[] = []): Promise<{ dir: string; graph: DepGraph }> {
  const dir = mkdtempSync(join(tmpdir(), `depguard-fix-${run.manager.name}-`));
  try {
    const text = (name: string): string | null => files[name] ?? (existsSync(join(projectPath, name)) ? readFileSync(join(projectPath, name), 'utf8') : null);
    writeFileSync(join(dir, 'package.json'), copyManifest(text('package.json')!));
    copyWorkspaceManifests(projectPath, dir, workspaces, copyManifest);
    // The bytes, not the file: a read-only lockfile (mode 0444) must not make the copy read-only too.
    const lockfile = run.manager.lockfile;
    if (lockfile && run.manager.name === 'yarn' && run.manager.flavor !== 'berry') {
      writeFileSync(join(dir, lockfile), classicLockfile(readFileSync(join(projectPath, lockfile), 'utf8'), run.registry), { mode: 0o644 });
    } else if (lockfile) writeFileSync(join(dir, lockfile), readFileSync(join(projectPath, lockfile)), { mode: 0o644 });
    if (run.manager.name === 'yarn' && run.manager.flavor === 'berry') writeFileSync(join(dir, '.yarnrc.yml'), berryRc(text('.yarnrc.yml'), run.registry));
    if (run.manager.name === 'pnpm') {
      const workspace = text(PNPM_WORKSPACE);
      const kept = workspace === null ? null : sanitizedWorkspace(workspace);
      if (kept !== null) writeFileSync(join(dir, PNPM_WORKSPACE), kept);
    }
    const left = deadline === undefined ? MANAGER_TIMEOUT_MS : Math.max(1000, Math.min(MANAGER_TIMEOUT_MS, deadline - Date.now()));
    await serialised(run, () => runManager(run, commandLine(run, update), dir, left));
    const { graph } = await loadProject(dir);
    return { dir, graph };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    // Not run at all because running it would be unsafe: as unverified as a manager that is not installed.
    throw error instanceof YarnRefusal ? new EnvironmentFailure(error.message) : error;
  }
}
