// Which package manager depguard fix plans for, and whether its binary can
// verify the plan. The project's manager decides, through the same selection
// as `depguard check` (src/load/select.ts: packageManager /
// devEngines.packageManager, else the one lockfile present): fix plans on the
// versions that manager's lockfile holds, and each suggestion is re-resolved
// by that manager itself in a temporary copy (sandbox.ts). `--package-manager`
// defaults to it; one that contradicts a pnpm, yarn or bun lockfile is an
// error (planning on one lockfile and spelling for another manager verifies
// nothing). On a project with npm's lockfile, pnpm / yarn / bun spelling is
// still allowed (the plan is verified by npm's resolver, as before, and says so).

import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DepguardError } from '../errors.js';
import { LOCKFILES, selectLockfile, type PackageManager } from '../load/index.js';
import type { JsonObject } from '../util/json.js';

export interface FixManager {
  /** The manager whose lockfile the plan is made on (npm for package-lock.json, npm-shrinkwrap.json or node_modules). */
  name: PackageManager;
  /** The lockfile it reads, relative to the project (null: npm from node_modules). */
  lockfile: string | null;
  /** yarn only: classic (v1 yarn.lock) or berry (`__metadata`). */
  flavor?: 'classic' | 'berry';
}

/** How the plan was (or could not be) verified. */
export interface Verifier {
  /** `arborist` (npm's resolver, in process) or the manager's binary. */
  by: 'arborist' | PackageManager;
  /** The binary run (as given or found on PATH) and its version; null for arborist. */
  bin: string | null;
  version: string | null;
  /** Set when nothing can be verified: why (not installed, failed to start…). Every suggestion is then labelled unverified. */
  unavailable?: string;
}

/** Lockfile names per manager, in the order select.ts prefers them. */
function lockfilesOf(manager: PackageManager): string[] {
  return LOCKFILES.filter((entry) => entry.manager === manager).map((entry) => entry.file);
}

const CREATE_LOCKFILE: Record<PackageManager, string> = {
  npm: 'npm install --package-lock-only --ignore-scripts',
  pnpm: 'pnpm install --lockfile-only --ignore-scripts',
  yarn: 'yarn install --mode=update-lockfile (yarn 2 and later) or yarn install --ignore-scripts (yarn 1)',
  bun: 'bun install --lockfile-only --ignore-scripts',
};

/**
 * The manager fix plans for: the lockfile check would audit, with
 * `--package-manager` (`flag`) choosing among lockfiles of several managers
 * when package.json declares none, and refused when it contradicts a
 * non-npm lockfile.
 */
export function detectManager(projectPath: string, manifest: JsonObject, flag?: PackageManager): FixManager {
  let selection: ReturnType<typeof selectLockfile>;
  try {
    selection = selectLockfile(projectPath, manifest);
  } catch (error) {
    if (!(error instanceof DepguardError) || error.code !== 'EAMBIGUOUS_LOCKFILE' || !flag) throw error;
    const own = lockfilesOf(flag).find((file) => existsSync(join(projectPath, file)));
    if (!own) throw error;
    selection = selectLockfile(projectPath, manifest, own);
  }
  if (selection.kind === 'none') {
    if (existsSync(join(projectPath, 'node_modules')) && (flag === undefined || flag === 'npm' || !selection.declared)) return { name: 'npm', lockfile: null };
    const manager = selection.declared?.manager ?? flag ?? 'npm';
    const names = lockfilesOf(manager).filter((file) => file !== 'bun.lockb');
    const declared = selection.declared ? ` (package.json declares ${selection.declared.field} "${selection.declared.value}")` : '';
    const missing = manager === 'npm' ? 'package-lock.json, npm-shrinkwrap.json or node_modules' : names.join(' or ');
    throw new DepguardError('ENO_LOCKFILE', `no ${missing} in ${projectPath}${declared}: depguard fix plans on the versions the lockfile holds`, {
      file: manager === 'npm' ? 'package-lock.json' : names[0]!,
      hint: `create the lockfile with the project's own manager: \`${CREATE_LOCKFILE[manager]}\`, commit it, then run depguard fix again`,
    });
  }
  const { file, manager } = selection;
  if (flag !== undefined && flag !== manager && manager !== 'npm') {
    throw new DepguardError('EBAD_ARGS', `--package-manager ${flag} contradicts the project's lockfile ${file} (${manager}): fix plans on the versions ${manager} installs and verifies with ${manager}`, {
      field: '--package-manager',
      file,
      hint: `drop --package-manager (it defaults to ${manager}), or pass --package-manager ${manager}`,
    });
  }
  return { name: manager, lockfile: file, ...(manager === 'yarn' ? { flavor: yarnFlavor(projectPath, file) } : {}) };
}

/** yarn.lock written by yarn 2+ starts with a `__metadata` entry; yarn 1's never has one. */
function yarnFlavor(projectPath: string, file: string): 'classic' | 'berry' {
  try {
    // Only the head: __metadata is the first entry berry writes.
    const head = readHead(join(projectPath, file));
    return /^__metadata:/m.test(head) ? 'berry' : 'classic';
  } catch {
    return 'classic';
  }
}

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** How long a `<manager> --version` probe may take. */
const PROBE_TIMEOUT_MS = 20_000;

/**
 * The binary that verifies `manager`'s plans and its version, probed once per
 * run (`<bin> --version` in an empty folder, so no project file is read). A
 * binary that is missing or fails to start leaves the plan unverified, with
 * the reason.
 */
export async function probeVerifier(manager: FixManager, bin: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Verifier> {
  if (manager.name === 'npm') return { by: 'arborist', bin: null, version: null };
  const command = bin ?? manager.name;
  const dir = mkdtempSync(join(tmpdir(), 'depguard-probe-'));
  try {
    const version = await new Promise<string>((resolve, reject) => {
      execFile(command, ['--version'], { cwd: dir, env: { ...env, COREPACK_ENABLE_STRICT: '0', COREPACK_ENABLE_AUTO_PIN: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' }, timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr }));
        else resolve(stdout.trim().split('\n').pop()!.trim());
      });
    });
    if (!/^\d+\.\d+\.\d+/.test(version)) return { by: manager.name, bin: command, version: null, unavailable: `\`${command} --version\` printed "${version.slice(0, 80)}", not a version` };
    return { by: manager.name, bin: command, version };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { killed?: boolean; stderr?: string };
    const reason =
      failure.code === 'ENOENT'
        ? `${command} is not installed (not found on PATH)`
        : failure.killed
          ? `\`${command} --version\` did not answer within ${PROBE_TIMEOUT_MS / 1000} s`
          : `\`${command} --version\` failed: ${(failure.stderr ?? failure.message).trim().split('\n')[0]!.slice(0, 200)}`;
    return { by: manager.name, bin: command, version: null, unavailable: reason };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
