// The allowlists that approve (or deny) install scripts: npm 11's
// `allowScripts`, pnpm's onlyBuiltDependencies / neverBuiltDependencies /
// ignoredBuiltDependencies / allowBuilds (package.json or
// pnpm-workspace.yaml), yarn berry's `dependenciesMeta.<pkg>.built` and
// `enableScripts`, LavaMoat's `lavamoat.allowScripts`, and the check's
// own `allow` / `deny` options, read into approvals that match packages, and
// entries no package manager honours. In a bun project, bun's
// `trustedDependencies` too, or, when package.json has none, bun's built-in
// default list (bun-default-trusted.ts), kept apart as source 'bun-default'
// so that a reviewer sees what bun approves on the project's behalf.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CheckContext } from '../types.js';
import type { DepGraph, DepNode } from '../../model.js';
import { isJsonObject, own } from '../../util/json.js';
import { BUN_DEFAULT_TRUSTED, BUN_VERSION_OF_DEFAULT_TRUSTED } from './bun-default-trusted.js';
import { bunDefaultKey, parseBunKey, parseNpmKey, parsePnpmKey, type KeyProblem } from './keys.js';
import { canonicalNames, parseLavamoatKey } from './lavamoat.js';

/** What reading approvals needs from the check's context: the project and a place for diagnostics. */
type ApprovalContext = Pick<CheckContext<unknown>, 'graph' | 'diagnostic'>;

export type ApprovalSourceId = 'npm' | 'pnpm' | 'yarn' | 'bun' | 'bun-default' | 'lavamoat' | 'depguard';

/** Where an approval key was read: evidence for findings. */
export interface Origin {
  source: ApprovalSourceId;
  /** 'package.json', 'pnpm-workspace.yaml', '.yarnrc.yml', 'depguard config' or 'bun 1.4.5' (bun's built-in list). */
  file: string;
  /** 'allowScripts', 'pnpm.onlyBuiltDependencies', 'lavamoat.allowScripts', 'checks.install-scripts.allow' … */
  field: string;
}

export interface Approval extends Origin {
  key: string;
  /** true approves, false denies. */
  allow: boolean;
  /** The key names a version, commit, path or URL; false for a bare name, which approves every future version too. */
  pinned: boolean;
  /** The registry name the key is about (for the finding's package), when it names one. */
  name: string | null;
  /** For registry keys: versions pinned by the key (null when unpinned). */
  versions: string[] | null;
  matches(node: DepNode): boolean;
}

export type InvalidReason = KeyProblem | 'not-boolean' | 'not-a-string';

export interface InvalidApproval extends Origin {
  key: string;
  reason: InvalidReason;
}

interface RawEntry {
  origin: Origin;
  key: unknown;
  value: unknown;
  grammar: 'npm' | 'pnpm' | 'bun' | 'bun-default' | 'lavamoat';
}

function listEntries(origin: Origin, list: unknown, allow: boolean, grammar: RawEntry['grammar']): RawEntry[] {
  if (!Array.isArray(list)) return [];
  return list.map((key) => ({ origin, key, value: allow, grammar }));
}

function mapEntries(origin: Origin, map: unknown, grammar: RawEntry['grammar']): RawEntry[] {
  if (!isJsonObject(map)) return [];
  return Object.entries(map).map(([key, value]) => ({ origin, key, value, grammar }));
}

/** pnpm's build settings, from package.json#pnpm or pnpm-workspace.yaml. */
function pnpmEntries(settings: unknown, file: string, prefix: string): RawEntry[] {
  if (!isJsonObject(settings)) return [];
  const origin = (field: string): Origin => ({ source: 'pnpm', file, field: `${prefix}${field}` });
  return [
    ...listEntries(origin('onlyBuiltDependencies'), own(settings, 'onlyBuiltDependencies'), true, 'pnpm'),
    ...listEntries(origin('neverBuiltDependencies'), own(settings, 'neverBuiltDependencies'), false, 'pnpm'),
    ...listEntries(origin('ignoredBuiltDependencies'), own(settings, 'ignoredBuiltDependencies'), false, 'pnpm'),
    ...mapEntries(origin('allowBuilds'), own(settings, 'allowBuilds'), 'pnpm'),
  ];
}

async function readPnpmWorkspace(context: ApprovalContext): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(context.graph.projectPath, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseYaml(text);
  } catch (error) {
    context.diagnostic({
      level: 'warning',
      code: 'UNREADABLE_APPROVALS',
      message: `pnpm-workspace.yaml is not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); its build approvals were not read`,
      file: 'pnpm-workspace.yaml',
    });
    return undefined;
  }
}

/**
 * bun's approvals, in a bun project only (npm and pnpm ignore the field):
 * package.json `trustedDependencies`, which replaces bun's built-in list
 * (`[]` trusts nothing), else that built-in list.
 */
function bunEntries(graph: DepGraph): RawEntry[] {
  const manager = graph.lockfile?.manager ?? graph.declaredManager?.manager ?? 'npm';
  if (manager !== 'bun') return [];
  const trusted = own(graph.manifest, 'trustedDependencies');
  if (trusted !== undefined) return listEntries({ source: 'bun', file: 'package.json', field: 'trustedDependencies' }, trusted, true, 'bun');
  const origin: Origin = { source: 'bun-default', file: `bun ${BUN_VERSION_OF_DEFAULT_TRUSTED}`, field: 'default trusted dependencies' };
  return [...BUN_DEFAULT_TRUSTED].map((key) => ({ origin, key, value: true, grammar: 'bun-default' as const }));
}

