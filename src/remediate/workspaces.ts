// A verification copy of a workspace project (npm, pnpm, yarn or bun
// workspaces) needs each workspace's package.json at its folder, or the
// re-resolution would drop the workspaces' dependencies and "fix" their
// advisories by losing them. Only the manifests are copied: a workspace's
// code is never needed to resolve versions.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

/** Writes each workspace's package.json into `dir` at its folder, through `transform` (the copy's sanitising). */
export function copyWorkspaceManifests(projectPath: string, dir: string, locations: readonly string[], transform: (text: string) => string = (text) => text): void {
  for (const location of locations) {
    // A location comes from the lockfile or package.json: data, so every write stays inside the copy.
    if (location === '' || isAbsolute(location) || location.split(/[\\/]/).includes('..')) continue;
    const target = resolve(dir, location);
    if (!target.startsWith(dir + sep)) continue;
    const source = join(projectPath, location, 'package.json');
    if (!existsSync(source)) continue;
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'package.json'), transform(readFileSync(source, 'utf8')));
  }
}
