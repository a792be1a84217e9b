// The overrides a pnpm, yarn or bun project already declares, in each
// manager's own syntax, read as (selector, package name, forced version):
// pnpm `overrides` (package.json `pnpm.overrides` and pnpm-workspace.yaml
// `overrides`; selectors `name`, `name@<range`, `parent>name`), yarn
// `resolutions` (`name`, `**/name`, `parent/name`, `parent/**/name`, berry's
// `name@npm:^1`), bun `overrides` (top level only). The override audit asks of
// each whether the version it forces is one an advisory hits.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageManager } from '../load/index.js';
import { isJsonObject } from '../util/json.js';
import { PNPM_WORKSPACE, readWorkspace } from './pnpm.js';

export interface DeclaredOverride {
  /** The selector as written (the key), split into its steps: ['express', 'qs'] for `express>qs`. */
  path: string[];
  /** The package whose version it forces: the selector's last step without its version range. */
  name: string;
  /** The version (or spec) it forces, `npm:` prefix removed. */
  value: string;
  /** Where it is declared: `package.json pnpm.overrides`, `pnpm-workspace.yaml overrides`, `package.json resolutions`… */
  where: string;
}

/** A step's package name without the version range it may carry (`qs@<6.7.3`, `@scope/name@^1`, `name@npm:^1`). */
function withoutRange(step: string): string {
  const at = step.indexOf('@', 1);
  return at < 0 ? step : step.slice(0, at);
}

/** yarn's path steps: `/`-separated, a scoped name taking two, `**` any depth (not a package). */
function yarnSteps(key: string): string[] {
  const parts = key.split('/');
  const steps: string[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    if (part.startsWith('@') && index + 1 < parts.length) steps.push(`${part}/${parts[++index]}`);
    else steps.push(part);
  }
  return steps.filter((step) => step !== '**');
}

function entries(record: unknown, where: string, split: (key: string) => string[]): DeclaredOverride[] {
  if (!isJsonObject(record)) return [];
  return Object.entries(record).flatMap(([key, value]): DeclaredOverride[] => {
    if (typeof value !== 'string') return [];
    const path = split(key);
    const last = path[path.length - 1];
    if (!last) return [];
    return [{ path, name: withoutRange(last), value: value.replace(/^npm:/, ''), where }];
  });
}

function readManifest(projectPath: string): Record<string, unknown> {
  try {
    const manifest: unknown = JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8'));
    return isJsonObject(manifest) ? manifest : {};
  } catch {
    return {};
  }
}

/** Every override the project declares for `manager`, in the files that manager reads them from. */
export function declaredOverrides(projectPath: string, manager: PackageManager): DeclaredOverride[] {
  const manifest = readManifest(projectPath);
  switch (manager) {
    case 'pnpm': {
      const pnpm = isJsonObject(manifest.pnpm) ? manifest.pnpm : {};
      const split = (key: string) => key.split('>');
      return [...entries(pnpm.overrides, 'package.json pnpm.overrides', split), ...entries(readWorkspace(projectPath)?.overrides, `${PNPM_WORKSPACE} overrides`, split)];
    }
    case 'yarn':
      return entries(manifest.resolutions, 'package.json resolutions', yarnSteps);
    case 'bun':
      // bun reads top-level overrides only (and yarn's resolutions as an alias).
      return [...entries(manifest.overrides, 'package.json overrides', (key) => [key]), ...entries(manifest.resolutions, 'package.json resolutions', (key) => [key])];
    default:
      return [];
  }
}
