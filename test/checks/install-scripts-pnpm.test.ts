// install-scripts on pnpm-lock.yaml: which packages build comes from the
// lockfile's requiresBuild where pnpm records it (lockfileVersion 5.x, 6.0),
// and pnpm's own allowlists in pnpm-workspace.yaml approve them.

import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/load/load.js';
import { fixture, tempProject } from '../helpers/project.js';
import { runCheck } from '../helpers/run.js';

async function installScripts(dir: string): Promise<string[]> {
  const { graph } = await loadProject(dir);
  return (await runCheck('install-scripts', graph)).map((f) => `${f.rule} ${f.package ? `${f.package.name}@${f.package.version}` : '-'}`).sort();
}

describe('install-scripts on pnpm-lock.yaml', () => {
  it('requiresBuild marks the package that builds, with no registry asked', async () => {
    expect(await installScripts(fixture('pm-service-pnpm7'))).toEqual(['install-scripts/unapproved bufferutil@4.0.8']);
  });

  it('pnpm-workspace.yaml approvals: allowBuilds, onlyBuiltDependencies with a version, neverBuiltDependencies', async () => {
    const workspace = (settings: string) => tempProject({ 'pnpm-workspace.yaml': `packages:\n  - packages/*\n${settings}` }, fixture('pm-service-pnpm7'));
    expect(await installScripts(workspace("onlyBuiltDependencies:\n  - 'bufferutil@4.0.8'\n"))).toEqual([]);
    expect(await installScripts(workspace('allowBuilds:\n  bufferutil: true\n'))).toEqual(['install-scripts/unpinned-approval bufferutil@']);
    // Denied: pnpm will not run it; the check says so (info), as for npm's allowScripts false.
    expect(await installScripts(workspace('neverBuiltDependencies:\n  - bufferutil\n'))).toEqual(['install-scripts/denied bufferutil@4.0.8']);
  });
});