/** yarn berry's `dependenciesMeta.<name or name@version>.built` in package.json: true approves, false denies (classic ignores the field). */
function yarnEntries(graph: DepGraph): RawEntry[] {
  if (!isYarnBerry(graph)) return [];
  const meta = own(graph.manifest, 'dependenciesMeta');
  if (!isJsonObject(meta)) return [];
  const origin: Origin = { source: 'yarn', file: 'package.json', field: 'dependenciesMeta' };
  return Object.entries(meta)
    .filter(([, value]) => isJsonObject(value) && Object.hasOwn(value, 'built'))
    .map(([key, value]) => ({ origin, key, value: own(value as Record<string, unknown>, 'built'), grammar: 'npm' as const }));
}

function isYarnBerry(graph: DepGraph): boolean {
  return graph.lockfile?.manager === 'yarn' && graph.lockfile.settings?.format === 'berry';
}

/**
 * yarn berry runs a dependency's build scripts only when `enableScripts` is
 * on or `dependenciesMeta.<pkg>.built` is true (and never when `built` is
 * false). `enableScripts` is read from .yarnrc.yml; unset, yarn 4 turns it
 * off for projects whose lockfile is `__metadata.version` 9 or later and on
 * for older lockfiles (its migration defaults). Returns the setting that
 * turns scripts off, as an approval that denies every package, or null when
 * scripts run (classic always runs them).
 */
export async function yarnScriptsOff(context: ApprovalContext): Promise<Approval | null> {
  const { graph } = context;
  if (!isYarnBerry(graph)) return null;
  let text: string | null = null;
  try {
    text = await readFile(join(graph.projectPath, '.yarnrc.yml'), 'utf8');
  } catch {
    text = null;
  }
  let setting: unknown;
  if (text !== null) {
    try {
      const parsed: unknown = parseYaml(text);
      setting = isJsonObject(parsed) ? own(parsed, 'enableScripts') : undefined;
    } catch (error) {
      context.diagnostic({
        level: 'warning',
        code: 'UNREADABLE_APPROVALS',
        message: `.yarnrc.yml is not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); its enableScripts setting was not read`,
        file: '.yarnrc.yml',
      });
    }
  }
  const off = (file: string, key: string): Approval => ({ source: 'yarn', file, field: 'enableScripts', key, allow: false, pinned: true, name: null, versions: null, matches: () => true });
  if (setting === false || setting === 'false') return off('.yarnrc.yml', 'enableScripts: false');
  if (setting === true || setting === 'true') return null;
  return graph.lockfile!.lockfileVersion >= 9 ? off('yarn.lock', `enableScripts unset (off by default for __metadata.version ${graph.lockfile!.lockfileVersion})`) : null;
}

export async function rawEntries(context: ApprovalContext, options: { allow: string[]; deny: string[] }): Promise<RawEntry[]> {
  const manifest = context.graph.manifest;
  const lavamoat = own(manifest, 'lavamoat');
  return [
    ...bunEntries(context.graph),
    ...mapEntries({ source: 'npm', file: 'package.json', field: 'allowScripts' }, own(manifest, 'allowScripts'), 'npm'),
    ...pnpmEntries(own(manifest, 'pnpm'), 'package.json', 'pnpm.'),
    ...pnpmEntries(await readPnpmWorkspace(context), 'pnpm-workspace.yaml', ''),
    ...yarnEntries(context.graph),
    ...mapEntries({ source: 'lavamoat', file: 'package.json', field: 'lavamoat.allowScripts' }, isJsonObject(lavamoat) ? own(lavamoat, 'allowScripts') : undefined, 'lavamoat'),
    ...listEntries({ source: 'depguard', file: 'depguard config', field: 'checks.install-scripts.allow' }, options.allow, true, 'npm'),
    ...listEntries({ source: 'depguard', file: 'depguard config', field: 'checks.install-scripts.deny' }, options.deny, false, 'npm'),
  ];
}

export function readApprovals(graph: DepGraph, entries: RawEntry[]): { approvals: Approval[]; invalid: InvalidApproval[]; lavamoatNames: Map<string, string> | null } {
  const approvals: Approval[] = [];
  const invalid: InvalidApproval[] = [];
  let names: Map<string, string> | null = null;
  for (const { origin, key, value, grammar } of entries) {
    if (typeof key !== 'string' || key === '') {
      invalid.push({ ...origin, key: typeof key === 'string' ? key : JSON.stringify(key) ?? String(key), reason: 'not-a-string' });
      continue;
    }
    if (typeof value !== 'boolean') {
      invalid.push({ ...origin, key, reason: 'not-boolean' });
      continue;
    }
    // LavaMoat's own entry for the project itself is not about a dependency.
    if (grammar === 'lavamoat' && key === '$root$') continue;
    const parsed =
      grammar === 'npm'
        ? parseNpmKey(key, graph)
        : grammar === 'pnpm'
          ? parsePnpmKey(key, graph)
          : grammar === 'bun'
            ? parseBunKey(key)
            : grammar === 'bun-default'
              ? bunDefaultKey(key)
              : parseLavamoatKey(key, (names ??= canonicalNames(graph)));
    if (!parsed.ok) {
      invalid.push({ ...origin, key, reason: parsed.reason });
      continue;
    }
    approvals.push({ ...origin, key, allow: value, pinned: parsed.pinned, name: parsed.name, versions: parsed.versions, matches: parsed.matches });
  }
  return { approvals, invalid, lavamoatNames: names };
}
